"""The Services explorer's figure: requests each pod answered, and requests that failed."""

from __future__ import annotations

import plotly.graph_objects as go

from msa_course.i18n import N_, tr
from msa_course.ui import theme

# A ReplicaSet's pods share a hue (lighter and darker in turn), so a rolling update reads as
# one colour giving way to another.
_RS_COLOURS = (
    ("#0072B2", "#56B4E9"),
    ("#E69F00", "#F5C469"),
    ("#009E73", "#66C5AB"),
    ("#CC79A7", "#E3B3CF"),
)


def service_traffic_chart(
    bins: list,
    bin_seconds: float,
    *,
    end: float,
    markers: list | tuple = (),
    title: str | None = None,
) -> go.Figure:
    """Top: requests per second each pod answered (stacked, one band per pod, coloured by
    ReplicaSet); bottom: requests per second that failed, refused (no endpoint) or unanswered
    (the chosen pod did not answer). `bins` are traffic.ServiceTraffic.bins with times in
    seconds; `markers` are (seconds, label) lines drawn on both panels (labels in English,
    shown through `tr()`)."""
    title = tr("Requests through the Service") if title is None else title
    per_second = tr("requests/s")
    fig = theme.subplots(
        rows=2,
        titles=(tr("answered, per pod (requests/s)"), tr("failed (requests/s)")),
        height=600,
        shared_xaxes=True,
        vertical_spacing=0.12,
    )
    minutes = [b[0] / 60 for b in bins]
    pods = {p for b in bins for p in b[1]}
    sets = sorted({_replicaset(p) for p in pods}, key=lambda rs: _first_seen(bins, rs))
    pods = sorted(pods, key=lambda p: (sets.index(_replicaset(p)), p))
    # Traces as plain dicts on the grid's axes (x/y top, x2/y2 bottom), added in one call:
    # figure-building is most of an update's cost.
    traces = []
    for i, pod in enumerate(pods):
        hues = _RS_COLOURS[sets.index(_replicaset(pod)) % len(_RS_COLOURS)]
        traces.append(dict(
            type="scatter", x=minutes, y=[b[1].get(pod, 0) / bin_seconds for b in bins],
            name=pod, stackgroup="answered", mode="lines", xaxis="x", yaxis="y",
            line=dict(width=0.5, color=hues[i % 2]),
            hovertemplate=f"{pod}<br>%{{y:.0f}} {per_second}<extra></extra>",
        ))  # fmt: skip
    for index, label, colour in ((2, N_("refused (no endpoint)"), "vermillion"),
                                 (3, N_("unanswered (pod did not answer)"), "purple")):  # fmt: skip
        traces.append(dict(
            type="scatter", x=minutes, y=[b[index] / bin_seconds for b in bins], name=tr(label),
            stackgroup="failed", mode="lines", xaxis="x2", yaxis="y2",
            line=dict(width=1, color=theme.PALETTE[colour]),
        ))  # fmt: skip
    top = max([sum(b[1].values()) + b[2] + b[3] for b in bins] + [1]) / bin_seconds * 1.15
    low = max([b[2] + b[3] for b in bins] + [1]) / bin_seconds * 1.15
    for axis, height in (("", top), ("2", low)):
        traces.append(dict(
            type="scatter", x=[x for t, _ in markers for x in (t / 60, t / 60, None)],
            y=[v for _ in markers for v in (0, height, None)], mode="lines",
            line=dict(color=theme.PALETTE["black"], width=1, dash="dot"), hoverinfo="skip",
            showlegend=False, xaxis=f"x{axis}", yaxis=f"y{axis}",
        ))  # fmt: skip
    traces.append(dict(
        type="scatter", x=[t / 60 for t, _ in markers], y=[top] * len(markers), mode="text",
        text=[tr(label) for _, label in markers], textposition="bottom right",
        textfont=dict(size=12), showlegend=False, hoverinfo="skip", xaxis="x", yaxis="y",
    ))  # fmt: skip
    fig.add_traces(traces)
    fig.update_layout(
        title=dict(text=title),
        # beside the panels, one pod a line: above them, a legend that wraps (many pods, a
        # narrow page) ran into the panel title
        legend=dict(
            font=dict(size=11), orientation="v", x=1.02, xanchor="left", y=1, yanchor="top"
        ),
        margin=dict(t=90),
        yaxis=dict(title_text=per_second, range=[0, top]),
        yaxis2=dict(title_text=per_second, range=[0, low]),
        xaxis=dict(range=[0, end / 60]),
        xaxis2=dict(range=[0, end / 60], title_text=tr("time since the clients started (minutes)")),
    )
    return fig


def _replicaset(pod: str) -> str:
    return pod.rsplit("-", 1)[0]


def _first_seen(bins, rs: str) -> float:
    return next((b[0] for b in bins if any(_replicaset(p) == rs for p in b[1])), 0.0)
