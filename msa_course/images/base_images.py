"""Approximate sizes of a few well-known base images, each with its source.

Sizes are the compressed download in MB (10^6 bytes) and change with every tag: treat them as
approximate, and pass your own with `base_sizes={"image:tag": mb}`. Sources:
docs/figures.md §2.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase


@dataclass(frozen=True)
class BaseSize:
    size_mb: float
    source: str
    approximate: bool = True


# pattern on "name:tag" (name without registry or "library/"), first match wins
TABLE: tuple[tuple[str, BaseSize], ...] = (
    ("scratch", BaseSize(0.0, "scratch is the empty image: no layers", approximate=False)),
    ("alpine*", BaseSize(5.0, "Docker Hub: Alpine is 'only 5 MB in size'")),
    (
        "python:*slim*",
        BaseSize(
            155.0, "python:3.11-slim measured at 155 MB (arXiv 2602.15214, a secondary source)"
        ),
    ),
)
UNKNOWN = BaseSize(100.0, "not in the built-in table: an assumed 100 MB; set your own")


def base_size(reference: str, overrides: dict[str, float] | None = None) -> BaseSize:
    """The size of base image `reference` ("alpine:3.20", "docker.io/library/python:3.12-slim")."""
    name = _short_name(reference)
    for key, mb in (overrides or {}).items():
        if _short_name(key) == name or key == reference:
            if not mb >= 0:
                raise ValueError(f"base_sizes[{key!r}] must be a size in MB >= 0, got {mb}")
            return BaseSize(float(mb), "your value", approximate=False)
    for pattern, size in TABLE:
        if fnmatchcase(name, pattern) or fnmatchcase(name.split(":")[0], pattern):
            return size
    return UNKNOWN


def _short_name(reference: str) -> str:
    ref = reference.split("@")[0].lower()
    parts = ref.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]  # a registry host
    if parts and parts[0] == "library":
        parts = parts[1:]
    return "/".join(parts)
