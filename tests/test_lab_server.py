"""The Quickstart's start command tells the truth: with the default port taken it serves the
course at the URL it prints (token included, chapter 00 open), shows a learner no grading UI
and no warnings they cannot act on, and stopping it stops JupyterLab and its kernels."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from hashlib import sha256
from pathlib import Path

import psutil
import pytest
from helpers import LEARNER_PYTHON, ROOT

from msa_course.lab import poll_while_running
from msa_course.ui import bundle_server

URL = re.compile(r"http://127\.0\.0\.1:(\d+)/lab/tree/course/00_welcome\.ipynb\?token=(\S+)")


class Lab:
    """`msa-course lab --no-browser` as a learner runs it (in the learner's environment when
    MSA_LEARNER_ENV names it), with Jupyter's folders in tmp."""

    def __init__(self, tmp_path, *args: str, env: dict[str, str] | None = None):
        # Short, so kernels' Unix socket paths fit (msa_course.lab.ipc_fits)
        self.runtime = Path(tempfile.mkdtemp(prefix="msa-rt-"))
        environ = dict(os.environ, **(env or {}))
        environ.pop("JUPYTER_TOKEN", None)  # the command makes its own
        for var, sub in [
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_DATA_DIR", "data"),
            ("IPYTHONDIR", "ipython"),
        ]:
            environ[var] = str(tmp_path / sub)
        environ["JUPYTER_RUNTIME_DIR"] = str(self.runtime)
        self.output = tmp_path / "output.txt"
        with open(self.output, "wb") as out:
            self.proc = subprocess.Popen(
                [LEARNER_PYTHON, "-m", "msa_course", "lab", "--no-browser", *args],
                cwd=ROOT,
                env=environ,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def printed_url(self, url: re.Pattern = URL, timeout: float = 90) -> tuple[str, str]:
        """(base URL, token) from the line the command prints once the server answers: the
        first match of `url` (port and token its groups)."""
        match = poll_while_running(self.proc, lambda: url.search(self.text()), timeout)
        if match:
            return f"http://127.0.0.1:{match.group(1)}", match.group(2)
        if self.proc.returncode is not None:
            pytest.fail(f"msa-course lab exited {self.proc.returncode}: {self.text()[-2000:]}")
        pytest.fail(f"msa-course lab printed no URL within {timeout} s: {self.text()[-2000:]}")

    def server(self) -> psutil.Process:
        (record,) = self.runtime.glob("jpserver-*.json")
        return psutil.Process(json.loads(record.read_text())["pid"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        shutil.rmtree(self.runtime, ignore_errors=True)


@pytest.fixture
def busy_port():
    """A port with a listener on it, standing in for someone else's server on 8888."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def get(url: str, token: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def autosave_interval(base: str, token: str) -> float:
    """The seconds between JupyterLab's automatic saves, as the server gives them to the page:
    the learner's own setting, else the schema's default (with the overrides applied)."""
    plugin = "@jupyterlab/docmanager-extension:plugin"
    settings = json.loads(get(f"{base}/lab/api/settings/{plugin}", token))
    default = settings["schema"]["properties"]["autosaveInterval"]["default"]
    return settings["settings"].get("autosaveInterval", default)


def start_kernel(base: str, token: str) -> None:
    request = urllib.request.Request(
        f"{base}/api/kernels",
        data=json.dumps({"name": "python3"}).encode(),
        headers={"Authorization": f"token {token}"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=60).close()


def wait_for_kernel_process(server: psutil.Process, timeout: float = 60) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kernels = [
            p for p in server.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())
        ]
        if kernels:
            return kernels
        time.sleep(0.2)
    pytest.fail("the kernel process did not appear")


def kernel_environment(server: psutil.Process, timeout: float = 60) -> dict[str, str]:
    """The environment of the server's running kernel (a process that has exited may still
    be listed for a moment, as a zombie)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in wait_for_kernel_process(server, timeout):
            try:
                return process.environ()
            except (psutil.ZombieProcess, psutil.NoSuchProcess):
                continue
        time.sleep(0.2)
    pytest.fail("no running kernel to read the environment of")


def test_serves_the_course_at_the_url_it_prints_when_the_default_port_is_taken(tmp_path, busy_port):
    # JUPYTER_PORT moves JupyterLab's default (8888) onto the busy port, as a second server on
    # 8888 would; the printed URL must be where the course really is.
    lab = Lab(tmp_path, env={"JUPYTER_PORT": str(busy_port)})
    try:
        base, token = lab.printed_url()
        assert not base.endswith(f":{busy_port}")
        status = json.loads(get(f"{base}/api/status", token))
        assert "started" in status
        model = json.loads(get(f"{base}/api/contents/course/00_welcome.ipynb?content=1", token))
        assert model["content"]["cells"][0]["source"].startswith("# 00 Welcome")
        page = get(f"{base}/lab/tree/course/00_welcome.ipynb?token={token}", token).decode()
        config = json.loads(
            re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S).group(1)
        )
        assert config["treePath"] == "course/00_welcome.ipynb"

        # No grading UI, even where nbgrader is installed (as in the developer's environment):
        # its JupyterLab extensions are disabled and its server extensions not loaded.
        disabled = set(config["disabledExtensions"])
        grading = {e["name"] for e in config["federated_extensions"] if "nbgrader" in e["name"]}
        assert grading <= disabled
        with pytest.raises(urllib.error.HTTPError, match="404"):
            get(f"{base}/formgrader", token)
        # No news or update prompt over the chapter.
        assert "@jupyterlab/apputils-extension:announcements" in disabled
        assert config["news"] == {"disabled": True}

        # Notebooks are saved every 30 s, not JupyterLab's 120 s, so the instructor's progress
        # page (which reads saved notebooks) is at most half a minute behind.
        assert autosave_interval(base, token) == 30

        # Starting a kernel prints nothing a learner cannot act on (no TCP-transport warning).
        start_kernel(base, token)

        # The server serves plotly's widget bundle, to the learner only, at a URL naming its
        # digest, and tells its kernels where (msa_course.ui.bundle_server).
        route = kernel_environment(lab.server())[bundle_server.URL_ENV]
        bundle = get(f"{base}{route}", token)
        assert route == f"/msa-course/plotly-widget-{sha256(bundle).hexdigest()[:16]}.js"
        assert len(bundle) > 1_000_000 and b"export" in bundle
        with urllib.request.urlopen(f"{base}{route}", timeout=30) as anonymous:
            assert "/login" in anonymous.url
        time.sleep(2)  # the kernel's own start-up messages
        printed = lab.text()
        assert printed.count("\n") == 3, printed
        assert "WARN" not in printed and "[C " not in printed and "[E " not in printed
    finally:
        lab.stop()


def test_a_port_asked_for_but_taken_is_refused_with_its_fix(tmp_path, busy_port):
    lab = Lab(tmp_path, "--port", str(busy_port))
    assert lab.proc.wait(timeout=60) == 1
    assert f"port {busy_port} is in use" in lab.text() and "--port" in lab.text()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_command_stops_jupyterlab_and_its_kernels(tmp_path, signum):
    lab = Lab(tmp_path)
    try:
        base, token = lab.printed_url()
        server = lab.server()
        start_kernel(base, token)
        started = [server, *wait_for_kernel_process(server)]
        os.kill(lab.proc.pid, signum)  # the command alone, as Ctrl-C or a service manager does
        assert lab.proc.wait(timeout=60) == 0
        _gone, alive = psutil.wait_procs(started, timeout=30)
        assert not alive, f"still running after the command stopped: {alive}"
    finally:
        lab.stop()


def test_a_korean_locale_opens_the_korean_chapter_and_speaks_korean(tmp_path):
    """Without --lang the locale chooses: ko_KR opens course/ko/00_welcome.ipynb."""
    lab = Lab(tmp_path, env={"LANG": "ko_KR.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""})
    korean = re.compile(
        r"http://127\.0\.0\.1:(\d+)/lab/tree/course/ko/00_welcome\.ipynb\?token=(\S+)"
    )
    try:
        base, token = lab.printed_url(korean)
        assert "JupyterLab을 시작한다" in lab.text() and "브라우저" in lab.text()
        path = "course/ko/00_welcome.ipynb"
        model = json.loads(get(f"{base}/api/contents/{path}?content=1", token))
        assert model["content"]["cells"][0]["source"].startswith("# 00 시작하기")
    finally:
        lab.stop()
