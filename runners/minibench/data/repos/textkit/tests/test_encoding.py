import codecs

import pytest

from textkit import decode, detect_encoding, normalize_newlines, to_ascii


def test_detect_plain_ascii_is_utf8():
    assert detect_encoding(b"plain text") == "utf-8"


def test_detect_utf8():
    assert detect_encoding("naïve café".encode("utf-8")) == "utf-8"


def test_detect_falls_back_to_latin1():
    assert detect_encoding("naïve café".encode("latin-1")) == "latin-1"


def test_detect_custom_default():
    assert detect_encoding(b"\xff\xfe\xfd", default="cp1252") != "utf-8"


def test_detect_utf16_bom():
    assert detect_encoding(codecs.BOM_UTF16_LE + "hi".encode("utf-16-le")) == "utf-16"
    assert detect_encoding(codecs.BOM_UTF16_BE + "hi".encode("utf-16-be")) == "utf-16"


def test_detect_utf32_bom_before_utf16():
    assert detect_encoding("hi".encode("utf-32")) == "utf-32"


def test_detect_rejects_str():
    with pytest.raises(TypeError):
        detect_encoding("text")


def test_decode_utf16():
    assert decode("grüße".encode("utf-16")) == "grüße"


def test_decode_latin1():
    assert decode("grüße".encode("latin-1")) == "grüße"


def test_decode_explicit_encoding():
    assert decode(b"\xe9", encoding="cp1252") == "é"


def test_normalize_newlines():
    assert normalize_newlines("a\r\nb\rc\nd") == "a\nb\nc\nd"


def test_to_ascii():
    assert to_ascii("Ångström ñandú") == "Angstrom nandu"
