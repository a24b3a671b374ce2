"""Small SVG charts for pages that must render anywhere without a script (the class report in
a browser, in JupyterLab's HTML viewer, printed): bars drawn from numbers, every label
escaped, colours given by CSS classes of the page (Okabe-Ito, msa_course.ui.theme.PALETTE)."""

from __future__ import annotations

from html import escape

FONT = 14  # px; the page scales the SVG to its width


def histogram(counts: list[int], labels: list[str], x_title: str, y_title: str) -> str:
    """Vertical bars, one per bin, labelled below; the count above each bar."""
    width, height, left, bottom, top = 720, 260, 48, 48, 16
    plot_w, plot_h = width - left - 8, height - bottom - top
    step = plot_w / max(len(counts), 1)
    peak = max(counts, default=0) or 1
    parts = [_axes(left, top, plot_w, plot_h)]
    for i, (count, label) in enumerate(zip(counts, labels)):
        h = plot_h * count / peak
        x = left + i * step
        parts.append(
            f"<rect class='bar' x='{x + 2:.1f}' y='{top + plot_h - h:.1f}' "
            f"width='{max(step - 4, 1):.1f}' height='{h:.1f}'><title>{escape(label)}: "
            f"{count}</title></rect>"
        )
        if count:
            parts.append(_text(x + step / 2, top + plot_h - h - 4, str(count), "middle"))
        if len(counts) <= 24 or i % 2 == 0:
            parts.append(_text(x + step / 2, top + plot_h + 18, label, "middle"))
    parts.append(_text(left + plot_w / 2, height - 6, x_title, "middle", "axis"))
    parts.append(
        f"<text class='axis' transform='translate(14 {top + plot_h / 2:.1f}) rotate(-90)' "
        f"text-anchor='middle' font-size='{FONT}'>{escape(y_title)}</text>"
    )
    return _svg(width, height, x_title, parts)


def stacked(rows: list[tuple[str, list[int]]], classes: list[str], names: list[str]) -> str:
    """One horizontal bar per row, split into segments (counts, each with a CSS class and a
    name for its tooltip), all bars on one scale (the largest row total). The page gives the
    legend (legend() below)."""
    label_w, bar_w, row_h, width = 70, 640, 30, 720
    height = len(rows) * row_h + 8
    total = max((sum(counts) for _, counts in rows), default=0) or 1
    parts = []
    for r, (label, counts) in enumerate(rows):
        y = r * row_h + 4
        parts.append(_text(label_w - 8, y + row_h / 2 - 3, label, "end"))
        x = label_w
        for count, cls, name in zip(counts, classes, names):
            w = bar_w * count / total
            if w:
                parts.append(
                    f"<rect class='{cls}' x='{x:.1f}' y='{y:.1f}' width='{w:.1f}' "
                    f"height='{row_h - 8}'><title>{escape(label)}, {escape(name)}: {count}"
                    f"</title></rect>"
                )
                if w > 22:
                    parts.append(_text(x + w / 2, y + row_h / 2 - 3, str(count), "middle", "on"))
            x += w
    return _svg(width, height, " / ".join(names), parts)


def legend(classes: list[str], names: list[str]) -> str:
    """The legend of a stacked chart, as HTML that wraps on a narrow page."""
    items = "".join(
        f"<li><svg class='swatch' viewBox='0 0 10 10' aria-hidden='true'>"
        f"<rect class='{cls}' width='10' height='10'/></svg> {escape(name)}</li>"
        for cls, name in zip(classes, names)
    )
    return f"<ul class='legend'>{items}</ul>"


def meter(fraction: float) -> str:
    """A small horizontal bar for a table cell (how often, next to the number)."""
    fraction = min(max(fraction, 0.0), 1.0)
    return (
        "<svg class='meter' viewBox='0 0 100 10' preserveAspectRatio='none' aria-hidden='true'>"
        f"<rect class='track' width='100' height='10'/><rect class='bar' "
        f"width='{100 * fraction:.1f}' height='10'/></svg>"
    )


def _axes(left: float, top: float, w: float, h: float) -> str:
    return (
        f"<line class='axis' x1='{left}' y1='{top + h}' x2='{left + w}' y2='{top + h}'/>"
        f"<line class='axis' x1='{left}' y1='{top}' x2='{left}' y2='{top + h}'/>"
    )


def _text(x: float, y: float, label: str, anchor: str, cls: str = "") -> str:
    klass = f" class='{cls}'" if cls else ""
    return (
        f"<text{klass} x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' "
        f"dominant-baseline='middle' font-size='{FONT}'>{escape(label)}</text>"
    )


def _svg(width: int, height: int, title: str, parts: list[str]) -> str:
    return (
        f"<svg class='chart' viewBox='0 0 {width} {height}' role='img' "
        f"xmlns='http://www.w3.org/2000/svg'><title>{escape(title)}</title>"
        + "".join(parts)
        + "</svg>"
    )
