"""A small CSV/TSV reader and writer."""

from collections.abc import Iterable, Mapping, Sequence

from textkit.encoding import decode, normalize_newlines

CANDIDATE_DELIMITERS = (",", "\t", ";", "|")


class CSVError(ValueError):
    """Raised for malformed CSV input."""


def parse(text: str, delimiter: str = ",", quote: str = '"') -> list[list[str]]:
    """Parse CSV ``text`` into rows of strings.

    Fields may be quoted; a quoted field may contain the delimiter, newlines and
    doubled quote characters. A final newline does not make an extra row.
    """
    if len(delimiter) != 1 or len(quote) != 1:
        raise CSVError("delimiter and quote must be single characters")
    text = normalize_newlines(text)
    rows: list[list[str]] = []
    row: list[str] = []
    field: list[str] = []
    in_quotes = False
    i = 0
    while i < len(text):
        ch = text[i]
        if in_quotes:
            if ch == quote:
                in_quotes = False
            else:
                field.append(ch)
        elif ch == quote and not field:
            in_quotes = True
        elif ch == delimiter:
            row.append("".join(field))
            field = []
        elif ch == "\n":
            row.append("".join(field))
            rows.append(row)
            row, field = [], []
        else:
            field.append(ch)
        i += 1
    if in_quotes:
        raise CSVError("unterminated quoted field at end of input")
    if field or row:
        row.append("".join(field))
        rows.append(row)
    return rows


def _needs_quotes(field: str, delimiter: str, quote: str) -> bool:
    return (
        delimiter in field
        or quote in field
        or "\n" in field
        or "\r" in field
        or field != field.strip()
    )


def format_row(fields: Iterable[object], delimiter: str = ",", quote: str = '"') -> str:
    """Format one row, quoting the fields that need it."""
    out = []
    for value in fields:
        field = "" if value is None else str(value)
        if _needs_quotes(field, delimiter, quote):
            field = quote + field.replace(quote, quote * 2) + quote
        out.append(field)
    return delimiter.join(out)


def dumps(rows: Iterable[Iterable[object]], delimiter: str = ",") -> str:
    """Format rows as CSV text, one line per row, each ending in a newline."""
    return "".join(format_row(row, delimiter) + "\n" for row in rows)


def sniff_delimiter(sample: str) -> str:
    """Guess the delimiter of ``sample`` from its first line."""
    first = normalize_newlines(sample).split("\n", 1)[0]
    counts = {d: first.count(d) for d in CANDIDATE_DELIMITERS}
    best = max(CANDIDATE_DELIMITERS, key=lambda d: counts[d])
    if counts[best] == 0:
        return ","
    return best


def read_dicts(source: str | bytes, delimiter: str | None = None) -> list[dict[str, str]]:
    """Read CSV text (or bytes, decoded with detection) into one dict per row.

    The first row holds the field names. Missing trailing cells become "".
    """
    text = decode(source) if isinstance(source, (bytes, bytearray)) else source
    delim = delimiter or sniff_delimiter(text)
    rows = parse(text, delim)
    if not rows:
        return []
    header, records = rows[0], rows[1:]
    out = []
    for number, row in enumerate(records, start=2):
        if len(row) > len(header):
            raise CSVError(f"row {number} has {len(row)} fields, the header has {len(header)}")
        padded = row + [""] * (len(header) - len(row))
        out.append(dict(zip(header, padded)))
    return out


def write_dicts(
    records: Iterable[Mapping[str, object]],
    fieldnames: Sequence[str] | None = None,
    delimiter: str = ",",
) -> str:
    """Write dicts as CSV text with a header row."""
    records = list(records)
    if fieldnames is None:
        fieldnames = []
        for record in records:
            fieldnames.extend(key for key in record if key not in fieldnames)
    lines = [list(fieldnames)]
    lines.extend([record.get(name, "") for name in fieldnames] for record in records)
    return dumps(lines, delimiter)
