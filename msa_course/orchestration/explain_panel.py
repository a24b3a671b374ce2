"""The "why this node" panel of chapter 03's bin-packing explorer: an Explanation as HTML.

A node x plugin table in the spirit of kube-scheduler-simulator's result view: each node's
Filter verdict (the first plugin that rejected it, with upstream's reason), then per Score
plugin the normalised score times its weight (the raw Score and the weight on hover), the
weighted total, and the node chosen; above it the decision in words, below it the pod's
Events as `kubectl describe pod` lists them.
"""

from __future__ import annotations

import html

from msa_course.orchestration.scheduler.explain import NOT_REACHED, Explanation
from msa_course.ui import theme

SHORT = {
    "TaintToleration": "Taint",
    "NodeAffinity": "NodeAff",
    "NodeResourcesFit": "Fit",
    "PodTopologySpread": "Spread",
    "InterPodAffinity": "PodAff",
    "NodeResourcesBalancedAllocation": "Balanced",
}
_CELL = "padding:1px 6px;text-align:right;white-space:nowrap"
_MUTED = "color:#888"


def _score_cell(value) -> str:
    if value is None:
        return f"<td style='{_CELL};{_MUTED}'>–</td>"
    if value == "Skip":
        return f"<td style='{_CELL};{_MUTED}' title='PreScore returned Skip'>skip</td>"
    raw, normalized, weighted = value
    title = f"raw {raw}, normalised {normalized}"
    return f"<td style='{_CELL}' title='{html.escape(title)}'>{weighted}</td>"


def explanation_html(e: Explanation) -> str:
    """The panel: summary, node x plugin table, Events."""
    plugins = [s.plugin for s in e.scores]
    weights = {s.plugin: s.weight for s in e.scores}
    head = "".join(
        f"<th style='{_CELL}' title='{html.escape(p)}, weight {weights[p]}'>"
        f"{SHORT.get(p, p)}&nbsp;×{weights[p]}</th>"
        for p in plugins
    )
    rows = []
    for row in e.table():
        node = row["node"]
        chosen, tied = node == e.chosen, node in e.tied and len(e.tied) > 1
        verdict = row["filter"]
        style = "font-weight:bold;background:rgba(46,139,87,0.15)" if chosen else ""
        if verdict == NOT_REACHED:
            style = _MUTED
        mark = " ✔" if chosen else (" (tie)" if tied else "")
        cells = "".join(_score_cell(row[p]) for p in plugins)
        total = "" if row["total"] is None else str(row["total"])
        verdict_style = "" if verdict in ("passed", NOT_REACHED) else "color:#b22222"
        rows.append(
            f"<tr style='{style}'><td style='padding:1px 6px'>{html.escape(node)}{mark}</td>"
            f"<td style='padding:1px 6px;{verdict_style}'>{html.escape(verdict)}</td>"
            f"{cells}<td style='{_CELL}'>{total}</td></tr>"
        )
    legend = (
        "Each score cell: the plugin's normalised score (0-100) × its weight; hover for the raw "
        "Score. A Filter verdict names the first plugin that rejected the node."
        if plugins
        else "Score did not run (fewer than two feasible nodes)."
    )
    table = (
        "<div style='max-height:22em;overflow:auto'><table style='border-collapse:collapse;"
        f"font-size:0.85em'><tr><th style='padding:1px 6px'>node</th>"
        f"<th style='padding:1px 6px'>Filter</th>{head}<th style='{_CELL}'>total</th></tr>"
        + "".join(rows)
        + "</table></div>"
    )
    return (
        f"<div style='margin-top:0.6em'><b>Why pod {html.escape(e.pod)} went where it did "
        f"({html.escape(e.strategy)})</b><p>{html.escape(e.summary())}</p>{table}"
        f"<p style='font-size:0.85em'>{legend}</p>"
        f"<b>kubectl describe pod {html.escape(e.pod)}</b>{theme.pre_html(e.events())}</div>"
    )
