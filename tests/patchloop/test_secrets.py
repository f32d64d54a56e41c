"""The one rule for secret-looking variable names."""

from __future__ import annotations

import pytest

from patchloop.secrets import is_secret_name, secret_env

SECRETS = [
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GH_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "DB_PASSWORD",
    "SMTP_PASS",
    "MYSQL_PASSWD",
    "ORACLE_PWD",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "DOCKER_AUTH",
    "REDISCLI_AUTH",
    "PGPASSWORD",
    "PASSWORD",
    "GITHUB_TOKEN_FOR_CI",
    "SENTRY_DSN",
    "npm_config__auth",
    "SSH_PASSPHRASE",
    "my_secret_value",
    "HF_TOKEN",
]
NOT_SECRETS = ["PATH", "HOME", "PWD", "OLDPWD", "LANG", "SSH_AUTH_SOCK", "KEYBOARD", "TERM", "XAUTHORITY"]


@pytest.mark.parametrize("name", SECRETS)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", NOT_SECRETS)
def test_ordinary_names(name: str) -> None:
    assert not is_secret_name(name)


def test_secret_env_skips_short_values() -> None:
    assert secret_env({"A_TOKEN": "abc", "B_TOKEN": "abcdefgh", "PATH": "/usr/bin"}) == {"B_TOKEN": "abcdefgh"}
