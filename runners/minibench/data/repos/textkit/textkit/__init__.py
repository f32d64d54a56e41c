"""textkit: small, dependency-free text utilities."""

from textkit.case import camel_case, kebab_case, pascal_case, snake_case, split_words, title_case
from textkit.csvio import CSVError, dumps, format_row, parse, read_dicts, sniff_delimiter, write_dicts
from textkit.encoding import decode, detect_encoding, normalize_newlines, to_ascii
from textkit.slug import slugify
from textkit.table import render_table
from textkit.width import char_width, display_width
from textkit.wrap import fill, indent, justify, justify_line, truncate, wrap

__version__ = "1.0.0"

__all__ = [
    "CSVError",
    "camel_case",
    "char_width",
    "decode",
    "detect_encoding",
    "display_width",
    "dumps",
    "fill",
    "format_row",
    "indent",
    "justify",
    "justify_line",
    "kebab_case",
    "normalize_newlines",
    "parse",
    "pascal_case",
    "read_dicts",
    "render_table",
    "slugify",
    "sniff_delimiter",
    "snake_case",
    "split_words",
    "title_case",
    "to_ascii",
    "truncate",
    "wrap",
    "write_dicts",
]
