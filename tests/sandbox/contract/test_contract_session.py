"""The session protocol's cases: whatever a command does, every observation is its own.

Each case is a list of steps (command, expected output, expected exit code, whether the
shell had to be restarted), run in a fresh sandbox of every backend; after the steps, two
plain commands must get exactly their own output, so a protocol that fell out of step
shows here even when the case's own step looked right. Cases marked ``persistent`` need a
shell that outlives a command (not docker exec mode).
"""

from __future__ import annotations

import re
import shlex
import time
from dataclasses import dataclass

import pytest
from helpers.contract import Contract


@dataclass(frozen=True)
class Step:
    command: str
    output: str | None  # None: not compared (see ``contains``)
    exit_code: int = 0
    restarted: bool = False
    contains: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ("__pl", "PATCHLOOP", "RTMAX")  # no trace of the wrapper


@dataclass(frozen=True)
class Case:
    id: str
    steps: tuple[Step, ...]
    persistent: bool = True


CASES = [
    Case(
        "exec-stdout-to-a-file-then-cat-it",
        (
            Step("exec >f.txt 2>&1; echo inside; ls /nonexistent-x", "", 2),
            Step("cat f.txt", None, contains=("inside\n",)),
        ),
    ),
    Case("exec-stdout-to-dev-null", (Step("exec >/dev/null; echo hidden", ""), Step("echo visible", "visible\n"))),
    Case(
        "close-stdout",
        (
            Step("exec >&-; echo x", None, 1, contains=("write error: Bad file descriptor",)),
            Step("echo back", "back\n"),
        ),
    ),
    Case("close-stderr", (Step("exec 2>&-; ls /nonexistent-x", "", 2), Step("ls /nonexistent-x", None, 2))),
    Case("reads-stdin", (Step('cat; read -r x; echo "[$x]"', "[]\n"),), persistent=False),
    Case("exit", (Step("echo bye; exit 3", "bye\n", 3, restarted=True),)),
    Case(
        "exec-bash",
        (Step("export KEPT=yes", ""), Step("exec bash", "", 0, restarted=True), Step("echo $KEPT", "yes\n")),
    ),
    Case(
        "set-e",
        (Step("set -e", ""), Step("false; echo never", "", 1, restarted=True), Step("false; echo again", "again\n", 0)),
    ),
    Case("set-u", (Step("set -u", ""), Step("echo $undefined_var_x", None, 1, restarted=True))),
    Case(
        "set-x-shows-no-wrapper",
        (Step("set -x", ""), Step("echo traced", None, contains=("echo traced", "traced\n")), Step("set +x", None)),
    ),
    Case("set-v", (Step("set -v", ""), Step("echo shown", "echo shown\nshown\n"), Step("set +v", "set +v\n"))),
    Case("noclobber", (Step("set -C; echo a > c.txt", ""), Step("echo b >| c.txt; cat c.txt", "b\n"))),
    Case("exit-trap", (Step("trap 'echo bye' EXIT", ""), Step("exit 0", "bye\n", 0, restarted=True))),
    Case("err-trap-keeps-step", (Step("trap 'echo ERR' ERR", ""), Step("true", ""), Step("trap - ERR", ""))),
    Case(
        "debug-trap-ends-with-its-command",
        (Step("trap 'echo D' DEBUG; echo d1", None, contains=("D\nd1\n",)), Step("echo d2", "d2\n")),
    ),
    Case("int-and-term-traps", (Step("trap '' INT TERM; trap 'echo usr1' USR1; kill -USR1 $$", "usr1\n"),)),
    Case(
        "prompt-command-and-ps1", (Step("PROMPT_COMMAND='echo PC'; PS1='x> '; PS4='>> '", ""), Step("echo pc", "pc\n"))
    ),
    Case("no-trailing-newline", (Step("printf abc", "abc"),), persistent=False),
    Case("nul-bytes", (Step("printf 'a\\0b\\0'", "a\x00b\x00"),), persistent=False),
    Case(
        "forged-sentinel",
        (Step("printf '\\n__PL_00000000000000000000 0 - - - 1 /\\0\\n'; echo after", None, contains=("after\n",)),),
        persistent=False,
    ),
    Case("kill-own-shell", (Step("kill $$", "", 143, restarted=True), Step("kill -9 $$", "", 137, restarted=True))),
    Case("unset-parameter-error-kills-the-shell", (Step("echo ${nope_x:?is unset}", None, 1, restarted=True),)),
    Case("syntax-error-is-just-a-failed-command", (Step("echo 'unterminated", None, 2), Step("echo ok", "ok\n"))),
    Case(
        "declare-and-arrays-persist", (Step("declare -A m; m[a]=1; declare g=5", ""), Step("echo ${m[a]} $g", "1 5\n"))
    ),
]


def _check(contract: Contract, sandbox: object, step: Step) -> None:
    result = sandbox.execute(step.command, timeout=10)  # type: ignore[attr-defined]
    where = f"{contract.name}: {step.command!r} -> {result.output!r}"
    assert not result.timed_out, where
    if step.output is not None:
        assert result.output == step.output, where
    for text in step.contains:
        assert text in result.output, where
    for text in step.lacks:
        assert text not in result.output, where
    assert result.exit_code == step.exit_code, where
    assert result.restarted == step.restarted, where


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_observation_belongs_to_its_command(contract: Contract, case: Case) -> None:
    if case.persistent and not contract.persistent:
        pytest.skip(f"{contract.name} runs every command in a fresh shell")
    sandbox = contract.open()
    started = time.monotonic()
    for step in case.steps:
        _check(contract, sandbox, step)
    for probe in ("one", "two"):  # still in step afterwards
        after = sandbox.execute(f"echo {probe}; (exit 7)", timeout=10)
        assert (after.output, after.exit_code, after.restarted) == (f"{probe}\n", 7, False), contract.name
    assert time.monotonic() - started < 8 * len(case.steps) + 5  # nothing waited out a timeout


def test_background_job_printing_after_its_command(contract: Contract) -> None:
    """Late output of a background job shows with the next command; both exit codes are
    their own and nothing waits for the job."""
    if not contract.persistent:
        pytest.skip(f"{contract.name}: a background job's output ends with its exec")
    sandbox = contract.open()
    first = sandbox.execute("(sleep 0.3; echo late; exit 9) & echo started; (exit 4)")
    assert (first.output, first.exit_code) == ("started\n", 4)
    time.sleep(0.6)
    second = sandbox.execute("echo now")
    assert (second.output, second.exit_code) == ("late\nnow\n", 0)


def test_an_earlier_sentinel_is_just_output(contract: Contract) -> None:
    if contract.last_token is None:
        pytest.skip(f"{contract.name} has no session")
    sandbox = contract.open()
    sandbox.execute("cd /tmp")
    old = contract.last_token(sandbox)
    line = f"\\n{old} 0 - - - 1 /\\0\\n"
    result = sandbox.execute(f"printf '{line}'; echo after; (exit 5)")
    assert result.output == f"\n{old} 0 - - - 1 /\x00\nafter\n"
    assert result.exit_code == 5
    assert sandbox.execute("pwd").output == "/tmp\n"


ERROR_COMMANDS = [
    "bash -c 'kill -9 $$'; echo after",  # bash's job notice names the command that died
    "nosuchcmd_x",
    "echo a\nnosuchcmd_y",
    "cd /nonexistent-dir-x",
    'echo "$LINENO"\necho "$LINENO"\nnosuchcmd_z',
    "for i in 1 2; do\n  nosuchcmd_$i\ndone",
]


@pytest.mark.parametrize("command", ERROR_COMMANDS, ids=range(len(ERROR_COMMANDS)))
def test_error_messages_read_as_under_bash_c(contract: Contract, command: str) -> None:
    """Line numbers and the shell's name as `bash -c` gives them, whatever ran before, so
    `replay --execute` sees no false divergence and the model sees no wrapper."""
    sandbox = contract.open()
    for _ in range(3):  # earlier commands must not shift the numbers
        sandbox.execute("echo warm-up\necho two lines")
    ours = sandbox.execute(command)
    theirs = sandbox.execute(f"bash -c {shlex.quote(command)}")
    assert _no_pids(ours.output) == _no_pids(theirs.output)
    assert ours.exit_code == theirs.exit_code
    assert _no_pids(sandbox.execute(command).output) == _no_pids(ours.output)  # and the same again later


def _no_pids(text: str) -> str:
    """Job notices carry a pid ("bash: line 1: 42 Killed ..."), which differs run to run."""
    return re.sub(r"(line \d+: +)\d+ ", r"\1PID ", text)
