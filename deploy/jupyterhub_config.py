"""JupyterHub for one workshop room (up to ~40 learners) on one server.

Run as root from the course's environment, which every learner's server then shares:

    jupyterhub -f deploy/jupyterhub_config.py

Settings come from environment variables (the end-to-end test and the load benchmark use the
same file with temporary directories). A learner's first login claims their name with a
password of their own (msa_course.workshop.login); they get a home, a server of their own and
the course environment.

MSA_HUB_MODE picks how servers run:
- "isolated" (default): msa_course.workshop.spawner.LearnerSpawner. Each learner is a Unix
  account of their own, created on first start; their server and kernels run as that account
  in a cgroup with memory, process and CPU limits, and see neither the instructor's checkout
  nor the hub's state. Needs root (no systemd).
- "trusted": SimpleLocalProcessSpawner. Every server runs as the hub's own OS user, with no
  isolation and no enforced limits. For one person on a laptop, or a room that trusts itself.
"""

import os
import re
import shutil
import sys
from pathlib import Path

from msa_course.i18n import LANGUAGES
from msa_course.lab import CONFIG_DIR
from msa_course.workshop.login import NAME_PATTERN, read_roster
from msa_course.workshop.spawner import isolation_problem

c = get_config()  # noqa: F821 -- injected by JupyterHub when it loads this file

env = os.environ.get


here = Path(__file__).resolve().parent
mode = env("MSA_HUB_MODE", "isolated")
if mode not in ("isolated", "trusted"):
    sys.exit(f"jupyterhub_config.py: MSA_HUB_MODE must be 'isolated' or 'trusted', got {mode!r}")
if mode == "isolated" and (problem := isolation_problem()):
    sys.exit(f"jupyterhub_config.py: {problem}")
state = Path(env("MSA_HUB_STATE", "/srv/msa-course/state"))
homes = Path(env("MSA_HUB_HOMES", "/srv/msa-course/homes"))
runtime = Path(env("MSA_HUB_RUNTIME", "/run/msa-course"))
# The hub's state is the hub's alone; homes and runtime folders can be entered, not listed
# (each learner's own folder inside is theirs alone).
for folder, folder_mode in ((state, 0o700), (homes, 0o711), (runtime, 0o711)):
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, folder_mode)
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

# State: database, cookie secret, passwords and pid files together in one directory.
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")

# Login: a learner's first login claims the name with their own password (8 characters or
# more); optionally only the names in a roster file (one per line) may be claimed.
# Instructors (admins) get their names claimed at start with MSA_HUB_ADMIN_PASSWORD.
c.JupyterHub.authenticator_class = "msa_course.workshop.login.LearnerAuthenticator"
c.LearnerAuthenticator.dbm_path = str(state / "passwords.dbm")
c.LearnerAuthenticator.min_password_length = 8
c.Authenticator.username_pattern = NAME_PATTERN
roster = env("MSA_HUB_ROSTER")
if roster:
    try:
        c.Authenticator.allowed_users = read_roster(Path(roster))
    except (OSError, ValueError) as err:
        sys.exit(f"jupyterhub_config.py: MSA_HUB_ROSTER: {err}")
else:
    c.Authenticator.allow_all = True
admins = {name for name in env("MSA_HUB_ADMINS", "").split(",") if name}
if admins:
    admin_password = env("MSA_HUB_ADMIN_PASSWORD", "")
    if len(admin_password) < 8:
        sys.exit(
            "jupyterhub_config.py: set MSA_HUB_ADMIN_PASSWORD (the instructors' password, "
            "8 characters or more): it claims their names when the hub starts"
        )
    c.LearnerAuthenticator.admin_password = admin_password
    c.Authenticator.admin_users = admins

# The room, live (msa-course progress): at /services/progress/, for admins only (the hub's
# login; learners lack the service's access scope). It reads the homes as the hub does and
# never runs learners' code; learners appear as numbers until the page is asked for names.
# MSA_HUB_PROGRESS_LANG=ko shows it in Korean (hints and titles from the Korean exercises).
c.JupyterHub.services = []
progress_lang = env("MSA_HUB_PROGRESS_LANG", "en")
if progress_lang not in LANGUAGES:
    sys.exit(
        f"jupyterhub_config.py: MSA_HUB_PROGRESS_LANG must be one of {', '.join(LANGUAGES)}, "
        f"got {progress_lang!r}"
    )
if (here.parent / "exercises").is_dir():
    c.JupyterHub.services.append(
        {
            "name": "progress",
            "url": f"http://127.0.0.1:{env('MSA_HUB_PROGRESS_PORT', '8002')}",
            "command": [sys.executable, "-m", "msa_course", "progress", "--hub-service"]
            + ["--homes", str(homes), "--exercises", str(here.parent / "exercises")]
            + ["--lang", progress_lang],
            "oauth_no_confirm": True,
        }
    )

# A token for the instructor's scripts (create learners, start/stop servers, collect).
token = env("MSA_HUB_API_TOKEN")
if token:
    c.JupyterHub.services.append({"name": "instructor", "api_token": token})
    c.JupyterHub.load_roles = [
        {
            "name": "instructor",
            "scopes": ["admin:users", "admin:servers", "access:servers"],
            "services": ["instructor"],
        }
    ]

# Learners' servers: the course environment (this interpreter's venv), installed once for all.
# jupyterhub-singleuser started through msa_course.jupyter_app (a second of CPU cheaper per
# server), reading the learner's Jupyter configuration (msa_course/lab_config: no grading UI,
# no news prompt), as `msa-course lab` does.
c.Spawner.cmd = [sys.executable, "-m", "msa_course.jupyter_app", "singleuser"]
c.Spawner.environment = {
    "PATH": f"{venv_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
    "JUPYTER_CONFIG_PATH": str(CONFIG_DIR),
}
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
# Kernel sockets go in a runtime folder per learner; a socket's path must fit in 107 bytes
# (sockaddr_un), which bounds the length of MSA_HUB_RUNTIME.
longest = f"{runtime}/9999999999/kernel-{'0' * 36}-ipc-10"
if len(longest.encode()) > 107:
    sys.exit(
        f"jupyterhub_config.py: MSA_HUB_RUNTIME is too long for kernel sockets ({longest!r} is "
        f"{len(longest.encode())} bytes, the limit is 107); choose a shorter folder"
    )

if mode == "isolated":
    from msa_course.workshop.spawner import LearnerSpawner, limits_in_force

    c.JupyterHub.spawner_class = LearnerSpawner
    c.LearnerSpawner.homes = str(homes)
    c.LearnerSpawner.runtime = str(runtime)
    prefix = env("MSA_HUB_USER_PREFIX", "msa-")
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,11}", prefix):
        sys.exit(
            "jupyterhub_config.py: MSA_HUB_USER_PREFIX must be 1 to 12 lowercase letters, "
            f"digits, - or _, starting with a letter (Unix names stay <= 32), got {prefix!r}"
        )
    c.LearnerSpawner.user_prefix = c.LearnerAuthenticator.account_prefix = prefix
    c.LearnerAuthenticator.homes = str(homes)
    # Hidden from learners: this checkout (solutions, git history; the course environment is
    # put back read-only), the hub's state, and any folder in MSA_HUB_PRIVATE (a:b:c), such
    # as where the instructor collects and grades.
    checkout = [str(here.parent)] if (here.parent / "msa_course").is_dir() else []
    extra = [folder for folder in env("MSA_HUB_PRIVATE", "").split(":") if folder]
    c.LearnerSpawner.private = [*checkout, str(state), *extra]
    c.LearnerSpawner.max_processes = int(env("MSA_HUB_MAX_PROCESSES", "512"))
    print(f"jupyterhub_config.py: {limits_in_force()}", file=sys.stderr)
else:
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(homes / "{username}")
    c.Spawner.environment["JUPYTER_RUNTIME_DIR"] = lambda spawner: f"{runtime}/{spawner.user.id}"
    if os.getuid() == 0:
        c.Spawner.args.append("--allow-root")
