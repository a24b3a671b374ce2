"""The "why this node" panel of chapter 03's bin-packing explorer: an Explanation as HTML.

A node x plugin table in the spirit of kube-scheduler-simulator's result view: each node's
Filter verdict (the first plugin that rejected it, with upstream's reason), then per Score
plugin the normalised score times its weight (the raw Score and the weight on hover), the
weighted total, and the node chosen; above it the decision in words, below it the pod's
Events as `kubectl describe pod` lists them. Plugin names and upstream's reasons stay as
kube-scheduler writes them (marked lang='en'); the rest is in the active language.
"""

from __future__ import annotations

import html

from msa_course.i18n import N_, tr
from msa_course.orchestration.scheduler.explain import NOT_REACHED, PASSED, Explanation
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


def _score_cell(value, weight: int) -> str:
    if value is None:
        return f"<td style='{_CELL};{_MUTED}'>–</td>"
    if value == "Skip":  # weight 0: the profile disables the plugin (scheduler.Profile)
        reason = N_("Disabled in this profile") if weight == 0 else N_("PreScore returned Skip")
        title = html.escape(tr(reason))
        return f"<td style='{_CELL};{_MUTED}' title='{title}' lang='en'>skip</td>"
    raw, normalized, weighted = value
    title = tr("raw {raw}, normalised {normalized}", raw=raw, normalized=normalized)
    return f"<td style='{_CELL}' title='{html.escape(title)}'>{weighted}</td>"


def explanation_html(e: Explanation) -> str:
    """The panel: summary, node x plugin table, Events."""
    plugins = [s.plugin for s in e.scores]
    weights = {s.plugin: s.weight for s in e.scores}
    head = "".join(
        f"<th style='{_CELL}' title='"
        + html.escape(tr("{plugin}, weight {weight}", plugin=p, weight=weights[p]))
        + f"' lang='en'>{SHORT.get(p, p)}&nbsp;×{weights[p]}</th>"
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
        mark = " ✔" if chosen else (" " + tr("(tie)") if tied else "")
        cells = "".join(_score_cell(row[p], weights[p]) for p in plugins)
        total = "" if row["total"] is None else str(row["total"])
        if verdict in (PASSED, NOT_REACHED):
            verdict_cell = f"<td style='padding:1px 6px'>{html.escape(tr(verdict))}</td>"
        else:  # "<Plugin>: <reason>" as kube-scheduler says it
            verdict_cell = (
                f"<td style='padding:1px 6px;color:#b22222' lang='en'>{html.escape(verdict)}</td>"
            )
        rows.append(
            f"<tr style='{style}'><td style='padding:1px 6px'>{html.escape(node)}{mark}</td>"
            f"{verdict_cell}{cells}<td style='{_CELL}'>{total}</td></tr>"
        )
    legend = (
        tr(
            "Each score cell: the plugin's normalised score (0-100) × its weight; hover for the "
            "raw Score. A Filter verdict names the first plugin that rejected the node."
        )
        if plugins
        else tr("Score did not run (fewer than two feasible nodes).")
    )
    table = (
        "<div style='max-height:22em;overflow:auto'><table style='border-collapse:collapse;"
        f"font-size:0.85em'><tr><th style='padding:1px 6px'>{tr('node')}</th>"
        f"<th style='padding:1px 6px'>{tr('Filter')}</th>{head}"
        f"<th style='{_CELL}'>{tr('total')}</th></tr>" + "".join(rows) + "</table></div>"
    )
    heading = tr(
        "Why pod {pod} went where it did ({strategy})",
        pod=html.escape(e.pod),
        strategy=html.escape(e.strategy),
    )
    return (
        f"<div style='margin-top:0.6em'><b>{heading}</b><p>{html.escape(e.summary())}</p>{table}"
        f"<p style='font-size:0.85em'>{html.escape(legend)}</p>"
        f"<b><code>kubectl describe pod {html.escape(e.pod)}</code></b>"
        f"{theme.pre_html(e.events())}</div>"
    )
