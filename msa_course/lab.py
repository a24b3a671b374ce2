"""`msa-course lab`: start JupyterLab on the course, opened on the Welcome chapter."""

from __future__ import annotations

import os
import sys
from pathlib import Path

WELCOME = "course/00_welcome.ipynb"


def course_root() -> Path:
    """The checkout holding course/: the current folder or one above it."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / WELCOME).is_file():
            return folder
    from msa_course.cli import CommandError

    raise CommandError(
        f"no {WELCOME} here or in a parent folder; run this inside the course checkout"
    )


def lab_command(root: Path, port: int, open_browser: bool, ip: str) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        f"--ServerApp.default_url=/lab/tree/{WELCOME}",
    ]
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # JupyterLab refuses to run as root without it
    return cmd


def add_arguments(parser) -> None:
    parser.add_argument("--port", type=int, default=8888, help="port (default 8888)")
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")


def run(args) -> int:
    import secrets
    import subprocess

    root = course_root()
    cmd = lab_command(root, args.port, not args.no_browser, args.ip)
    # Our own token (passed in the environment, not on the command line), so the URL we print
    # opens chapter 00 directly; Jupyter's own URL would open an empty JupyterLab.
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_urlsafe(24)
    print(
        f"Starting JupyterLab on {root}\n"
        f"Open http://{args.ip}:{args.port}/lab/tree/{WELCOME}?token={token}\n"
        "Ctrl-C stops it.",
        flush=True,
    )
    return subprocess.call(cmd, env=dict(os.environ, JUPYTER_TOKEN=token))
