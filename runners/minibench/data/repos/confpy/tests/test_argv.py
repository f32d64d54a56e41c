import pytest

from confpy.argv import Option, parse_argv
from confpy.errors import ArgvError

OPTIONS = [
    Option("verbose", kind="flag"),
    Option("notify", kind="flag", default=True),
    Option("level", default="info"),
    Option("include", kind="multi"),
    Option("server.port"),
]


def test_equals_and_space_separated_values():
    parsed = parse_argv(["--level=debug", "--server.port", "80"], OPTIONS)
    assert parsed.options["level"] == "debug"
    assert parsed.options["server"] == {"port": "80"}


def test_flags_and_negated_flags():
    assert parse_argv(["--verbose"], OPTIONS).options["verbose"] is True
    assert parse_argv(["--notify"], OPTIONS).options["notify"] is True
    assert parse_argv(["--no-notify"], OPTIONS).options["notify"] is False
    assert parse_argv(["--verbose=off"], OPTIONS).options["verbose"] is False


def test_defaults_are_filled():
    options = parse_argv([], OPTIONS).options
    assert options == {"verbose": False, "notify": True, "level": "info", "include": []}


def test_repeated_multi_option_collects_values():
    parsed = parse_argv(["--include", "a", "--include=b"], OPTIONS)
    assert parsed.options["include"] == ["a", "b"]


def test_repeated_value_option_last_wins():
    assert parse_argv(["--level=a", "--level=b"], OPTIONS).options["level"] == "b"


def test_undeclared_options():
    parsed = parse_argv(["--color=red", "--fast", "--db.url=x"], OPTIONS)
    assert parsed.options["color"] == "red"
    assert parsed.options["fast"] is True
    assert parsed.options["db"] == {"url": "x"}


def test_negating_an_unknown_flag_does_not_set_it():
    options = parse_argv(["--no-cache"], OPTIONS).options
    assert "cache" not in options
    assert len(options) == 5


def test_positional_arguments_and_double_dash():
    parsed = parse_argv(["build", "--verbose", "-", "--", "--level=x", "file"], OPTIONS)
    assert parsed.positional == ["build", "-", "--level=x", "file"]
    assert parsed.options["level"] == "info"


def test_option_names_are_case_insensitive():
    assert parse_argv(["--LEVEL=warn"], OPTIONS).options["level"] == "warn"


def test_missing_value_is_an_error():
    with pytest.raises(ArgvError, match="--level needs a value"):
        parse_argv(["--level"], OPTIONS)


def test_malformed_option():
    with pytest.raises(ArgvError, match="malformed"):
        parse_argv(["--=x"], OPTIONS)


def test_dotted_name_conflicting_with_value():
    with pytest.raises(ArgvError, match="already set"):
        parse_argv(["--db=x", "--db.url=y"], OPTIONS)


def test_unknown_kind_is_rejected():
    with pytest.raises(ArgvError, match="kind must be one of"):
        Option("x", kind="count")
