import pytest

from confpy.errors import ConfigError, InterpolationError, ParseError
from confpy.ini import load, loads

SAMPLE = """
# global comment
[server]
host = example.org
port: 8080
debug = yes   ; inline comment
timeout = 1m30s

[paths]
root = /srv/app
logs = ${root}/logs
cache = ${server:host}-cache
"""


def test_sections_and_keys():
    config = loads(SAMPLE)
    assert config.sections() == ["server", "paths"]
    assert config.keys("server") == ["host", "port", "debug", "timeout"]


def test_equals_and_colon_separators():
    config = loads(SAMPLE)
    assert config.get("server", "host") == "example.org"
    assert config.get("server", "port") == "8080"


def test_inline_and_full_line_comments():
    config = loads(SAMPLE)
    assert config.get("server", "debug") == "yes"
    assert "global comment" not in str(config.as_dict())


def test_hash_without_whitespace_is_part_of_value():
    config = loads("[a]\nurl = http://host/page#top\n")
    assert config.get("a", "url") == "http://host/page#top"


def test_quoted_values_keep_comment_characters():
    config = loads('[a]\npassword = "se;cr #et"  # the password\nempty = ""\n')
    assert config.get("a", "password") == "se;cr #et"
    assert config.get("a", "empty") == ""


def test_unterminated_quote_is_an_error():
    with pytest.raises(ParseError, match="unterminated"):
        loads('[a]\nname = "oops\n')


def test_keys_are_case_insensitive():
    config = loads("[a]\nName = x\n")
    assert config.keys("a") == ["name"]
    assert config.get("a", "NAME") == "x"


def test_continuation_lines():
    config = loads("[a]\nhosts =\n    one\n    two  # second\nnext = 1\n")
    assert config.get("a", "hosts") == "one\ntwo"
    assert config.getlist("a", "hosts") == ["one", "two"]
    assert config.get("a", "next") == "1"


def test_blank_line_ends_continuation():
    config = loads("[a]\nx = 1\n\n  y = 2\n")
    assert config.get("a", "x") == "1"
    assert config.get("a", "y") == "2"


def test_interpolation_same_and_other_section():
    config = loads(SAMPLE)
    assert config.get("paths", "logs") == "/srv/app/logs"
    assert config.get("paths", "cache") == "example.org-cache"
    assert config.raw("paths", "logs") == "${root}/logs"


def test_nested_interpolation():
    config = loads("[a]\nx = 1\ny = ${x}2\nz = ${y}3\n")
    assert config.get("a", "z") == "123"


def test_lone_dollar_is_kept():
    config = loads("[a]\nprice = 5$ or $5\n")
    assert config.get("a", "price") == "5$ or $5"


def test_unknown_reference():
    config = loads("[a]\nx = ${missing}\n")
    with pytest.raises(InterpolationError, match="unknown reference"):
        config.get("a", "x")


def test_circular_reference():
    config = loads("[a]\nx = ${y}\ny = ${b:z}\n[b]\nz = ${a:x}\n")
    with pytest.raises(InterpolationError, match="circular reference: a:x -> a:y -> b:z -> a:x"):
        config.get("a", "x")


def test_typed_getters():
    config = loads(SAMPLE)
    assert config.getint("server", "port") == 8080
    assert config.getfloat("server", "port") == 8080.0
    assert config.getbool("server", "debug") is True
    assert config.getduration("server", "timeout") == 90.0


def test_fallbacks():
    config = loads(SAMPLE)
    assert config.get("server", "missing", fallback=None) is None
    assert config.getint("nosection", "port", fallback=1) == 1
    with pytest.raises(ConfigError, match="no key 'missing'"):
        config.get("server", "missing")
    with pytest.raises(ConfigError, match=r"no section \[nosection\]"):
        config.get("nosection", "x")


def test_key_outside_section_is_an_error():
    with pytest.raises(ParseError, match="outside of any"):
        loads("x = 1\n")


def test_garbage_line_is_an_error():
    with pytest.raises(ParseError) as caught:
        loads("[a]\nx = 1\nthis is not an option\n")
    assert caught.value.line == "this is not an option"


def test_repeated_section_merges():
    config = loads("[a]\nx = 1\n[b]\n[a]\ny = 2\n")
    assert config.as_dict() == {"a": {"x": "1", "y": "2"}, "b": {}}


def test_set_and_as_dict():
    config = loads("[a]\nx = 1\ny = ${x}0\n")
    config.set("a", "X", 5)
    config.set("new", "k", "v")
    assert config.as_dict() == {"a": {"x": "5", "y": "50"}, "new": {"k": "v"}}


def test_load_from_file(tmp_path):
    path = tmp_path / "app.ini"
    path.write_text("[café]\nname = Zoë\n", encoding="utf-8")
    config = load(path)
    assert config.get("café", "name") == "Zoë"


def test_load_rejects_non_utf8(tmp_path):
    path = tmp_path / "app.ini"
    path.write_bytes(b"[a]\nname = Zo\xeb\n")
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        load(path)


def test_double_dollar_is_a_literal_dollar():
    config = loads("[a]\nprice = $$5\ntemplate = $${name}\nname = x\nboth = $$$${name}${name}\n")
    assert config.get("a", "price") == "$5"
    assert config.get("a", "template") == "${name}"
    assert config.get("a", "both") == "$${name}x"


def test_escaped_reference_to_missing_key_is_not_an_error():
    config = loads("[hooks]\npost_deploy = echo $${HOME}\n")
    assert config.get("hooks", "post_deploy") == "echo ${HOME}"
    assert config.as_dict() == {"hooks": {"post_deploy": "echo ${HOME}"}}
