import pytest

from confpy.errors import ConfigError, ValidationError
from confpy.schema import Field, Schema

SCHEMA = Schema(
    {
        "server": {
            "host": Field(default="localhost"),
            "port": Field(type="int", required=True, minimum=1, maximum=65535),
            "timeout": Field(type="duration", default=30.0),
        },
        "log": {
            "level": Field(choices=("debug", "info", "warning"), default="info"),
            "targets": Field(type="list", default=["stderr"]),
        },
        "workers": Field(type="int", default=4, minimum=1),
        "ports": Field(type="list", item_type="int", default=[]),
    }
)


def test_converts_and_fills_defaults():
    result = SCHEMA.validate({"server": {"port": "8080", "timeout": "1m"}})
    assert result == {
        "server": {"host": "localhost", "port": 8080, "timeout": 60.0},
        "log": {"level": "info", "targets": ["stderr"]},
        "workers": 4,
        "ports": [],
    }


def test_required_key_missing():
    with pytest.raises(ValidationError) as caught:
        SCHEMA.validate({})
    assert caught.value.errors == [("server.port", "is required")]


def test_all_errors_are_reported_with_paths():
    data = {"server": {"port": "http"}, "log": {"level": "loud"}, "workers": "0"}
    with pytest.raises(ValidationError) as caught:
        SCHEMA.validate(data)
    paths = [path for path, _ in caught.value.errors]
    assert paths == ["server.port", "log.level", "workers"]
    assert str(caught.value).startswith("3 validation errors: server.port: expected an integer")


def test_bounds():
    with pytest.raises(ValidationError, match="server.port: must be at most 65535, got 70000"):
        SCHEMA.validate({"server": {"port": 70000}})
    assert SCHEMA.validate({"server": {"port": 1}})["server"]["port"] == 1


def test_list_items_are_converted_with_indexed_paths():
    assert SCHEMA.validate({"server": {"port": 1}, "ports": "80, 443"})["ports"] == [80, 443]
    with pytest.raises(ValidationError) as caught:
        SCHEMA.validate({"server": {"port": 1}, "ports": ["80", "x", "y"]})
    assert [path for path, _ in caught.value.errors] == ["ports[1]", "ports[2]"]


def test_section_must_be_a_mapping():
    with pytest.raises(ValidationError, match="server: expected a section, got str"):
        SCHEMA.validate({"server": "oops"})


def test_unknown_keys_kept_unless_strict():
    data = {"server": {"port": 1, "extra": "x"}, "other": 1}
    result = SCHEMA.validate(data)
    assert result["server"]["extra"] == "x" and result["other"] == 1
    strict = Schema(SCHEMA.spec, strict=True)
    with pytest.raises(ValidationError) as caught:
        strict.validate(data)
    assert caught.value.errors == [
        ("server.extra", "is not a known key"),
        ("other", "is not a known key"),
    ]


def test_validate_does_not_modify_input():
    data = {"server": {"port": "80"}}
    SCHEMA.validate(data)
    assert data == {"server": {"port": "80"}}


def test_field_definition_errors():
    with pytest.raises(ConfigError, match="unknown field type"):
        Field(type="decimal")
    with pytest.raises(ConfigError, match="both required and have a default"):
        Field(required=True, default=1)


def test_default_values_are_not_shared_between_results():
    schema = Schema({"log": {"targets": Field(type="list", default=["stderr"])}, "tags": Field(type="list", default=[])})
    first = schema.validate({})
    first["log"]["targets"].append("syslog")
    first["tags"].append("x")
    second = schema.validate({})
    assert second == {"log": {"targets": ["stderr"]}, "tags": []}
    assert schema.spec["log"]["targets"].default == ["stderr"]


def test_nested_default_is_a_deep_copy():
    default = {"primary": {"hosts": ["a"]}}
    schema = Schema({"cluster": Field(type="str", default=default)})
    result = schema.validate({})
    result["cluster"]["primary"]["hosts"].append("b")
    assert default == {"primary": {"hosts": ["a"]}}
    assert result["cluster"] is not default
