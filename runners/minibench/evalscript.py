"""The eval script of a row, shaped like SWE-bench 4.1.0's ``make_eval_script_list_py``."""

from __future__ import annotations

from runners.minibench.patches import existing_files, touched_files

HEREDOC_DELIMITER = "EOF_114329324912"
START_TEST_OUTPUT = ">>>>> Start Test Output"
END_TEST_OUTPUT = ">>>>> End Test Output"
REPO_DIRECTORY = "/testbed"
TEST_COMMAND = "python3 -m pytest -rA"


def run_directives(test_patch: str) -> list[str]:
    """The test files the eval script runs: every ``.py`` file the test patch touches."""
    return [path for path in touched_files(test_patch) if path.endswith(".py")]


def make_eval_script(base_commit: str, test_patch: str) -> str:
    """Bash that resets the test files, applies ``test_patch``, runs them between markers, resets."""
    files = existing_files(test_patch)
    reset = f"git checkout {base_commit} {' '.join(files)}" if files else ": 'no existing test files to reset'"
    lines = [
        "#!/bin/bash",
        "set -uxo pipefail",
        f"cd {REPO_DIRECTORY}",
        f"git config --global --add safe.directory {REPO_DIRECTORY}",
        f"cd {REPO_DIRECTORY}",
        "git status",
        "git show",
        f"git -c core.fileMode=false diff {base_commit}",
        reset,
        f"git apply -v - <<'{HEREDOC_DELIMITER}'\n{test_patch}\n{HEREDOC_DELIMITER}",
        f": '{START_TEST_OUTPUT}'",
        " ".join([TEST_COMMAND, *run_directives(test_patch)]),
        f": '{END_TEST_OUTPUT}'",
        reset,
    ]
    return "\n".join(lines) + "\n"
