"""Model modules know nothing of Jupyter, and `import msa_course` stays light.

Checked in a fresh interpreter, module by module: after importing each model module, none of
the view libraries may be loaded.
"""

from __future__ import annotations

import json
import subprocess

from helpers import PYTHON, ROOT

VIEW_LIBRARIES = ("plotly", "ipywidgets", "IPython")
HEAVY_AT_IMPORT = (*VIEW_LIBRARIES, "jsonschema", "kubernetes_validate", "nbformat", "yaml")
VIEW_MODULES = {"charts", "widgets"}
VIEW_SUFFIXES = ("_explorer", "_panel")  # a view split out of widgets.py: packing_explorer
NOT_MODELS = {
    "msa_course.__main__",
    "msa_course.ui",
    "msa_course.site",
    "msa_course.doctor",
    "msa_course.lab",
}


def model_modules() -> list[str]:
    found = []
    for path in sorted((ROOT / "msa_course").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(p for p in parts if p != "__init__")
        view = path.stem in VIEW_MODULES or path.stem.endswith(VIEW_SUFFIXES)
        if view or any(name.startswith(n) for n in NOT_MODELS):
            continue
        found.append(name)
    return found


PROBE = """
import importlib, json, sys
watch = json.loads(sys.argv[1]); result = {}
for name in json.loads(sys.argv[2]):
    importlib.import_module(name)
    loaded = [m for m in watch if m in sys.modules]
    if loaded:
        result[name] = loaded
        break
print(json.dumps(result))
"""


def probe(modules, watch) -> dict:
    out = subprocess.run(
        [PYTHON, "-c", PROBE, json.dumps(watch), json.dumps(modules)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(out.stdout)


def test_import_msa_course_loads_nothing_heavy():
    assert probe(["msa_course"], list(HEAVY_AT_IMPORT)) == {}


def test_model_modules_load_no_view_library():
    modules = model_modules()
    assert "msa_course.grading.source" in modules and "msa_course.welcome.layers" in modules
    assert probe(modules, list(VIEW_LIBRARIES)) == {}, "a model module imports a view library"


def test_probe_detects_a_view_import():
    """The check can fail: a view module does load plotly."""
    assert probe(["msa_course.welcome.charts"], ["plotly"]) == {
        "msa_course.welcome.charts": ["plotly"]
    }
