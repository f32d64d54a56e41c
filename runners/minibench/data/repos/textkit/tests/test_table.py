import pytest

from textkit import char_width, display_width, render_table


def test_render_with_headers():
    out = render_table([["apple", 3], ["kiwi", 12]], headers=["fruit", "qty"])
    assert out.splitlines() == [
        "fruit | qty",
        "------+----",
        "apple | 3",
        "kiwi  | 12",
    ]


def test_render_alignment():
    out = render_table([["a", 1, "x"], ["bbb", 100, "yyy"]], align=["left", "right", "center"])
    assert out.splitlines() == [
        "a   |   1 |  x",
        "bbb | 100 | yyy",
    ]


def test_render_pads_short_rows_and_none():
    out = render_table([["a", "b"], ["c"], [None, "d"]])
    assert out.splitlines() == ["a | b", "c |", "  | d"]


def test_render_empty():
    assert render_table([]) == ""


def test_render_rejects_unknown_alignment():
    with pytest.raises(ValueError, match="unknown alignment"):
        render_table([["a"]], align=["middle"])


def test_render_rejects_wrong_align_count():
    with pytest.raises(ValueError):
        render_table([["a", "b"]], align=["left"])


def test_char_width():
    assert char_width("a") == 1
    assert char_width("中") == 2
    assert char_width("\u200b") == 0


def test_display_width_ascii_and_wide():
    assert display_width("abc") == 3
    assert display_width("日本") == 4
    assert display_width("") == 0
