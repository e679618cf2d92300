"""Small server-rendered SVG charts (bars over time buckets), so the dashboard needs no JavaScript.

Output is a complete ``<svg>`` element; every text in it is XML-escaped, so it can be inlined
into HTML as is. Missing values (None) leave a gap, never a zero bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr


def bar_chart(values: Sequence[float | None], labels: Sequence[str], *, title: str, width: int = 480,
              height: int = 130, maximum: float | None = None, unit: str = "") -> str:
    """One bar per value, scaled to ``maximum`` (default: the largest value) over a plot of
    ``height - 30`` pixels; each bar carries a ``<title>`` tooltip ``label: value unit``; the first
    and last labels are written under the axis. ``labels`` must be as long as ``values``."""
    if len(labels) != len(values):
        raise ValueError("one label per value")
    known = [v for v in values if v is not None]
    top = maximum if maximum is not None else max(known, default=0.0)
    plot_top, plot_height = 16, height - 30  # title row above, axis labels below
    slot = width / max(1, len(values))
    bars = []
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        if value is None:
            continue
        bar_height = 0.0 if top <= 0 else max(0.0, min(1.0, value / top)) * plot_height
        tip = f"{label}: {_number(value)}{(' ' + unit) if unit else ''}"
        bars.append(f'<rect x="{index * slot + 1:.1f}" y="{plot_top + plot_height - bar_height:.1f}" '
                    f'width="{max(1.0, slot - 2):.1f}" height="{bar_height:.1f}" fill="#3b7ea1" class="bar">'
                    f"<title>{escape(tip)}</title></rect>")
    peak = f"max {_number(top)}{(' ' + unit) if unit else ''}" if known else "no data"
    axis_y = plot_top + plot_height
    ends = (f'<text x="0" y="{height - 2}" font-size="10" class="chart-label">{escape(labels[0])}</text>'
            f'<text x="{width}" y="{height - 2}" font-size="10" text-anchor="end" class="chart-label">'
            f"{escape(labels[-1])}</text>") if labels else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label={quoteattr(title)} '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" class="chart">'
            f'<text x="0" y="12" font-size="12" class="chart-title">{escape(title)} ({escape(peak)})</text>'
            f'<line x1="0" y1="{axis_y}" x2="{width}" y2="{axis_y}" stroke="#888" class="axis"/>'
            + "".join(bars) + ends + "</svg>")


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
