"""pyproject.toml is where dependencies are declared; environment.yml must agree with it."""

from __future__ import annotations

import re

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import yaml
from helpers import ROOT

# conda-forge names that differ from PyPI's
CONDA_NAMES = {"kubernetes-validate": "kubernetes-validate", "pyyaml": "pyyaml"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_deps() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {_name(r): r for r in project["dependencies"]}


def conda_env() -> tuple[dict[str, str], list[str]]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip += dep.get("pip", [])
        else:
            conda[_name(dep)] = dep
    return conda, pip


def test_environment_yml_matches_pyproject():
    deps = pyproject_deps()
    conda, pip = conda_env()
    conda.pop("python", None)
    conda.pop("pip", None)
    pip_names = {_name(p) for p in pip if not p.startswith("-e")}
    expected = {CONDA_NAMES.get(n, n) for n in deps}
    assert set(conda) | pip_names == expected, (
        f"only in pyproject: {sorted(expected - set(conda) - pip_names)}; "
        f"only in environment.yml: {sorted((set(conda) | pip_names) - expected)}"
    )


def test_environment_yml_installs_the_course_itself():
    _conda, pip = conda_env()
    assert "-e ." in pip


def test_python_pin_meets_the_floor():
    """environment.yml pins python=X.Y (repo2docker reads only that form) at or above the
    floor pyproject.toml declares."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floor = tuple(int(p) for p in project["requires-python"].removeprefix(">=").split("."))
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python=")]
    assert len(pins) == 1, "environment.yml needs exactly one python=X.Y line"
    version = tuple(int(p) for p in pins[0].removeprefix("python=").split("."))
    assert version >= floor
