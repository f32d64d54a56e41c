"""Secrets never reach the output folder in clear: what the runner writes is redacted the
way trajectories are.

One :class:`trajectories.redact.Redactor` per run, built from
- the secret-looking variables of the environment (``patchloop.secrets.secret_env``),
- every config value whose key is a secret name (``model.kwargs.api_token``...), and
- every ``-c key=value`` whose dotted key holds a secret name (its raw text too);
with the trajectories' key-shaped patterns. It is given to each trajectory writer, and
applied to ``run.json`` (its argv), the per-instance and run reports, the predictions and
every text file the evaluation leaves in an instance folder (``run_instance.log``,
``test_output.txt``, ``patch.diff``, ``eval.sh``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from patchloop.secrets import MIN_SECRET_LENGTH, is_secret_name, secret_env
from runners.swebench.files import write_text_atomic

# Files the evaluation writes in an instance folder; the trajectory is redacted by its writer.
INSTANCE_TEXT_FILES = ("run_instance.log", "test_output.txt", "patch.diff", "eval.sh")


def _secret_key(dotted: str) -> bool:
    return any(is_secret_name(part) for part in dotted.split("."))


def config_secrets(data: Any, prefix: str = "") -> dict[str, str]:
    """Values of ``data`` (a config dump) under a key that is a secret name, by dotted key."""
    found: dict[str, str] = {}

    def walk(value: Any, at: str, secret: bool) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(inner, f"{at}.{key}" if at else str(key), secret or is_secret_name(str(key)))
        elif isinstance(value, (list, tuple)):
            for i, inner in enumerate(value):
                walk(inner, f"{at}.{i}", secret)
        elif secret and isinstance(value, (str, int)) and len(str(value)) >= MIN_SECRET_LENGTH:
            found[at] = str(value)

    walk(data, prefix, False)
    return found


def _overrides(argv: Sequence[str]) -> Iterator[tuple[int, str, str, str]]:
    """``(index, prefix, key, value)`` of each ``-c key=value`` (or ``-ckey=value``) in ``argv``."""
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "-c" and i + 1 < len(argv):
            index, prefix, text, skip = i + 1, "", argv[i + 1], True
        elif arg.startswith("-c") and len(arg) > 2:
            index, prefix, text = i, "-c", arg[2:]
        else:
            continue
        key, sep, value = text.partition("=")
        if sep:
            yield index, prefix, key.strip(), value


def argv_secrets(argv: Sequence[str]) -> dict[str, str]:
    """The values of ``-c`` overrides whose key is secret, as given and as YAML reads them."""
    import yaml

    found: dict[str, str] = {}
    for _, _, key, value in _overrides(argv):
        if not _secret_key(key):
            continue
        found[key] = value
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            continue
        found.update(config_secrets(parsed, key) if isinstance(parsed, (dict, list)) else {})
        if isinstance(parsed, (str, int)) and str(parsed) != value:
            found[f"{key}.value"] = str(parsed)
    return {k: v for k, v in found.items() if len(v) >= MIN_SECRET_LENGTH}


def make_redactor(environ: Mapping[str, str], argv: Sequence[str], config: Any = None):
    from trajectories.redact import DEFAULT_PATTERNS, Redactor

    secrets = {**secret_env(environ), **config_secrets(config or {}), **argv_secrets(argv)}
    return Redactor(secrets, DEFAULT_PATTERNS)


def redact_argv(argv: Sequence[str], redactor) -> list[str]:
    """``argv`` with every secret value replaced; a secret ``-c`` key's whole value too."""
    out = [redactor.text(arg) for arg in argv]
    for index, prefix, key, _value in _overrides(argv):
        if _secret_key(key):
            out[index] = f"{prefix}{key}=[REDACTED:{key}]"
    return out


def redact_file(path: Path, redactor) -> bool:
    """Rewrite ``path`` (atomically) when it holds a secret; True if it did."""
    try:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
    except (FileNotFoundError, IsADirectoryError):
        return False
    clean = redactor.text(text)
    if clean == text:
        return False
    write_text_atomic(path, clean.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    return True


def redact_folder(folder: Path, redactor, names: Sequence[str] = INSTANCE_TEXT_FILES) -> None:
    if folder.is_symlink() or not redactor.active:
        return
    for name in names:
        target = folder / name
        if target.is_file() and not target.is_symlink():
            redact_file(target, redactor)
