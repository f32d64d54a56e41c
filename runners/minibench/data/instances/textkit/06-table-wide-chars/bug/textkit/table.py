"""Plain-text tables for terminals."""

from collections.abc import Iterable, Sequence

from textkit.width import display_width

_ALIGNMENTS = ("left", "right", "center")


def _pad(text: str, width: int, align: str) -> str:
    gap = width - len(text)
    if align == "right":
        return " " * gap + text
    if align == "center":
        left = gap // 2
        return " " * left + text + " " * (gap - left)
    return text + " " * gap


def render_table(
    rows: Iterable[Sequence[object]],
    headers: Sequence[object] | None = None,
    align: Sequence[str] | None = None,
) -> str:
    """Render ``rows`` as a text table with ``|`` between columns.

    Short rows are padded with empty cells. ``align`` gives one of "left",
    "right" or "center" per column (default: all left). With ``headers`` a
    rule of dashes separates them from the body.
    """
    body = [["" if cell is None else str(cell) for cell in row] for row in rows]
    head = [str(cell) for cell in headers] if headers is not None else None
    all_rows = ([head] if head is not None else []) + body
    ncols = max((len(row) for row in all_rows), default=0)
    if ncols == 0:
        return ""
    for row in all_rows:
        row.extend([""] * (ncols - len(row)))
    aligns = list(align) if align is not None else ["left"] * ncols
    if len(aligns) != ncols:
        raise ValueError(f"align has {len(aligns)} entries for {ncols} columns")
    for name in aligns:
        if name not in _ALIGNMENTS:
            raise ValueError(f"unknown alignment {name!r}; use one of {', '.join(_ALIGNMENTS)}")
    widths = [max(display_width(row[col]) for row in all_rows) for col in range(ncols)]

    def line(row: list[str]) -> str:
        cells = (_pad(cell, widths[col], aligns[col]) for col, cell in enumerate(row))
        return " | ".join(cells).rstrip()

    out = []
    if head is not None:
        out.append(line(head))
        out.append("-+-".join("-" * w for w in widths))
    out.extend(line(row) for row in body)
    return "\n".join(out)
