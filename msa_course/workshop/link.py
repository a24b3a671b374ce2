"""`msa-course link`: the nbgitpuller link that puts the course in a learner's hub home.

Clicking it logs the learner in, clones the course repository into ~/<target> (or, the next
time, merges upstream changes without touching the learner's own edits; nbgitpuller's merge)
and opens the chapter in JupyterLab: the English one, or with `--lang ko` the Korean edition's
(course/ko/NN_slug.ipynb; the whole course, both editions, is pulled either way).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from msa_course.i18n import DEFAULT, LANGUAGES, check_language
from msa_course.workshop.messages import text

DEFAULT_TARGET = "msa-course"


def pull_link(
    hub: str, repo: str, notebook: str, branch: str = "main", target: str = DEFAULT_TARGET
) -> str:
    """The link for `hub` that pulls `repo`@`branch` into ~/`target` and opens `notebook`
    (a path inside the repository, such as course/00_welcome.ipynb)."""
    check_hub(hub)
    if not repo:
        raise ValueError("repo must be the course repository's clone URL, got an empty string")
    if not branch or branch.startswith("-"):
        raise ValueError(f"branch must be a branch name such as main, got {branch!r}")
    if not re.fullmatch(r"[A-Za-z0-9._-]+", target) or target in (".", ".."):
        raise ValueError(f"target must be one folder name (letters, digits, . _ -), got {target!r}")
    query = urlencode(
        {
            "repo": repo,
            "branch": branch,
            "urlpath": f"lab/tree/{target}/{notebook.lstrip('/')}",
            "targetpath": target,
        }
    )
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def check_hub(hub: str) -> None:
    """Refuse anything but a hub's base URL."""
    parts = urlsplit(hub)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"hub must be an http(s) URL such as https://hub.example.org, got {hub!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"hub must be the hub's base URL without ?query or #fragment, got {hub!r}")


def find_chapter(root: Path, chapter: str, lang: str = DEFAULT) -> str:
    """course/NN_slug.ipynb (course/<lang>/NN_slug.ipynb for another language) for chapter NN
    in the checkout at root."""
    if not re.fullmatch(r"\d\d", chapter):
        raise ValueError(f"chapter must be two digits such as 00 or 07, got {chapter!r}")
    check_language(lang)
    folder = "course" if lang == DEFAULT else f"course/{lang}"
    found = sorted((root / folder).glob(f"{chapter}_*.ipynb"))
    have = ", ".join(p.name[:2] for p in sorted((root / folder).glob("[0-9][0-9]_*.ipynb")))
    if not found and lang != DEFAULT and any((root / "course").glob(f"{chapter}_*.ipynb")):
        language = text(f"lang-{lang}")
        raise ValueError(
            text("cli-link-untranslated", chapter=chapter, language=language, have=have or "-")
        )
    if len(found) != 1:
        raise ValueError(
            f"no single chapter {chapter} in {root / folder} (chapters: {have or 'none'})"
        )
    return f"{folder}/{found[0].name}"


def checkout_root(start: Path) -> Path:
    """The folder holding course/: start or one of its parents."""
    for folder in (start, *start.parents):
        if (folder / "course").is_dir():
            return folder
    raise ValueError(f"no course/ folder in {start} or its parents; run inside the course checkout")


def origin_url(root: Path) -> str:
    """The checkout's `origin` remote, the usual thing to distribute."""
    out = subprocess.run(
        ["git", "-C", str(root), "remote", "get-url", "origin"],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0 or not out.stdout.strip():
        raise ValueError(f"{root} has no git remote 'origin'; pass --repo with the clone URL")
    return out.stdout.strip()


def add_arguments(parser) -> None:
    parser.add_argument("--hub", required=True, help="the hub's URL, e.g. https://hub.example.org")
    parser.add_argument("--repo", help="course repository clone URL (default: git remote origin)")
    parser.add_argument("--branch", default="main", help="branch to pull (default: main)")
    parser.add_argument("--chapter", default="00", help="chapter to open, two digits (default: 00)")
    parser.add_argument(
        "--lang",
        default=DEFAULT,
        choices=LANGUAGES,
        help="edition of the chapter to open: en, or ko for course/ko/ (default: en)",
    )
    parser.add_argument(
        "--target",
        default=DEFAULT_TARGET,
        help=f"folder in each learner's home (default: {DEFAULT_TARGET})",
    )


def run(args) -> int:
    from msa_course.cli import CommandError

    try:
        check_hub(args.hub)
        root = checkout_root(Path.cwd().resolve())
        notebook = find_chapter(root, args.chapter, args.lang)
        repo = args.repo or origin_url(root)
        print(pull_link(args.hub, repo, notebook, args.branch, args.target))
    except ValueError as err:
        raise CommandError(str(err)) from None
    return 0
