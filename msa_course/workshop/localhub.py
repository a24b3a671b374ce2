"""A throwaway JupyterHub on 127.0.0.1, started from deploy/jupyterhub_config.py.

Used by the end-to-end tests and the load benchmark, so both exercise the configuration an
instructor runs, in its default isolated mode unless asked otherwise. All state lives in
temporary folders; learners' Unix accounts get a prefix of this hub's own, so hubs of other
checkouts on the machine never meet them. `stop()` ends the hub, the proxy, every learner's
server and kernel by process id, checks that none survived, and removes the accounts.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

from msa_course.lab import poll_while_running

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
CONFIG = DEPLOY / "jupyterhub_config.py"
PROXY = DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy"


class HubError(RuntimeError):
    """The hub, a learner's server or a kernel did not do what was asked."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def visible_tempdir(prefix: str) -> Path:
    """A new temporary folder that any account may pass through (not list), as /srv/msa-course
    is, outside /tmp, of which each learner's server has a private one (pytest's temporary
    folders are root's alone). The caller removes it."""
    base = "/run" if os.access("/run", os.W_OK) else None
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    folder.chmod(0o711)
    return folder


def install_proxy() -> Path:
    """Run deploy/install_proxy.sh (needs npm) and return the proxy's path."""
    subprocess.run(["sh", str(DEPLOY / "install_proxy.sh")], check=True)
    return PROXY


class LocalHub:
    """JupyterHub with the workshop config, its state in `root`, learners' homes in root/homes."""

    def __init__(
        self,
        root: Path,
        mode: str = "isolated",
        max_learners: int = 40,
        env: dict[str, str] | None = None,
    ):
        self.root = Path(root)
        self.mode = mode
        self.token = secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{free_port()}"
        self.max_learners = max_learners
        self.env = env or {}
        self.prefix = f"t{secrets.token_hex(3)}-"  # this hub's learners' Unix accounts
        self.passwords: dict[str, str] = {}
        self.proc: subprocess.Popen | None = None
        self.log_path = self.root / "hub.log"
        # State, kernels' runtime folders and homes in one short temporary folder (kernel
        # socket paths must stay short, see deploy/jupyterhub_config.py).
        self.base = visible_tempdir("msa-hub-")
        self.state, self.runtime, self.homes = (self.base / d for d in ("state", "run", "homes"))

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, timeout: float = 60) -> LocalHub:
        env = dict(
            os.environ,
            MSA_HUB_MODE=self.mode,
            MSA_HUB_STATE=str(self.state),
            MSA_HUB_HOMES=str(self.homes),
            MSA_HUB_RUNTIME=str(self.runtime),
            MSA_HUB_USER_PREFIX=self.prefix,
            MSA_HUB_BIND_URL=self.url,
            MSA_HUB_API_PORT=str(free_port()),
            MSA_HUB_PROXY_API_PORT=str(free_port()),
            MSA_HUB_PROGRESS_PORT=str(free_port()),
            MSA_HUB_API_TOKEN=self.token,
            MSA_HUB_PROXY_COMMAND=str(PROXY),
            MSA_HUB_MAX_LEARNERS=str(self.max_learners),
            **self.env,
        )
        self.root.mkdir(parents=True, exist_ok=True)
        hub = Path(sys.executable).parent / "jupyterhub"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [str(hub), "-f", str(CONFIG)],
                cwd=self.root,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if poll_while_running(self.proc, self._answers, timeout):
            return self
        if self.proc.returncode is not None:
            raise HubError(f"the hub exited with {self.proc.returncode}; see {self.log_path}")
        raise HubError(f"the hub did not answer within {timeout} s; see {self.log_path}")

    def _answers(self) -> bool | None:
        try:
            return requests.get(f"{self.url}/hub/api/", timeout=2).ok or None
        except requests.ConnectionError:
            return None

    def processes(self) -> list[psutil.Process]:
        """The hub and everything it started (proxy, servers, kernels)."""
        if self.proc is None or self.proc.poll() is not None:
            return []
        try:
            hub = psutil.Process(self.proc.pid)
            return [hub, *hub.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self, timeout: float = 30) -> list[int]:
        """SIGTERM the hub (it stops the proxy and servers), then SIGKILL by pid whatever of the
        recorded processes outlives `timeout`; remove the learners' accounts and the temporary
        folders. Returns the pids that had to be killed."""
        alive = []
        if self.proc is not None:
            started = self.processes()
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
            _, alive = psutil.wait_procs(started, timeout=timeout)
            for p in alive:
                try:
                    p.kill()
                except psutil.NoSuchProcess:
                    pass
            psutil.wait_procs(alive, timeout=5)
            self.proc.wait(timeout=5)
        self._remove_accounts()
        shutil.rmtree(self.base, ignore_errors=True)
        return [p.pid for p in alive]

    def _remove_accounts(self) -> None:
        for user in pwd.getpwall():
            if user.pw_name.startswith(self.prefix) and Path(user.pw_dir).parent == self.homes:
                _remove_account(user)

    def remove_user(self, name: str) -> None:
        """Delete learner `name` from the hub (which stops their server), their account and
        their home: a test's extra learner leaves the room as it found it."""
        self.api("DELETE", f"/users/{name}")
        if self.mode == "isolated":
            _remove_account(self.account(name))
        shutil.rmtree(self.homes / name, ignore_errors=True)

    def account(self, name: str) -> pwd.struct_passwd:
        """Learner `name`'s Unix account (isolated mode)."""
        return pwd.getpwnam(self.prefix + name)

    def copy_into_home(self, name: str, source: Path, target: str) -> None:
        """Copy the folder `source` to ~/`target` of `name` (whose server has started), owned
        by the learner as if they had made it."""
        user = self.account(name) if self.mode == "isolated" else None
        shutil.copytree(source, self.homes / name / target)
        if user:
            for path in [self.homes / name / target, *(self.homes / name / target).rglob("*")]:
                os.lchown(path, user.pw_uid, user.pw_gid)

    def __enter__(self) -> LocalHub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- the hub's REST API, as the instructor service -------------------------------------
    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        r = requests.request(
            method, f"{self.url}/hub/api{path}", headers=headers, timeout=60, **kwargs
        )
        if r.status_code >= 400:
            raise HubError(f"{method} /hub/api{path}: {r.status_code} {r.text[:300]}")
        return r

    def add_users(self, names: list[str]) -> None:
        self.api("POST", "/users", json={"usernames": names})

    def spawn(self, name: str, timeout: float = 180) -> float:
        """Start `name`'s server and wait until it answers; returns the seconds it took."""
        t0 = time.monotonic()
        self.api("POST", f"/users/{name}/server")
        while time.monotonic() - t0 < timeout:
            server = self.api("GET", f"/users/{name}").json()["servers"].get("")
            if server and server.get("ready"):
                return time.monotonic() - t0
            time.sleep(0.25)
        raise HubError(f"{name}'s server was not ready within {timeout} s; see {self.log_path}")

    def server_process(self, name: str) -> psutil.Process:
        """`name`'s single-user server process (found by its JUPYTERHUB_USER)."""
        for p in self.processes()[1:]:
            try:
                command = " ".join(p.cmdline())
                if ("jupyterhub-singleuser" in command or "jupyter_app singleuser" in command) and (
                    p.environ().get("JUPYTERHUB_USER") == name
                ):
                    return p
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        raise HubError(f"no server process for {name}")

    def kernel_process(self, name: str, kernel: Kernel) -> psutil.Process:
        """The process of `kernel`, one of `name`'s kernels."""
        for p in self.server_process(name).children(recursive=True):
            try:
                if any(f"kernel-{kernel.id}" in arg for arg in p.cmdline()):
                    return p
            except psutil.NoSuchProcess:
                continue
        raise HubError(f"no process for {name}'s kernel {kernel.id}")

    def cgroup(self, name: str, hierarchy: str) -> Path | None:
        """The cgroup folder of `name`'s server in a v1 hierarchy (memory, pids, cpu), if any."""
        for line in Path(f"/proc/{self.server_process(name).pid}/cgroup").read_text().split():
            _, controllers, path = line.split(":", 2)
            if hierarchy in controllers.split(",") and path != "/":
                return Path("/sys/fs/cgroup", hierarchy, path.lstrip("/"))
        return None

    def memory(self, name: str) -> dict[str, int]:
        """Bytes used by `name`'s server and its kernels: rss and uss (unique to them)."""
        server = self.server_process(name)
        rss = uss = 0
        for p in [server, *server.children(recursive=True)]:
            try:
                info = p.memory_full_info()
            except psutil.NoSuchProcess:
                continue
            rss += info.rss
            uss += info.uss
        return {"rss": rss, "uss": uss}

    # -- a learner in a browser ------------------------------------------------------------
    def login(self, name: str, password: str | None = None) -> requests.Session:
        """Log in through the login form, as a browser does; returns the learner's session.
        The first login claims `name` with `password` (by default one made up for `name`)."""
        password = password or self.passwords.setdefault(name, secrets.token_urlsafe(12))
        s = requests.Session()
        page = s.get(f"{self.url}/hub/login", timeout=30)
        match = re.search(r'name="_xsrf"\s+value="([^"]+)"', page.text)
        if not match:
            raise HubError("the login page has no _xsrf field")
        r = s.post(
            f"{self.url}/hub/login",
            data={"_xsrf": match.group(1), "username": name, "password": password},
            allow_redirects=False,
            timeout=30,
        )
        if r.status_code != 302:
            why = re.search(r'class="login_error">\s*([^<]*?)\s*<', r.text)
            raise HubError(f"login as {name} failed: {r.status_code} {why and why.group(1)}")
        return s

    def pull(self, session: requests.Session, name: str, link: str, timeout: float = 120) -> None:
        """Follow an nbgitpuller link as `name`, then run the pull its page's JavaScript runs."""
        page = session.get(link, timeout=60)
        if page.status_code != 200 or "/git-pull" not in page.url:
            raise HubError(f"the link led {name} to {page.status_code} {page.url}")
        query = page.url.split("?", 1)[1]
        xsrf = session.cookies.get("_xsrf", path=f"/user/{name}/")
        r = session.get(
            f"{self.url}/user/{name}/git-pull/api?{query}",
            headers={"X-XSRFToken": xsrf or ""},
            stream=True,
            timeout=timeout,
        )
        events = []
        for line in r.iter_lines(decode_unicode=True):
            if line.startswith("data:"):
                events.append(json.loads(line[5:]))
                if events[-1].get("phase") in ("finished", "error"):
                    break
        r.close()
        if not events or events[-1].get("phase") != "finished":
            raise HubError(f"nbgitpuller failed for {name}: {events[-3:]}")

    def contents(self, name: str, path: str) -> dict:
        url = f"/user/{name}/api/contents/{path}"
        r = requests.get(
            self.url + url, headers={"Authorization": f"token {self.token}"}, timeout=60
        )
        if not r.ok:
            raise HubError(f"GET {url}: {r.status_code}")
        return r.json()["content"]

    def save(self, name: str, path: str, notebook: dict) -> None:
        url = f"/user/{name}/api/contents/{path}"
        r = requests.put(
            self.url + url,
            headers={"Authorization": f"token {self.token}"},
            json={"type": "notebook", "format": "json", "content": notebook},
            timeout=60,
        )
        if not r.ok:
            raise HubError(f"PUT {url}: {r.status_code} {r.text[:200]}")

    def kernel(self, name: str, cwd: str = "", timeout: float = 120) -> Kernel:
        """A new python3 kernel on `name`'s server, its working folder `cwd` (home-relative);
        `timeout` bounds each wait for a message, the kernel's start-up included."""
        r = requests.post(
            f"{self.url}/user/{name}/api/kernels",
            headers={"Authorization": f"token {self.token}"},
            json={"name": "python3", "path": cwd},
            timeout=60,
        )
        if not r.ok:
            raise HubError(f"starting a kernel for {name}: {r.status_code} {r.text[:200]}")
        ws_url = self.url.replace("http", "ws", 1)
        return Kernel(
            f"{ws_url}/user/{name}/api/kernels/{r.json()['id']}/channels", self.token, timeout
        )


@dataclass
class CellResult:
    outputs: list[dict] = field(default_factory=list)
    error: str | None = None


class Kernel:
    """A kernel driven over its websocket, as JupyterLab drives it."""

    def __init__(self, url: str, token: str, timeout: float = 120):
        import websocket

        self.timeout = timeout
        self.ws = websocket.create_connection(
            url, header=[f"Authorization: token {token}"], timeout=timeout
        )
        self.id = url.rstrip("/").split("/")[-2]  # .../api/kernels/<id>/channels
        self.session = uuid.uuid4().hex
        self.first_output: float | None = None  # time.monotonic() of the first output

    def execute(self, code: str) -> CellResult:
        msg_id = uuid.uuid4().hex
        self.ws.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "session": self.session,
                        "username": "learner",
                        "version": "5.3",
                        "date": "",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": True,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        result = CellResult()
        deadline = time.monotonic() + self.timeout
        idle = False
        while not idle:
            if time.monotonic() > deadline:
                raise HubError(f"a cell ran longer than {self.timeout} s")
            msg = json.loads(self.ws.recv())
            kind = msg["header"]["msg_type"]
            state = msg.get("content", {}).get("execution_state")
            if kind == "status" and state in ("restarting", "dead"):  # e.g. killed for memory
                result.error = f"the kernel died ({state})"
                return result
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if kind in ("stream", "display_data", "execute_result"):
                if self.first_output is None:
                    self.first_output = time.monotonic()
                result.outputs.append(msg["content"])
            elif kind == "error":
                result.error = f"{msg['content']['ename']}: {msg['content']['evalue']}"
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        return result

    def run_notebook(self, notebook: dict) -> list[CellResult]:
        """Run the notebook's code cells in order; raises HubError at the first failing cell."""
        results = []
        for index, cell in enumerate(notebook["cells"]):
            if cell["cell_type"] != "code":
                continue
            source = cell["source"]
            result = self.execute(source if isinstance(source, str) else "".join(source))
            if result.error:
                raise HubError(f"cell {index} failed: {result.error}")
            results.append(result)
        return results

    def close(self) -> None:
        self.ws.close()


def _remove_account(user: pwd.struct_passwd) -> None:
    """End every process of a learner's account, then delete the account."""
    from msa_course.isolation.processes import kill_uid

    kill_uid(user.pw_uid)
    subprocess.run(["userdel", user.pw_name], check=True, capture_output=True)
