from confpy.argv import Option
from confpy.loader import load_config
from confpy.schema import Field, Schema

INI = """
[server]
host = localhost
port = 8080
[log]
targets = stderr, file
"""

SCHEMA = Schema(
    {
        "server": {"host": Field(), "port": Field(type="int"), "debug": Field(type="bool", default=False)},
        "log": {"targets": Field(type="list")},
    }
)


def test_layers_in_precedence_order(tmp_path):
    path = tmp_path / "app.ini"
    path.write_text(INI, encoding="utf-8")
    result = load_config(
        path,
        environ={"APP_SERVER__PORT": "9000", "APP_SERVER__HOST": "env-host"},
        env_prefix="APP",
        argv=["--server.port=9100", "--server.debug"],
        options=[Option("server.debug", kind="flag")],
        schema=SCHEMA,
    )
    assert result == {
        "server": {"host": "env-host", "port": 9100, "debug": True},
        "log": {"targets": ["stderr", "file"]},
    }


def test_text_without_schema_returns_strings():
    assert load_config(text=INI)["server"] == {"host": "localhost", "port": "8080"}


def test_nothing_given_gives_empty_config():
    assert load_config() == {}
