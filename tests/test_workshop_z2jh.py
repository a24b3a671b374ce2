"""deploy/z2jh/config.yaml as Helm sees it: merged over the chart's values.yaml and checked
against values.schema.yaml; its sizes agree with the load benchmark and the one-machine kit."""

from __future__ import annotations

import copy
import json
import math
import re

import pytest
import yaml
from helpers import ROOT

from msa_course.workshop.link import DEFAULT_TARGET

Z2JH = ROOT / "deploy" / "z2jh" / "chart"  # the chart's values.yaml and schema, vendored
CONFIG = ROOT / "deploy" / "z2jh" / "config.yaml"
FIGURES = ROOT / "deploy" / "load_figures.json"


def merge(base, override):
    """Helm's merge of user values over chart defaults: maps merge, everything else replaces."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(override)


def errors(config: dict) -> list[str]:
    import jsonschema

    schema = yaml.safe_load((Z2JH / "values.schema.yaml").read_text())
    values = merge(yaml.safe_load((Z2JH / "values.yaml").read_text()), config)
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'.'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(values)]


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load(CONFIG.read_text())


def test_merge_is_helms():
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    assert merge(base, {"a": {"c": [3]}}) == {"a": {"b": 1, "c": [3]}, "d": 1}


def test_config_validates_against_the_chart_schema(config):
    assert errors(config) == []


@pytest.mark.parametrize(
    "path, typo",
    [
        ("singleuser.memory", "memroy"),
        ("singleuser.memory.guarantee", "guarentee"),
        ("singleuser.defaultUrl", "defaultURL"),
        ("singleuser.lifecycleHooks", "lifeCycleHooks"),
        ("cull.timeout", "timout"),
        ("scheduling.userPlaceholder.replicas", "replica"),
        ("prePuller", "prepuller"),
    ],
)
def test_a_mistyped_key_fails(config, path, typo):
    broken = copy.deepcopy(config)
    *parents, key = path.split(".")
    node = broken
    for part in parents:
        node = node[part]
    node[typo] = node.pop(key)
    assert errors(broken), f"{path} misspelt as {typo} passed the schema"


def test_hub_config_names_real_traits(config):
    """hub.config is free-form for the schema; check its class and trait names with JupyterHub."""
    from jupyterhub.app import JupyterHub
    from jupyterhub.auth import Authenticator

    classes = {"JupyterHub": JupyterHub, "Authenticator": Authenticator}
    for cls_name, traits in config["hub"]["config"].items():
        assert cls_name in classes, f"hub.config.{cls_name}: not a class this test knows"
        for trait in traits:
            assert classes[cls_name].class_traits(config=True).get(trait), (
                f"hub.config.{cls_name}.{trait} is not a configurable trait"
            )


def _mib(quantity: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([KMGT]i?)?", str(quantity)).groups()
    scale = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 1e3, "M": 1e6, "G": 1e9, None: 1}
    return float(number) * scale[unit] / 2**20


def test_memory_guarantee_is_the_measured_memory_per_learner(config):
    figures = json.loads(FIGURES.read_text())
    measured = figures["rss_mib_per_learner"]["max"]
    assert figures["learners"] >= 30
    assert _mib(config["singleuser"]["memory"]["guarantee"]) == math.ceil(measured / 64) * 64


def test_memory_limit_matches_the_one_machine_kit(config):
    kit = (ROOT / "deploy" / "jupyterhub_config.py").read_text()
    default = re.search(r'env\("MSA_HUB_MEM_LIMIT", "([^"]+)"\)', kit).group(1)
    assert str(config["singleuser"]["memory"]["limit"]) == default


def test_servers_pull_the_course_and_open_chapter_00(config):
    command = config["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[0] == "gitpuller" and command[2:] == ["main", DEFAULT_TARGET]
    url = config["singleuser"]["defaultUrl"]
    assert url.startswith(f"/lab/tree/{DEFAULT_TARGET}/")
    assert (ROOT / url.removeprefix(f"/lab/tree/{DEFAULT_TARGET}/")).is_file()


def test_the_korean_default_url_the_file_documents_opens_the_korean_chapter_00():
    """config.yaml's comment gives a Korean class its defaultUrl: it must name the Korean
    edition of chapter 00 where nbgitpuller puts the course, and that notebook must exist."""
    (url,) = re.findall(r"#\s+defaultUrl: (\S+)", CONFIG.read_text())
    assert url == f"/lab/tree/{DEFAULT_TARGET}/course/ko/00_welcome.ipynb"
    notebook = json.loads((ROOT / url.removeprefix(f"/lab/tree/{DEFAULT_TARGET}/")).read_text())
    assert notebook["metadata"]["msa_course"]["lang"] == "ko"
