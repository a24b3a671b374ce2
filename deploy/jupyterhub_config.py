"""JupyterHub for one workshop room (up to ~40 learners) on one server.

Run from the course's environment, which every learner's server then shares:

    MSA_HUB_PASSWORD=... jupyterhub -f deploy/jupyterhub_config.py

Settings come from environment variables (the end-to-end test and the load benchmark use the
same file with temporary directories). Learners log in with any name and the shared
password; each gets a home folder, a server of their own and the course environment.

MSA_HUB_SPAWNER picks how servers run:
- "simple" (default): SimpleLocalProcessSpawner. Every server runs as the hub's OS user, so
  learners are not isolated from each other and the memory/CPU limits are only advertised to
  the server (MEM_LIMIT/CPU_LIMIT), not enforced. Fine for a trusted room or a laptop.
- "systemd": SystemdSpawner (`pip install jupyterhub-systemdspawner`, hub runs as root on a
  systemd host): each learner gets a dynamic Unix user, a private /tmp and cgroup-enforced
  memory and CPU limits. This is what The Littlest JupyterHub uses.
"""

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 -- injected by JupyterHub when it loads this file

env = os.environ.get


def _required(name: str, why: str) -> str:
    value = env(name, "")
    if not value:
        sys.exit(f"jupyterhub_config.py: set {name} ({why})")
    return value


here = Path(__file__).resolve().parent
state = Path(env("MSA_HUB_STATE", "/srv/msa-course/state"))
homes = Path(env("MSA_HUB_HOMES", "/srv/msa-course/homes"))
state.mkdir(parents=True, exist_ok=True)
homes.mkdir(parents=True, exist_ok=True)
venv_bin = Path(sys.executable).parent

# Network: the public URL learners open, and two internal ports, all loopback by default.
# For a room, set MSA_HUB_BIND_URL=http://0.0.0.0:8000 (or put a TLS reverse proxy in front).
c.JupyterHub.bind_url = env("MSA_HUB_BIND_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{env('MSA_HUB_API_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('MSA_HUB_PROXY_API_PORT', '8001')}"
proxy = env("MSA_HUB_PROXY_COMMAND") or shutil.which(
    "configurable-http-proxy", path=f"{here / 'node_modules' / '.bin'}:{os.environ['PATH']}"
)
if not proxy:
    sys.exit("jupyterhub_config.py: configurable-http-proxy not found; run deploy/install_proxy.sh")
c.ConfigurableHTTPProxy.command = [proxy]

# State: database, cookie secret and pid files together in one directory.
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")

# Login: any learner name with the shared password; instructors (admins) need their own.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = _required(
    "MSA_HUB_PASSWORD", "the learners' shared password, 8 characters or more"
)
admins = {name for name in env("MSA_HUB_ADMINS", "").split(",") if name}
if admins:
    c.SharedPasswordAuthenticator.admin_password = _required(
        "MSA_HUB_ADMIN_PASSWORD", "the instructors' password, 32 characters or more"
    )
    c.Authenticator.admin_users = admins
c.Authenticator.allow_all = True

# A token for the instructor's scripts (create learners, start/stop servers, collect).
token = env("MSA_HUB_API_TOKEN")
if token:
    c.JupyterHub.services = [{"name": "instructor", "api_token": token}]
    c.JupyterHub.load_roles = [
        {
            "name": "instructor",
            "scopes": ["admin:users", "admin:servers", "access:servers"],
            "services": ["instructor"],
        }
    ]

# Learners' servers: the course environment (this interpreter's venv), installed once for all.
c.Spawner.cmd = [str(venv_bin / "jupyterhub-singleuser")]
c.Spawner.environment = {"PATH": f"{venv_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = env("MSA_HUB_DEFAULT_URL", "/lab")
# A 2-core server starting 30 servers at once needs more than the 60 s/30 s defaults.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
# Per learner: the load benchmark measured ~0.25 GiB (server + kernel after chapter 00,
# deploy/load_figures.json); the limit leaves room for exercises. z2jh/config.yaml agrees.
c.Spawner.mem_limit = env("MSA_HUB_MEM_LIMIT", "1G")
c.Spawner.cpu_limit = float(env("MSA_HUB_CPU_LIMIT", "1"))
c.JupyterHub.active_server_limit = int(env("MSA_HUB_MAX_LEARNERS", "40"))

# Idle culling, done by each learner's own server (no extra service to run): idle kernels are
# shut down after MSA_HUB_IDLE_TIMEOUT seconds, then the server stops itself; the learner's
# files stay in their home and the next login starts a fresh server.
idle = int(env("MSA_HUB_IDLE_TIMEOUT", "3600"))
c.Spawner.args = [
    # Kernels talk to their server over Unix sockets, not TCP ports: when a room starts 30
    # kernels at once, ports picked by one server get taken by another before its kernel
    # binds them ("ZMQError: Address already in use"; seen in benchmarks/bench_hub_load.py).
    "--KernelManager.transport=ipc",
    f"--MappingKernelManager.cull_idle_timeout={idle}",
    "--MappingKernelManager.cull_interval=300",
    "--MappingKernelManager.cull_connected=True",
    f"--ServerApp.shutdown_no_activity_timeout={idle}",
]

spawner = env("MSA_HUB_SPAWNER", "simple")
if spawner == "simple":
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(homes / "{username}")
    # Kernel sockets go in a per-learner runtime folder in the hub's state; a socket's path
    # must fit in 107 bytes (sockaddr_un), which bounds the length of MSA_HUB_STATE.
    runtime = state / "runtime"
    longest = f"{runtime}/999999/kernel-{'0' * 36}-ipc-10"
    if len(longest.encode()) > 107:
        sys.exit(
            f"jupyterhub_config.py: MSA_HUB_STATE is too long for kernel sockets ({longest!r} "
            f"is {len(longest.encode())} bytes, the limit is 107); choose a shorter folder"
        )
    c.Spawner.environment["JUPYTER_RUNTIME_DIR"] = lambda spawner: f"{runtime}/{spawner.user.id}"
    if os.getuid() == 0:
        c.Spawner.args.append("--allow-root")
elif spawner == "systemd":
    c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
    c.SystemdSpawner.dynamic_users = True
    c.SystemdSpawner.isolate_tmp = True
    c.SystemdSpawner.isolate_devices = True
    c.Spawner.environment["JUPYTER_RUNTIME_DIR"] = "/tmp/jupyter-runtime"  # a private /tmp
else:
    sys.exit(
        f"jupyterhub_config.py: MSA_HUB_SPAWNER must be 'simple' or 'systemd', got {spawner!r}"
    )
