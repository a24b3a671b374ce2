"""deploy/jupyterhub_config.py loaded as JupyterHub loads it: loopback by default, learners'
homes, limits, culling, and a clear refusal of incomplete settings."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from helpers import ROOT
from traitlets.config.loader import PyFileConfigLoader

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
        "MSA_HUB_PASSWORD": "learners-pass",
        "MSA_HUB_PROXY_COMMAND": "/bin/true",
    }
    for key, value in {**base, **env}.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    return PyFileConfigLoader("jupyterhub_config.py", path=str(DEPLOY)).load_config()


def test_defaults_are_a_loopback_hub_with_homes_limits_and_culling(monkeypatch, short_tmp):
    c = load(monkeypatch, short_tmp)
    for url in (c.JupyterHub.bind_url, c.JupyterHub.hub_bind_url, c.ConfigurableHTTPProxy.api_url):
        assert url.startswith("http://127.0.0.1:")
    assert c.Spawner.ip == "127.0.0.1"
    assert c.JupyterHub.spawner_class == "simple"
    assert c.SimpleLocalProcessSpawner.home_dir_template == str(short_tmp / "homes" / "{username}")
    assert c.JupyterHub.db_url == f"sqlite:///{short_tmp / 'state' / 'jupyterhub.sqlite'}"
    assert c.Spawner.cmd[0].endswith("/jupyterhub-singleuser")
    assert c.Spawner.mem_limit == "1G" and c.Spawner.cpu_limit == 1.0
    assert c.JupyterHub.active_server_limit == 40
    assert "--MappingKernelManager.cull_idle_timeout=3600" in c.Spawner.args
    assert "--ServerApp.shutdown_no_activity_timeout=3600" in c.Spawner.args
    assert c.SharedPasswordAuthenticator.user_password == "learners-pass"
    assert "services" not in c.JupyterHub  # no API token unless the instructor asks for one
    # kernels on Unix sockets in a per-learner folder (no TCP port races between servers)
    assert "--KernelManager.transport=ipc" in c.Spawner.args
    learner = type("Spawner", (), {"user": type("User", (), {"id": 7})})()
    runtime = c.Spawner.environment["JUPYTER_RUNTIME_DIR"](learner)
    assert runtime == str(short_tmp / "state" / "runtime" / "7")


def test_instructor_token_and_admins(monkeypatch, short_tmp):
    c = load(
        monkeypatch,
        short_tmp,
        MSA_HUB_API_TOKEN="t0ken",
        MSA_HUB_ADMINS="kim,lee",
        MSA_HUB_ADMIN_PASSWORD="a" * 32,
    )
    assert c.JupyterHub.services == [{"name": "instructor", "api_token": "t0ken"}]
    assert set(c.JupyterHub.load_roles[0]["scopes"]) == {
        "admin:users",
        "admin:servers",
        "access:servers",
    }
    assert c.Authenticator.admin_users == {"kim", "lee"}


def test_systemd_mode_enforces_limits_per_learner(monkeypatch, short_tmp):
    c = load(monkeypatch, short_tmp, MSA_HUB_SPAWNER="systemd")
    assert c.JupyterHub.spawner_class == "systemdspawner.SystemdSpawner"
    assert c.SystemdSpawner.dynamic_users is True


@pytest.mark.parametrize(
    "env, message",
    [
        ({"MSA_HUB_PASSWORD": None}, "set MSA_HUB_PASSWORD"),
        ({"MSA_HUB_ADMINS": "kim"}, "set MSA_HUB_ADMIN_PASSWORD"),
        ({"MSA_HUB_SPAWNER": "docker"}, "must be 'simple' or 'systemd'"),
        ({"MSA_HUB_STATE": "/tmp/" + "x" * 60}, "too long for kernel sockets"),
    ],
)
def test_incomplete_settings_are_refused_with_the_fix(monkeypatch, short_tmp, env, message):
    with pytest.raises(SystemExit, match=message):
        load(monkeypatch, short_tmp, **env)
