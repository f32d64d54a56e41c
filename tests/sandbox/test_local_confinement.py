"""The local backend confines what it runs (issue 10 item 7): bubblewrap namespaces, a
cleared environment, the root writable and the rest read-only; without bwrap it refuses
while the driver holds secrets, unless the user opts in; the fallback is never silent."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from patchloop.secrets import is_secret_name
from sandbox import LocalSandbox
from sandbox.local import ConfinementError, UnconfinedRefusedError

REPO = Path(__file__).resolve().parents[2]
SECRET = "sk-driver-secret-5f1c9a77"
PROBES = {
    "parent": "cat /proc/$PPID/environ",
    "init": "cat /proc/1/environ",
    "every": "cat /proc/[0-9]*/environ",
    "cmdlines": "cat /proc/[0-9]*/cmdline",
}


@pytest.fixture
def no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if is_secret_name(name):
            monkeypatch.delenv(name)


def _driver(root: Path, unconfined: bool) -> dict[str, object]:
    """A real second process as the driver, with a secret in its environment (as `agent run`
    has OPENAI_API_KEY): what its sandbox's commands can read of it."""
    script = textwrap.dedent(f"""
        import json, os
        from sandbox import LocalSandbox
        probes = {PROBES!r}
        with LocalSandbox({str(root)!r}, unsafe_unconfined={unconfined!r}) as sbx:
            tail = " 2>/dev/null | tr '\\\\0' '\\\\n'"
            seen = {{name: sbx.execute(cmd + tail).output for name, cmd in probes.items()}}
            seen["driver_pid_visible"] = sbx.execute(f"test -e /proc/{{os.getpid()}} && echo yes").output
            seen["processes"] = sbx.execute("ls -d /proc/[0-9]* | wc -l").output
            seen["confined"] = sbx.confined
        print(json.dumps(seen))
    """)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**os.environ, "OPENAI_API_KEY": SECRET},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_driver_environment_is_unreachable_from_a_confined_command(tmp_path: Path, bwrap: str) -> None:
    seen = _driver(tmp_path, unconfined=False)
    assert seen["confined"] is True
    for probe in PROBES:
        assert SECRET not in str(seen[probe]), probe
    assert seen["driver_pid_visible"] == ""
    assert int(str(seen["processes"])) < 10  # its own pid namespace: the shell and little else


def test_unconfined_the_same_commands_read_the_secret(tmp_path: Path) -> None:
    """The probe can see the leak when it is there (it was the default before bwrap)."""
    seen = _driver(tmp_path, unconfined=True)
    assert seen["confined"] is False
    assert SECRET in str(seen["parent"])


def test_only_the_allow_list_and_the_sandbox_env_reach_commands(
    tmp_path: Path, bwrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PL_DRIVER_ONLY", "driver")
    with LocalSandbox(tmp_path, env={"PL_MINE": "mine"}) as sbx:
        shown = sbx.execute("env").output
    names = {line.split("=", 1)[0] for line in shown.splitlines() if "=" in line}
    assert "PL_MINE=mine" in shown and "PL_DRIVER_ONLY" not in names
    assert "PATH" in names
    assert names <= {"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TERM", "TZ", "PL_MINE"} | {
        "PWD", "OLDPWD", "SHLVL", "_", "PATCHLOOP_CMD",
    }  # fmt: skip


def test_the_root_is_writable_and_the_rest_read_only(tmp_path: Path, bwrap: str) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    host_tmp = Path("/tmp") / f"pl-host-only-{os.getpid()}"
    host_tmp.write_text("host")
    try:
        with LocalSandbox(root) as sbx:
            assert sbx.execute("echo made > inside.txt").exit_code == 0
            assert (root / "inside.txt").read_text() == "made\n"
            denied = sbx.execute("touch /usr/pl-x; touch $HOME/pl-x")
            assert denied.exit_code != 0 and denied.output.count("Read-only file system") == 2
            sbx.execute(f"touch {tmp_path}/beside.txt")  # beside the root, under /tmp: the sandbox's own
            assert not (tmp_path / "beside.txt").exists()
            private = sbx.execute(f"test -e {host_tmp} || echo unseen; echo mine > /tmp/pl-sandbox-only")
            assert private.output == "unseen\n"
            assert not Path("/tmp/pl-sandbox-only").exists()
            assert sbx.execute("ls /run | wc -l").output == "0\n"  # the host's sockets are not there
    finally:
        host_tmp.unlink()


def test_without_bwrap_secrets_in_the_driver_env_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with pytest.raises(UnconfinedRefusedError) as caught:
        LocalSandbox(tmp_path, bwrap=None)
    message = str(caught.value)
    assert "OPENAI_API_KEY" in message and SECRET not in message
    assert "-c sandbox.unsafe_unconfined=true" in message and "apt-get install bubblewrap" in message
    assert "\n" not in message


def test_the_unsafe_opt_in_runs_unconfined_with_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with caplog.at_level(logging.WARNING, logger="sandbox"), LocalSandbox(tmp_path, unsafe_unconfined=True) as sbx:
        assert not sbx.confined
        assert sbx.execute("echo ran").output == "ran\n"
    [record] = caplog.records
    assert "sandbox.unsafe_unconfined" in record.getMessage() and "unconfined" in record.getMessage()


def test_without_bwrap_and_without_secrets_the_fallback_warns_once(
    tmp_path: Path, no_secrets: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="sandbox"), LocalSandbox(tmp_path, bwrap=None) as sbx:
        assert sbx.execute("echo ran").output == "ran\n"
        assert sbx.execute("echo again").output == "again\n"
    [record] = caplog.records
    assert "bwrap not found" in record.getMessage() and "install bubblewrap" in record.getMessage()


def test_a_bwrap_that_cannot_start_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfinementError, match="sandbox.unsafe_unconfined=true"):
        LocalSandbox(tmp_path, bwrap="/bin/false")


@pytest.fixture
def bwrap() -> str:
    import shutil

    found = shutil.which("bwrap")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("bubblewrap must be installed in CI (scripts/setup.sh installs it)")
        pytest.skip("bubblewrap (bwrap) is not installed; run scripts/setup.sh")
    return found
