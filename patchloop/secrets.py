"""Which environment variable names hold secrets (one rule for every layer).

Used to keep secrets out of sandboxes (their env, the local backend's confinement), out
of trajectories, reports and logs, and out of what is sent to a model.
"""

from __future__ import annotations

from collections.abc import Mapping

# A name is a secret when it ends in one of these (upper-cased)...
SECRET_SUFFIXES = (
    "_KEY",
    "_KEYS",
    "_APIKEY",
    "_TOKEN",
    "_TOKENS",
    "_SECRET",
    "_SECRETS",
    "_PASSWORD",
    "_PASSWORDS",
    "_PASS",
    "_PASSWD",
    "_PWD",
    "_PASSPHRASE",
    "_CREDENTIAL",
    "_CREDENTIALS",
    "_CREDS",
    "_AUTH",
    "_COOKIE",
    "_SESSION",
    "_PRIVATE",
    "_DSN",
)
# ...or holds one of these as an underscore-separated part anywhere (AWS_SECRET_ACCESS_KEY,
# GITHUB_TOKEN_FOR_CI, DB_PASSWORD_FILE)...
SECRET_PARTS = frozenset({"SECRET", "TOKEN", "PASSWORD", "PASSWD", "APIKEY", "CREDENTIALS", "PASSPHRASE"})
# ...or is one of these exactly.
SECRET_NAMES = frozenset(
    {"PASSWORD", "PASSWD", "TOKEN", "SECRET", "APIKEY", "API_KEY", "AUTH", "PGPASSWORD", "CREDENTIALS", "NETRC"}
)
# Never secrets, whatever they end with: the shell's own names.
NOT_SECRETS = frozenset({"PWD", "OLDPWD"})
# Values shorter than this are not redacted: they would replace ordinary words.
MIN_SECRET_LENGTH = 6


def is_secret_name(name: str) -> bool:
    upper = name.upper()
    if upper in NOT_SECRETS:
        return False
    if upper in SECRET_NAMES or upper.endswith(SECRET_SUFFIXES):
        return True
    return any(part in SECRET_PARTS for part in upper.split("_"))


def secret_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The secret-looking variables of ``environ`` worth redacting: name -> value."""
    return {name: value for name, value in environ.items() if is_secret_name(name) and len(value) >= MIN_SECRET_LENGTH}
