"""pyproject.toml is where dependencies are declared; environment.yml must agree with it; and
the learner's environment (`pip install .`, `make lab`) holds no test, grading or server tools."""

from __future__ import annotations

import re
from importlib import metadata

import pytest
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import yaml
from helpers import LEARNER_ENV, ROOT

# conda-forge names that differ from PyPI's
CONDA_NAMES = {"kubernetes-validate": "kubernetes-validate", "pyyaml": "pyyaml"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


# environment.yml also builds the Binder and Zero to JupyterHub image (deploy/z2jh), where each
# learner's server needs these two from the workshop extra; they add no UI to JupyterLab.
HUB_LEARNER = {"jupyterhub", "nbgitpuller"}
# What the issue found in a learner's JupyterLab, and the workshop server's tools.
NOT_FOR_LEARNERS = {
    "nbgrader",
    "playwright",
    "pytest",
    "ruff",
    "hypothesis",
    "notebook",
    "jupyterhub",
    "nbgitpuller",
}


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pyproject_deps() -> dict[str, str]:
    return {_name(r): r for r in project()["dependencies"]}


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
    workshop = {_name(r) for r in project()["optional-dependencies"]["workshop"]}
    assert HUB_LEARNER <= workshop
    expected = {CONDA_NAMES.get(n, n) for n in [*deps, *HUB_LEARNER]}
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


def closure(requirements: list[str]) -> set[str]:
    """Every distribution installing `requirements` brings in, resolved against what is
    installed here (the developer's environment holds all of them)."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    todo: list[tuple[Requirement, tuple[str, ...]]] = [(Requirement(r), ()) for r in requirements]
    while todo:
        req, wanted = todo.pop()
        envs = [{"extra": e} for e in wanted] or [{"extra": ""}]
        if req.marker and not any(req.marker.evaluate(e) for e in envs):
            continue
        key = (req.name.lower().replace("_", "-"), tuple(sorted(req.extras)))
        if key in seen:
            continue
        seen.add(key)
        try:
            dist_requires = metadata.requires(req.name) or []
        except metadata.PackageNotFoundError:
            continue  # not installed here, so it brings in nothing we could see
        todo += [(Requirement(r), tuple(req.extras)) for r in dist_requires]
    return {name for name, _extras in seen}


def test_the_learners_environment_holds_no_test_grading_or_server_tools():
    runtime = closure(project()["dependencies"])
    assert {"jupyterlab", "ipywidgets", "plotly"} <= runtime  # the walk sees the real graph
    assert not runtime & NOT_FOR_LEARNERS, (
        f"`pip install .` would bring {runtime & NOT_FOR_LEARNERS}"
    )


@pytest.mark.parametrize("extra", ["workshop", "test"])
def test_the_extras_bring_their_tools(extra):
    brought = closure([f"msa-course[{extra}]"])
    assert {"jupyterhub", "nbgitpuller"} <= brought
    if extra == "test":
        assert {"pytest", "nbgrader", "playwright", "ruff", "hypothesis"} <= brought


def test_the_learners_environment_as_built_holds_none_of_them():
    """The environment `make lab` built (.ci/run builds one from a clean clone)."""
    if LEARNER_ENV is None:
        pytest.skip("set MSA_LEARNER_ENV to a learner's environment (.ci/run does)")
    (site,) = LEARNER_ENV.glob("lib/python3*/site-packages")
    installed = {_name(d.metadata["Name"]) for d in metadata.distributions(path=[str(site)])}
    assert {"msa-course", "jupyterlab"} <= installed
    assert not installed & NOT_FOR_LEARNERS
