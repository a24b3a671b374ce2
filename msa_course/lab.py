"""`msa-course lab`: start JupyterLab on the course, opened on the Welcome chapter.

`--lang ko` opens the Korean chapter (course/ko/, msa_course.i18n.notebooks); without it the
user's locale chooses (LC_ALL, LC_MESSAGES, LANG: ko_KR.UTF-8 gives Korean), and what the
command prints follows the same language.

The URL it prints is the one the server it started serves: the port is read from the server's
own record (jpserver-PID.json in Jupyter's runtime folder), so a busy 8888 cannot send a
learner to someone else's server. Stopping it (Ctrl-C, SIGTERM, SIGHUP, closing the terminal)
stops JupyterLab and its kernels.

A learner's server also reads the Jupyter configuration in `CONFIG_DIR` (before any other):
it hides grading tools (nbgrader's menus and panels, should nbgrader be installed) and
JupyterLab's news and update prompts, which a learner cannot act on, and saves notebooks
every 30 s instead of 120 s (so the workshop's progress page, which reads saved notebooks,
lags half a minute at most). The workshop hub gives every learner's server the same folder.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

WELCOME = "course/00_welcome.ipynb"
WELCOME_IN = {"ko": "course/ko/00_welcome.ipynb"}  # the Welcome chapter of each edition
CONFIG_DIR = Path(__file__).resolve().parent / "lab_config"
START_TIMEOUT = 120  # seconds; a first start on a slow laptop builds caches


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


def learner_environment(token: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a learner's server: its token, and CONFIG_DIR first on Jupyter's
    configuration path."""
    env = dict(os.environ if base is None else base, JUPYTER_TOKEN=token)
    paths = [str(CONFIG_DIR), *filter(None, env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep))]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def ipc_fits(runtime_dir: Path) -> bool:
    """Whether kernels' Unix sockets (runtime_dir/kernel-UUID-ipc-N) fit in the 107 bytes a
    socket path may have (sockaddr_un)."""
    return os.name == "posix" and len(f"{runtime_dir}/kernel-{'0' * 36}-ipc-10".encode()) <= 107


def welcome(root: Path, lang: str) -> str:
    """The Welcome chapter in `lang`, or the English one where that edition is missing."""
    path = WELCOME_IN.get(lang, WELCOME)
    return path if (root / path).is_file() else WELCOME


def lab_command(
    root: Path,
    port: int | None,
    open_browser: bool,
    ip: str,
    ipc: bool = True,
    start: str = WELCOME,
) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "msa_course.jupyter_app",  # JupyterLab, a second cheaper to start
        "lab",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.default_url=/lab/tree/{start}",
        # Errors only: start-up chatter and warnings such as "Notebook ... is not trusted" are
        # nothing a learner can act on; what they can act on, JupyterLab shows in the browser.
        "--ServerApp.log_level=ERROR",
        "--LabApp.log_level=ERROR",
    ]
    if port is not None:  # asked for: that port or a clear failure, never another one
        cmd += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if ipc:
        # Kernels over Unix sockets: nothing for others on the machine to connect to, and no
        # "kernel is running over TCP without encryption" warning.
        cmd.append("--KernelManager.transport=ipc")
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # JupyterLab refuses to run as root without it
    return cmd


def port_is_free(ip: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((ip, port))
        except OSError:
            return False
    return True


def _runtime_dir(env: dict[str, str]) -> Path:
    if env.get("JUPYTER_RUNTIME_DIR"):
        return Path(env["JUPYTER_RUNTIME_DIR"])
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir())


def poll_while_running(proc: subprocess.Popen, ask, timeout: float, pause: float = 0.25):
    """The first answer of `ask()` that is not None, asked every `pause` seconds while `proc`
    runs, for at most `timeout` seconds; None if it ended first or time ran out (then
    `proc.returncode` says which: set only if it ended)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = ask()
        if answer is not None:
            return answer
        if proc.poll() is not None or time.monotonic() >= deadline:
            return None
        time.sleep(pause)


def wait_until_serving(proc: subprocess.Popen, env: dict[str, str], timeout: float) -> str:
    """The base URL of the server `proc` runs, once it answers; read from the record the
    server writes of itself, so it is the port it bound, whatever was asked."""
    record = _runtime_dir(env) / f"jpserver-{proc.pid}.json"

    def serving() -> str | None:
        try:
            info = json.loads(record.read_text(encoding="utf-8"))
            base = info["url"].rstrip("/")
            urllib.request.urlopen(f"{base}/api/status?token={info['token']}", timeout=5)
            return base
        except (OSError, ValueError, KeyError):  # not written yet, half written, not answering
            return None

    base = poll_while_running(proc, serving, timeout)
    if base is not None:
        return base
    from msa_course.cli import CommandError

    if proc.returncode is not None:
        raise CommandError(
            f"JupyterLab stopped before serving (exit code {proc.returncode}); "
            "its messages are above"
        )
    raise CommandError(f"JupyterLab did not start within {timeout:.0f} s")


def _die_with_parent() -> None:
    """In the child: receive SIGTERM if the wrapper dies, even by SIGKILL (Linux only)."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM, which JupyterLab answers by shutting its kernels down; SIGKILL if it hangs."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class _Stopped(Exception):
    pass


def _raise_stopped(signum, frame):
    raise _Stopped(signum)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--port", type=int, help="port to serve on (default: 8888, or the next free one)"
    )
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument(
        "--lang",
        choices=("en", "ko"),
        default=None,
        help="the course's language: en or ko (한국어); default: your locale's",
    )


def run(args) -> int:
    import secrets

    from msa_course.cli import CommandError
    from msa_course.i18n import locale_language, tr

    lang = args.lang or locale_language()
    root = course_root()
    start = welcome(root, lang)
    if args.port is not None and not port_is_free(args.ip, args.port):
        raise CommandError(
            f"port {args.port} is in use by another program; choose another with --port, "
            "or leave --port out to use a free one"
        )
    # Our own token (passed in the environment, not on the command line), so the URL we print
    # opens chapter 00 directly; Jupyter's own URL would open an empty JupyterLab.
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_urlsafe(24)
    env = learner_environment(token)
    print(tr("Starting JupyterLab on {root} ...", lang=lang, root=root), flush=True)
    for signum in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, _raise_stopped)
    # Its own session: the terminal's Ctrl-C reaches only us, and we stop JupyterLab without
    # its "Shutdown this Jupyter server (y/[n])?" prompt.
    ipc = ipc_fits(_runtime_dir(env))
    proc = subprocess.Popen(
        lab_command(root, args.port, not args.no_browser, args.ip, ipc, start),
        env=env,
        start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    try:
        base = wait_until_serving(proc, env, START_TIMEOUT)
        url = f"{base}/lab/tree/{start}?token={token}"
        print(tr("The course is at {url}", lang=lang, url=url), flush=True)
        print(
            tr(
                "Open that link in your browser if none opened. Press Ctrl-C here to stop "
                "JupyterLab.",
                lang=lang,
            ),
            flush=True,
        )
        return proc.wait()
    except _Stopped:
        print(tr("Stopping JupyterLab and its kernels ...", lang=lang), flush=True)
        return 0
    finally:
        stop(proc)
