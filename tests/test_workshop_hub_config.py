"""deploy/jupyterhub_config.py loaded as JupyterHub loads it: loopback by default, a Unix account
per learner (isolated mode), names claimed by first login, limits, culling, folders hidden from
learners, and a clear refusal of incomplete settings. (tests/hub runs it on a real hub.)"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from helpers import ROOT
from traitlets.config.loader import PyFileConfigLoader

from msa_course.workshop import spawner
from msa_course.workshop.login import read_roster
from msa_course.workshop.spawner import LearnerSpawner

DEPLOY = ROOT / "deploy"


@pytest.fixture
def short_tmp():
    """A folder with a short path: kernel sockets in the hub's state need one."""
    path = Path(tempfile.mkdtemp(prefix="msa-"))
    yield path
    shutil.rmtree(path)


def load(monkeypatch, short_tmp, **env):
    base = {
        "MSA_HUB_STATE": str(short_tmp / "state"),
        "MSA_HUB_HOMES": str(short_tmp / "homes"),
        "MSA_HUB_RUNTIME": str(short_tmp / "run"),
        "MSA_HUB_PROXY_COMMAND": "/bin/true",
    }
    for key, value in {**base, **env}.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    return PyFileConfigLoader("jupyterhub_config.py", path=str(DEPLOY)).load_config()


@pytest.fixture
def as_root(monkeypatch):
    """The isolated mode's config as root on a machine that allows it loads it (the spawner
    itself runs in tests/hub)."""
    monkeypatch.setattr(spawner, "isolation_problem", lambda: None)


def test_defaults_are_an_isolated_loopback_hub_with_limits_and_culling(
    monkeypatch, short_tmp, as_root
):
    c = load(monkeypatch, short_tmp)
    for url in (c.JupyterHub.bind_url, c.JupyterHub.hub_bind_url, c.ConfigurableHTTPProxy.api_url):
        assert url.startswith("http://127.0.0.1:")
    assert c.Spawner.ip == "127.0.0.1"
    assert c.JupyterHub.spawner_class is LearnerSpawner
    assert c.LearnerSpawner.homes == str(short_tmp / "homes")
    assert c.LearnerSpawner.user_prefix == c.LearnerAuthenticator.account_prefix == "msa-"
    assert c.LearnerAuthenticator.homes == c.LearnerSpawner.homes  # accounts made when added
    # learners see neither this checkout (solutions, git history) nor the hub's state
    assert c.LearnerSpawner.private == [str(ROOT), str(short_tmp / "state")]
    assert c.LearnerSpawner.max_processes == 512
    assert c.JupyterHub.db_url == f"sqlite:///{short_tmp / 'state' / 'jupyterhub.sqlite'}"
    modes = {p: (short_tmp / p).stat().st_mode & 0o777 for p in ("state", "homes", "run")}
    assert modes == {"state": 0o700, "homes": 0o711, "run": 0o711}
    assert c.Spawner.cmd[1:] == ["-m", "msa_course.jupyter_app", "singleuser"]
    assert c.Spawner.environment["JUPYTER_CONFIG_PATH"] == str(ROOT / "msa_course" / "lab_config")
    assert c.Spawner.mem_limit == "1G" and c.Spawner.cpu_limit == 1.0
    assert c.JupyterHub.active_server_limit == 40
    assert "--MappingKernelManager.cull_idle_timeout=3600" in c.Spawner.args
    assert "--ServerApp.shutdown_no_activity_timeout=3600" in c.Spawner.args
    assert "--allow-root" not in c.Spawner.args
    assert c.JupyterHub.authenticator_class == "msa_course.workshop.login.LearnerAuthenticator"
    assert c.LearnerAuthenticator.dbm_path == str(short_tmp / "state" / "passwords.dbm")
    assert c.LearnerAuthenticator.min_password_length == 8
    assert c.Authenticator.allow_all is True  # no roster: any free name can be claimed
    # the progress page only: no API token unless the instructor asks for one
    assert [service["name"] for service in c.JupyterHub.services] == ["progress"]
    # kernels on Unix sockets (no TCP port races between servers)
    assert "--KernelManager.transport=ipc" in c.Spawner.args


def test_trusted_mode_runs_servers_as_the_hub_user(monkeypatch, short_tmp):
    c = load(monkeypatch, short_tmp, MSA_HUB_MODE="trusted")
    assert c.JupyterHub.spawner_class == "simple"
    assert c.SimpleLocalProcessSpawner.home_dir_template == str(short_tmp / "homes" / "{username}")
    learner = type("Spawner", (), {"user": type("User", (), {"id": 7})})()
    runtime = c.Spawner.environment["JUPYTER_RUNTIME_DIR"](learner)
    assert runtime == str(short_tmp / "run" / "7")


def test_a_roster_limits_who_may_claim_a_name(monkeypatch, short_tmp, as_root):
    roster = short_tmp / "roster.txt"
    roster.write_text("# room 101\nada\ngrace  # late\n\nlinus\n")
    c = load(monkeypatch, short_tmp, MSA_HUB_ROSTER=str(roster))
    assert c.Authenticator.allowed_users == {"ada", "grace", "linus"}
    assert "allow_all" not in c.Authenticator


def test_a_bad_roster_names_its_line(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("ada\nGrace Hopper\n")
    with pytest.raises(ValueError, match=r"line 2: 'Grace Hopper' is not a valid name"):
        read_roster(roster)
    roster.write_text("# nobody yet\n")
    with pytest.raises(ValueError, match="lists no learner"):
        read_roster(roster)


def test_private_folders_add_to_the_hidden_ones(monkeypatch, short_tmp, as_root):
    c = load(monkeypatch, short_tmp, MSA_HUB_PRIVATE="/srv/grades:/srv/submissions")
    assert c.LearnerSpawner.private[-2:] == ["/srv/grades", "/srv/submissions"]


def test_instructor_token_and_admins(monkeypatch, short_tmp, as_root):
    c = load(
        monkeypatch,
        short_tmp,
        MSA_HUB_API_TOKEN="t0ken",
        MSA_HUB_ADMINS="kim,lee",
        MSA_HUB_ADMIN_PASSWORD="instructor-pass",
    )
    assert c.JupyterHub.services[-1] == {"name": "instructor", "api_token": "t0ken"}
    assert set(c.JupyterHub.load_roles[0]["scopes"]) == {
        "admin:users",
        "admin:servers",
        "access:servers",
    }
    assert c.Authenticator.admin_users == {"kim", "lee"}
    assert c.LearnerAuthenticator.admin_password == "instructor-pass"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"MSA_HUB_ADMINS": "kim"}, "set MSA_HUB_ADMIN_PASSWORD"),
        ({"MSA_HUB_ADMINS": "kim", "MSA_HUB_ADMIN_PASSWORD": "short"}, "8 characters or more"),
        ({"MSA_HUB_MODE": "simple"}, "must be 'isolated' or 'trusted'"),
        ({"MSA_HUB_RUNTIME": "/tmp/" + "x" * 60}, "too long for kernel sockets"),
        ({"MSA_HUB_USER_PREFIX": "Msa "}, "MSA_HUB_USER_PREFIX must be 1 to 12"),
        ({"MSA_HUB_ROSTER": "/nonexistent/roster.txt"}, "MSA_HUB_ROSTER: .*No such file"),
    ],
)
def test_incomplete_settings_are_refused_with_the_fix(
    monkeypatch, short_tmp, as_root, env, message
):
    with pytest.raises(SystemExit, match=message):
        load(monkeypatch, short_tmp, **env)


@pytest.mark.parametrize(
    "euid, which, message",
    [
        (1000, "/usr/sbin/useradd", "needs the hub to run as root.*MSA_HUB_MODE=trusted"),
        (0, None, "useradd not found: install it"),
    ],
)
def test_the_isolated_mode_needs_root_and_useradd(monkeypatch, short_tmp, euid, which, message):
    monkeypatch.setattr(os, "geteuid", lambda: euid)
    monkeypatch.setattr(spawner.shutil, "which", lambda name: which)
    with pytest.raises(SystemExit, match=message):
        load(monkeypatch, short_tmp)


def test_the_progress_page_is_a_service_for_admins(monkeypatch, short_tmp, as_root):
    c = load(monkeypatch, short_tmp, MSA_HUB_PROGRESS_PORT="8123")
    (service,) = c.JupyterHub.services
    assert service["url"] == "http://127.0.0.1:8123" and service["oauth_no_confirm"]
    command = service["command"]
    assert command[1:5] == ["-m", "msa_course", "progress", "--hub-service"]
    assert command[command.index("--homes") + 1] == str(short_tmp / "homes")
    assert command[command.index("--exercises") + 1] == str(ROOT / "exercises")
    assert "--no-anonymous" not in command  # numbers, not names, on the projector
    assert command[command.index("--lang") + 1] == "en"
    (service,) = load(monkeypatch, short_tmp, MSA_HUB_PROGRESS_LANG="ko").JupyterHub.services
    assert service["command"][service["command"].index("--lang") + 1] == "ko"
    with pytest.raises(SystemExit, match="MSA_HUB_PROGRESS_LANG must be one of en, ko, got 'kr'"):
        load(monkeypatch, short_tmp, MSA_HUB_PROGRESS_LANG="kr")
    assert "access:services" not in str(c.JupyterHub.get("load_roles", ""))  # admins only
