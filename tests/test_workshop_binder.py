"""What repo2docker (Binder, and the z2jh course image) reads from this repository agrees with
the package: one environment.yml that installs the course itself, and nothing that overrides it.

repo2docker's rules (repo2docker/buildpacks/conda/__init__.py): a `binder/` or `.binder/`
folder replaces the root's configuration files; a root Dockerfile or default.nix replaces
environment.yml; a local pip requirement (`-e .`) in environment.yml makes it copy the whole
repository before installing; the Python version is read only from a `python=X.Y` pin.
"""

from __future__ import annotations

import re

import yaml
from helpers import ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

# Every file repo2docker looks for at the root (its documentation's "Configuration files").
REPO2DOCKER_FILES = {
    "environment.yml",
    "Pipfile",
    "Pipfile.lock",
    "requirements.txt",
    "setup.py",
    "setup.cfg",
    "Project.toml",
    "REQUIRE",
    "install.R",
    "apt.txt",
    "DESCRIPTION",
    "manifest.xml",
    "postBuild",
    "start",
    "runtime.txt",
    "default.nix",
    "Dockerfile",
}
PYTHON_PIN = re.compile(r"python\s*=+\s*([\d.]*)")  # repo2docker's PYTHON_REGEX


def env() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def test_nothing_overrides_environment_yml():
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()
    present = {name for name in REPO2DOCKER_FILES if (ROOT / name).exists()}
    assert present <= {"environment.yml", "postBuild"}, f"repo2docker would also read {present}"
    post_build = ROOT / "postBuild"
    if post_build.exists():
        assert post_build.stat().st_mode & 0o111, "postBuild must be executable"


def test_environment_installs_the_course_with_lab_and_puller():
    deps = env()["dependencies"]
    names = {re.split(r"[<>=! ]", d, maxsplit=1)[0] for d in deps if isinstance(d, str)}
    assert {"jupyterlab", "nbgitpuller", "pip"} <= names
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert "-e ." in pip, "the course package is installed by pip from the repository"


def test_python_version_repo2docker_sees_meets_the_package_floor():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floor = tuple(int(x) for x in project["requires-python"].removeprefix(">=").split("."))
    pins = [PYTHON_PIN.match(d) for d in env()["dependencies"] if isinstance(d, str)]
    version = next((m.group(1) for m in pins if m), "")
    # Unpinned, repo2docker uses its default Python (3.10 in its 2024 releases).
    seen = tuple(int(x) for x in version.split(".")[:2]) if version else (3, 10)
    assert seen >= floor
