"""Plots as inline SVG, built here: no plot library, no script, every label escaped.

Why not a JS plot library: a page must open offline and run no script but its own
(hash-pinned) one; bars and histograms are all the run report needs, and SVG built on
the server needs nothing at view time.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

ROW_H = 18
LABEL_W = 170
BAR_W = 230


def bars(rows: Sequence[tuple[str, float, str]], *, unit: str = "", fmt: str = "{:g}") -> Markup:
    """Horizontal bars: (label, value, css class) per row, scaled to the largest value."""
    if not rows:
        return Markup('<p class="muted">nothing to plot</p>')
    top = max(value for _, value, _ in rows) or 1.0
    height = ROW_H * len(rows) + 4
    width = LABEL_W + BAR_W + 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}">']
    for index, (label, value, css) in enumerate(rows):
        y = index * ROW_H + 2
        length = max(1.0, BAR_W * value / top) if value > 0 else 0.0
        shown = escape(label if len(label) <= 28 else label[:27] + "…")
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + 12}" text-anchor="end"><title>{escape(label)}</title>{shown}</text>'
        )
        parts.append(
            f'<rect class="bar {escape(css)}" x="{LABEL_W}" y="{y + 2}" width="{length:.1f}" height="{ROW_H - 5}"/>'
        )
        parts.append(
            f'<text x="{LABEL_W + length + 4:.1f}" y="{y + 12}">{escape(fmt.format(value))}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram(values: Sequence[float], *, buckets: int = 10, unit: str = "", fmt: str = "{:g}") -> Markup:
    """Counts of ``values`` in equal-width buckets, drawn as bars (one row per bucket)."""
    if not values:
        return Markup('<p class="muted">nothing to plot</p>')
    low, high = min(values), max(values)
    if high == low:
        return bars([(f"{fmt.format(low)}{unit}", float(len(values)), "")])
    width = (high - low) / buckets
    counts = [0] * buckets
    for value in values:
        counts[min(buckets - 1, int((value - low) / width))] += 1
    rows = [
        (f"{fmt.format(low + i * width)}-{fmt.format(low + (i + 1) * width)}{unit}", float(n), "")
        for i, n in enumerate(counts)
    ]
    return bars(rows, fmt="{:.0f}")
