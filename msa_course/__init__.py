"""msa-course: the helper package behind the interactive course on MSA infrastructure.

Importing this package must stay cheap (a test holds it under 0.3 s): it imports no plotly,
ipywidgets, IPython, jsonschema or kubernetes_validate. Topic subpackages load them lazily.
"""

from __future__ import annotations

import sys

__version__ = "0.1.0"

__all__ = ["__version__", "setup_notebook", "figure_mode"]

_FIGURE_MODES = ("widget", "plain")
_state = {"figures": "widget"}


def figure_mode() -> str:
    """The mode explorers draw in: "widget" (FigureWidget, JupyterLab) or "plain"."""
    return _state["figures"]


def setup_notebook(figures: str = "widget", lang: str = "en") -> None:
    """Prepare a kernel for the course; every chapter's setup cell calls this once.

    lang is the notebook's language ("en" or "ko"): what self-checks, visible checks,
    explorers and charts say. A Korean notebook's setup cell passes lang="ko"
    (msa_course.i18n; the Korean notebooks are generated, docs/translating.md).

    figures="widget" (the default, for JupyterLab) updates charts in place with plotly's
    FigureWidget. figures="plain" redraws ordinary figures inside an Output widget, for
    front-ends where FigureWidget is broken (VS Code: plotly/plotly.py#5027; Colab:
    googlecolab/colab-cdn-widget-manager#51).

    It also keeps `rfc3987_syntax` from loading. jsonschema imports it optionally, and it
    compiles a grammar on import that made the first FigureWidget in a kernel cost seconds
    (plotly -> nbformat -> jsonschema); without it jsonschema merely skips two string formats
    that neither plotly nor nbformat use.
    """
    if figures not in _FIGURE_MODES:
        raise ValueError(f"figures must be one of {_FIGURE_MODES}, not {figures!r}")
    from msa_course import i18n

    i18n.set_language(lang)
    _state["figures"] = figures
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
    from msa_course.ui import theme

    theme.register()
