"""The eval script as the official harness (swebench 5.x) runs it, derived from the row's.

A row's ``eval_script`` stays as it is on disk. At run time the 5.x harness rebuilds it
(``make_test_spec``): the ``#!/bin/bash`` and ``set -uxo pipefail`` lines are set at the
top, and the test command's own exit status is captured just before the end-of-output
marker and echoed after it as ``>>>>> Test Exit Code: N``. Without that line a patch can
print its own ``PASSED`` lines (from a conftest hook, say) and nothing in the log
contradicts them; with it, grading rejects a non-zero exit status whose log shows no
failure. The scripts end with a ``git checkout`` of the test files, so the script's own
exit status says nothing about the tests.

This module does the same rewrite (it is proved byte-identical to the package's on every
shipped Lite row and every bundled-benchmark row), so the runner catches that spoof on
every row, whatever the row's script says.
"""

from __future__ import annotations

HEADER = ("#!/bin/bash", "set -uxo pipefail")


def _markers() -> tuple[str, str, str]:
    from swebench.harness.constants import END_TEST_OUTPUT, TEST_EXIT_CODE, TEST_EXIT_CODE_VAR

    return END_TEST_OUTPUT, TEST_EXIT_CODE, TEST_EXIT_CODE_VAR


def runtime_body(script: str) -> list[str]:
    """The lines that follow the header in the script that runs.

    The test exit status is recorded around the first end-marker line; a script with no
    such line is left without the record (its log cannot be graded anyway: grading needs
    both markers).
    """
    end_marker, exit_marker, variable = _markers()
    body = [line for line in script.strip().split("\n") if line not in HEADER]
    for index, line in enumerate(body):
        if end_marker in line:
            body[index : index + 1] = [f"{variable}=$?", line, f'echo "{exit_marker}: ${variable}"']
            break
    return body


def runtime_script(script: str) -> str:
    """The script that runs: the header, then :func:`runtime_body`."""
    return "\n".join([*HEADER, *runtime_body(script)]) + "\n"


def test_command_lines(script: str) -> list[str]:
    """The lines between the start and end markers of a script: the test command(s)."""
    from swebench.harness.constants import END_TEST_OUTPUT, START_TEST_OUTPUT

    lines = script.split("\n")
    starts = [i for i, line in enumerate(lines) if START_TEST_OUTPUT in line]
    if not starts:
        return []
    tail = lines[starts[0] + 1 :]
    ends = [i for i, line in enumerate(tail) if END_TEST_OUTPUT in line]
    return tail[: ends[0]] if ends else []
