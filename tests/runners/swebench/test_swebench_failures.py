"""Exceptions from any layer become report fields by type and kind; secrets are found in the
config and in -c overrides, and redacted from argv."""

from __future__ import annotations

import errno

import pytest

from patchloop.cancel import Cancelled
from patchloop.errors import InfraError, UserError
from runners.swebench.failures import failure_fields
from runners.swebench.redaction import argv_secrets, config_secrets, make_redactor, redact_argv
from sandbox.errors import ContainerGoneError, DockerUnavailableError, SandboxGoneError


def _disk_full_inside() -> BaseException:
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device", "/out/x/test_output.txt")
        except OSError as exc:
            raise RuntimeError("writing the trajectory failed") from exc
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (SandboxGoneError("gone"), ("error", "sandbox_lost", "sandbox_error")),
        (ContainerGoneError("removed from outside"), ("error", "sandbox_lost", "sandbox_error")),
        (DockerUnavailableError("no engine"), ("error", "engine_down", "sandbox_error")),
        (InfraError("quota", kind="model_quota"), ("error", "model_quota", "model_error")),
        (InfraError("eval could not run", kind="eval_not_run"), ("error", "eval_not_run", "infra_error")),
        (_disk_full_inside(), ("interrupted", "disk_full", None)),
        (Cancelled("time_limit"), ("interrupted", None, None)),
        (UserError("bad"), ("error", "other", "infra_error")),
        (KeyError("boom"), ("error", "bug", "runner_error")),
    ],
)
def test_an_exception_is_reported_by_type_and_kind(exc, expected):
    fields = failure_fields(exc)
    assert (fields["status"], fields.get("error_class"), fields.get("exit_status")) == expected
    if expected[1] == "disk_full":
        assert fields["error"] == "no space left on the device (writing /out/x/test_output.txt)"
    elif expected[1]:
        assert fields["error"].startswith(type(exc).__name__ + ": ") and "\n" not in fields["error"]


def test_secret_config_values_and_overrides_are_found_and_redacted():
    config = {"model": {"kwargs": {"service_token": "tok-123456789", "headers": {"x_api_key": "k-abcdefgh"}}, "n": 3}}
    assert config_secrets(config) == {
        "model.kwargs.service_token": "tok-123456789",
        "model.kwargs.headers.x_api_key": "k-abcdefgh",
    }
    argv = [
        "--n",
        "1",
        "-c",
        "model.kwargs.db_password='pw-quoted-1'",
        "-cmodel.kwargs.auth_token=abcdef123",
        "-c",
        "a.b=1",
    ]
    found = argv_secrets(argv)
    assert found["model.kwargs.db_password"] == "'pw-quoted-1'" and "pw-quoted-1" in found.values()
    redactor = make_redactor({"MY_SERVICE_PASSWORD": "env-value-123"}, argv, config)
    shown = redact_argv([*argv, "--image-template", "x/env-value-123:1"], redactor)
    assert shown[3] == "model.kwargs.db_password=[REDACTED:model.kwargs.db_password]"
    assert shown[4] == "-cmodel.kwargs.auth_token=[REDACTED:model.kwargs.auth_token]"
    assert shown[6] == "a.b=1" and shown[-1] == "x/[REDACTED:MY_SERVICE_PASSWORD]:1"
    assert redactor.text("key tok-123456789 here") == "key [REDACTED:model.kwargs.service_token] here"
