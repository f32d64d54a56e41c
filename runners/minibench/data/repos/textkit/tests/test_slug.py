import pytest

from textkit import slugify


def test_slugify_basic():
    assert slugify("Hello, World!") == "hello-world"


def test_slugify_strips_accents():
    assert slugify("Crème brûlée à la française") == "creme-brulee-a-la-francaise"


def test_slugify_custom_separator():
    assert slugify("Hello big World", separator="_") == "hello_big_world"


def test_slugify_keeps_case_when_asked():
    assert slugify("Hello World", lowercase=False) == "Hello-World"


def test_slugify_drops_symbols_only_text():
    assert slugify("!!! ??? ###") == ""


def test_slugify_numbers():
    assert slugify("Top 10 tips for 2024") == "top-10-tips-for-2024"


def test_slugify_max_length():
    assert slugify("alpha beta gamma", max_length=8) == "alpha-be"


def test_slugify_max_length_longer_than_slug():
    assert slugify("alpha", max_length=50) == "alpha"


def test_slugify_rejects_bad_max_length():
    with pytest.raises(ValueError):
        slugify("x", max_length=0)
