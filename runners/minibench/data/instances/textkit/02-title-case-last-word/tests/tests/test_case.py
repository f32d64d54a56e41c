import pytest

from textkit import camel_case, kebab_case, pascal_case, snake_case, split_words, title_case


@pytest.mark.parametrize(
    "text, words",
    [
        ("hello world", ["hello", "world"]),
        ("helloWorld", ["hello", "World"]),
        ("HelloWorld", ["Hello", "World"]),
        ("hello_world-again", ["hello", "world", "again"]),
        ("HTTPServer", ["HTTP", "Server"]),
        ("parseJSON", ["parse", "JSON"]),
        ("version2Update", ["version2", "Update"]),
        ("  spaced   out  ", ["spaced", "out"]),
        ("", []),
    ],
)
def test_split_words(text, words):
    assert split_words(text) == words


def test_snake_case():
    assert snake_case("HTTPServerError") == "http_server_error"
    assert snake_case("already_snake") == "already_snake"


def test_kebab_case():
    assert kebab_case("Hello World") == "hello-world"


def test_pascal_case():
    assert pascal_case("hello_big world") == "HelloBigWorld"


def test_camel_case():
    assert camel_case("Hello big-world") == "helloBigWorld"
    assert camel_case("") == ""


def test_title_case_small_words():
    assert title_case("the lord of the rings") == "The Lord of the Rings"


def test_title_case_first_word_always_capitalised():
    assert title_case("a tale of two cities") == "A Tale of Two Cities"


def test_title_case_keeps_inner_capitals():
    assert title_case("learning iOS and macOS") == "Learning IOS and MacOS"


def test_title_case_capitalises_last_small_word():
    assert title_case("what are you looking for") == "What Are You Looking For"
    assert title_case("something to believe in") == "Something to Believe In"
