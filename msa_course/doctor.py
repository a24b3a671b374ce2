"""`msa-course doctor`: check this machine can run the course, and say how to fix what can't.

Each check returns a problem (with its fix) or None; all run even after a failure, so a
learner sees every problem at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

from msa_course.i18n import N_, tr

MIN_PYTHON = (3, 10)
# distribution -> (minimum version, why the course needs it)
PACKAGES = {
    "jupyterlab": ("4.0", N_("the course runs in JupyterLab 4")),
    "ipywidgets": ("8.0", N_("every explorer is a widget")),
    "plotly": ("6.1", N_("charts; FigureWidget for in-place updates")),
    "anywidget": ("0.9", N_("plotly >= 6 builds FigureWidget on it")),
    "numpy": ("1.24", N_("the simulators")),
    "nbformat": ("5.9", N_("exercises and grading")),
    "pyyaml": ("6.0", N_("Kubernetes manifests")),
    "kubernetes-validate": ("1.37", N_("validating manifests against Kubernetes' schemas")),
    "dockerfile-parse": ("2.0", N_("parsing Dockerfiles")),
}
FIX_INSTALL = N_("pip install -e . (in the course folder), or `make lab`, which sets it up")
# Front-end extensions JupyterLab must have for widgets and plotly figures to show.
LAB_EXTENSIONS = {
    "@jupyter-widgets/jupyterlab-manager": "pip install 'ipywidgets>=8' (ships the extension)",
    "anywidget": "pip install anywidget (plotly's FigureWidget needs its front-end)",
    "jupyterlab-plotly": "pip install 'plotly>=6.1' (ships the extension)",
}

KERNEL_PROBE = """
import msa_course, ipywidgets, plotly.graph_objects as go
msa_course.setup_notebook()
w = go.FigureWidget(data=[go.Scatter(y=[1, 2])])
print("widget-ok", type(w).__name__, ipywidgets.__version__)
"""


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def check_python() -> str | None:
    if sys.version_info[:2] < MIN_PYTHON:
        return tr(
            "Python {found} is too old; the course needs >= {needed}. Fix: install a newer Python.",
            found=sys.version.split()[0],
            needed=".".join(map(str, MIN_PYTHON)),
        )
    return None


def check_packages() -> list[str]:
    problems = []
    for dist, (minimum, why) in PACKAGES.items():
        try:
            found = metadata.version(dist)
        except metadata.PackageNotFoundError:
            problems.append(
                tr(
                    "{dist} is not installed ({why}). Fix: {fix}",
                    dist=dist,
                    why=tr(why),
                    fix=tr(FIX_INSTALL),
                )
            )
            continue
        if _version_tuple(found) < _version_tuple(minimum):
            problems.append(
                tr(
                    "{dist} {found} is older than {minimum} ({why}). Fix: pip install -U "
                    "'{dist}>={minimum}'",
                    dist=dist,
                    found=found,
                    minimum=minimum,
                    why=tr(why),
                )
            )
    return problems


def quick_report() -> str:
    """What chapter 00's environment cell prints: the problems `doctor --quick` finds, each
    with its fix, or that everything is in place; in the notebook's language."""
    problems = [p for p in [check_python(), *check_packages()] if p]
    return "\n".join(problems) or tr("Python and every package the course needs are in place.")


def check_lab_extensions() -> list[str]:
    try:
        out = subprocess.run(
            [sys.executable, "-m", "jupyter", "labextension", "list"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        text = out.stdout + out.stderr
    except (OSError, subprocess.TimeoutExpired) as err:
        return [
            tr(
                "could not list JupyterLab extensions ({error}). Fix: {fix}",
                error=err,
                fix=tr(FIX_INSTALL),
            )
        ]
    enabled = {line.split()[0] for line in text.splitlines() if "enabled" in line and line.strip()}
    return [
        tr("JupyterLab extension {name} is missing or disabled. Fix: {fix}", name=name, fix=fix)
        for name, fix in LAB_EXTENSIONS.items()
        if name not in enabled
    ]


def check_kernel() -> str | None:
    """Start a real kernel and create a widget in it, as a chapter's first cell would."""
    try:
        from nbclient import NotebookClient
        from nbformat.v4 import new_code_cell, new_notebook
    except ImportError as err:
        return tr("nbclient/nbformat missing ({error}). Fix: {fix}", error=err, fix=tr(FIX_INSTALL))
    nb = new_notebook(cells=[new_code_cell(KERNEL_PROBE)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    except Exception as err:  # any failure to start or run is the finding itself
        first = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        return tr(
            "a kernel could not start or create a widget: {error}. Fix: python -m ipykernel "
            "install --user, then rerun doctor",
            error=first,
        )
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    if "widget-ok" not in text:
        return tr(
            "the kernel ran but created no widget (output: {output})",
            output=json.dumps(text)[:120],
        )
    return None


def add_arguments(parser) -> None:
    parser.add_argument(
        "--quick",
        action="store_true",
        help="skip the checks that start JupyterLab tools and a kernel",
    )
    parser.add_argument(
        "--lang", choices=("en", "ko"), help="language of the report; default: your locale's"
    )


def run(args) -> int:
    from msa_course.i18n import locale_language, set_language

    set_language(args.lang or locale_language())
    problems: list[str] = []
    steps = [(N_("Python"), lambda: [check_python()]), (N_("packages"), check_packages)]
    if not args.quick:
        steps += [
            (N_("JupyterLab extensions"), check_lab_extensions),
            (N_("kernel and widgets"), lambda: [check_kernel()]),
        ]
    for label, step in steps:
        found = [p for p in step() if p]
        print(f"{'ok ' if not found else 'FAIL'} {tr(label)}")
        for p in found:
            print(f"     - {p}")
        problems += found
    print(
        tr("All good: run `msa-course lab`.")
        if not problems
        else tr(
            "{count} problem(s) found; fix them and run `msa-course doctor` again.",
            count=len(problems),
        )
    )
    return 1 if problems else 0
