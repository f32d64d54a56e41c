import pytest

from confpy.env import apply_env, env_overlay
from confpy.errors import ConfigError
from confpy.ini import loads

ENVIRON = {
    "MYAPP_SERVER__PORT": "9000",
    "MYAPP_SERVER__HOST": "0.0.0.0",
    "MYAPP_DB__URL": "sqlite:///x.db",
    "MYAPP_DEBUG": "1",
    "PATH": "/usr/bin",
    "OTHER_SERVER__PORT": "1",
}


def test_overlay_groups_by_section():
    assert env_overlay(ENVIRON, "MYAPP") == {
        "db": {"url": "sqlite:///x.db"},
        "server": {"host": "0.0.0.0", "port": "9000"},
    }


def test_prefix_with_trailing_underscore_or_lower_case():
    assert env_overlay(ENVIRON, "MYAPP_") == env_overlay(ENVIRON, "myapp")


def test_names_are_lower_cased():
    overlay = env_overlay({"MYAPP_Server__Max_Conn": "5"}, "MYAPP")
    assert overlay == {"server": {"max_conn": "5"}}


def test_custom_separator():
    overlay = env_overlay({"MYAPP_SERVER_PORT": "1", "MYAPP_DB__URL": "2"}, "MYAPP", sep="_")
    assert overlay == {"server": {"port": "1"}, "db": {"_url": "2"}}


def test_variables_without_separator_are_ignored():
    assert env_overlay({"MYAPP_DEBUG": "1", "MYAPP___X": "2", "MYAPP_X__": "3"}, "MYAPP") == {}


def test_empty_prefix_is_rejected():
    with pytest.raises(ConfigError, match="non-empty prefix"):
        env_overlay(ENVIRON, "_")


def test_apply_env_overrides_file_values():
    config = loads("[server]\nport = 8080\nhost = localhost\n[db]\nurl = x\n")
    apply_env(config, {"MYAPP_SERVER__PORT": "9000", "MYAPP_CACHE__TTL": "5m"}, "MYAPP")
    assert config.getint("server", "port") == 9000
    assert config.get("server", "host") == "localhost"
    assert config.getduration("cache", "ttl") == 300.0


def test_prefix_must_be_followed_by_an_underscore():
    environ = {
        "SHOP_DB__URL": "postgres://db/shop",
        "SHOP2_SERVER__PORT": "9999",
        "SHOPPING_CART__URL": "http://cart",
    }
    assert env_overlay(environ, "SHOP") == {"db": {"url": "postgres://db/shop"}}
    assert env_overlay(environ, "SHOP_") == {"db": {"url": "postgres://db/shop"}}


def test_apply_env_ignores_neighbouring_prefixes():
    config = loads("[server]\nport = 8080\n")
    apply_env(config, {"SHOP2_SERVER__PORT": "9999", "SHOPPING_CART__URL": "http://cart"}, "SHOP")
    assert config.sections() == ["server"]
    assert config.as_dict() == {"server": {"port": "8080"}}
