"""The build context: the files `docker build` sends, which COPY and ADD read.

The cache checksum of a file covers its path, content and mode but not its modification time,
as Docker's docs say (docs.docker.com/build/cache/invalidation/; figures.md §2): `touch app.py`
alone does not invalidate a COPY.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase


@dataclass(frozen=True)
class ContextFile:
    """One file: `content`, `mode`, `mtime` (ignored by the cache), optional `size_mb`."""

    content: str
    mode: int = 0o644
    mtime: float = 0.0
    size_mb: float | None = None

    @property
    def megabytes(self) -> float:
        if self.size_mb is not None:
            return self.size_mb
        return len(self.content.encode("utf-8")) / 1e6

    def checksum(self) -> str:
        """What the build cache compares: content and mode, never mtime."""
        return hashlib.sha256(f"{self.mode:o}\0{self.content}".encode()).hexdigest()


Context = Mapping[str, "ContextFile | str"]


def normalise(context: Context | None) -> dict[str, ContextFile]:
    """A context with plain strings turned into ContextFiles and paths tidied ("./a" -> "a")."""
    out = {}
    for path, item in (context or {}).items():
        if isinstance(item, str):
            item = ContextFile(item)
        elif not isinstance(item, ContextFile):
            raise ValueError(
                f"context[{path!r}] must be file content (a str) or a ContextFile, "
                f"got {type(item).__name__}"
            )
        out[_tidy(path)] = item
    return out


def edit(context: Context, path: str, how: str = "content") -> dict[str, ContextFile]:
    """A copy of `context` where `path` changed: its "content", or only its "mtime" (touch)."""
    files = normalise(context)
    key = _tidy(path)
    if key not in files:
        raise ValueError(f"{path!r} is not in the build context; files: {sorted(files)}")
    old = files[key]
    if how == "content":
        files[key] = replace(old, content=old.content + "\n# edited", mtime=old.mtime + 60)
    elif how == "mtime":
        files[key] = replace(old, mtime=old.mtime + 60)
    else:
        raise ValueError(f"how must be 'content' or 'mtime', got {how!r}")
    return files


def match(files: dict[str, ContextFile], source: str) -> list[str]:
    """The context paths a COPY/ADD source names: ".", a directory, a file or a glob."""
    src = _tidy(source)
    if src in ("", "."):
        return sorted(files)
    if any(ch in src for ch in "*?["):
        return sorted(p for p in files if fnmatchcase(p, src) or fnmatchcase(p, src + "/*"))
    prefix = src.rstrip("/") + "/"
    return sorted(p for p in files if p == src or p.startswith(prefix))


def _tidy(path: str) -> str:
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/") if path not in ("/",) else ""
