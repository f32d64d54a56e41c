import pytest

from textkit import fill, indent, justify, justify_line, truncate, wrap

TEXT = "The quick brown fox jumps over the lazy dog near the river bank"


def test_wrap_short_text_is_one_line():
    assert wrap("hello world", 20) == ["hello world"]


def test_wrap_breaks_between_words():
    assert wrap(TEXT, 20) == ["The quick brown fox", "jumps over the lazy", "dog near the river", "bank"]


def test_wrap_lines_never_exceed_width():
    for width in (5, 9, 13, 21, 33):
        assert all(len(line) <= width for line in wrap(TEXT, width))


def test_wrap_collapses_whitespace_and_newlines():
    assert wrap("one\n\ntwo   three\tfour", 40) == ["one two three four"]


def test_wrap_empty_text():
    assert wrap("", 10) == []
    assert wrap("   \n ", 10) == []


def test_wrap_breaks_long_words():
    assert wrap("abcdefghij xy", 4) == ["abcd", "efgh", "ij", "xy"]


def test_wrap_keeps_long_words_when_asked():
    assert wrap("tiny enormousword end", 6, break_long_words=False) == ["tiny", "enormousword", "end"]


def test_wrap_rejects_bad_width():
    with pytest.raises(ValueError):
        wrap("text", 0)


def test_fill_joins_lines():
    assert fill(TEXT, 20) == "The quick brown fox\njumps over the lazy\ndog near the river\nbank"


def test_justify_line_spreads_spaces_left_first():
    assert justify_line("a bb ccc", 11) == "a   bb  ccc"


def test_justify_line_single_word_is_left_aligned():
    assert justify_line("word", 8) == "word    "


def test_justify_line_rejects_overlong_line():
    with pytest.raises(ValueError):
        justify_line("too long for it", 5)


def test_justify_empty():
    assert justify("", 10) == ""


def test_truncate_keeps_short_text():
    assert truncate("short", 10) == "short"


def test_truncate_adds_placeholder():
    assert truncate("Hello, wonderful world", 12) == "Hello, wo..."
    assert len(truncate("Hello, wonderful world", 12)) == 12


def test_truncate_custom_placeholder():
    assert truncate("abcdefghij", 6, placeholder="~") == "abcde~"


def test_truncate_tiny_width():
    assert truncate("abcdefghij", 2) == ".."
    assert truncate("abcdefghij", 0) == ""


def test_indent_skips_blank_lines():
    assert indent("a\n\nb\n", "> ") == "> a\n\n> b\n"


def test_indent_all_lines():
    assert indent("a\n\nb", "# ", skip_blank=False) == "# a\n# \n# b"


def test_fill_default_width_matches_wrap():
    text = " ".join(["word"] * 40)
    assert fill(text) == "\n".join(wrap(text))
    assert max(len(line) for line in fill(text).splitlines()) <= 70
