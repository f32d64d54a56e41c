"""Diff reading behind the eval script and the leak rule."""

from __future__ import annotations

from pathlib import Path

from runners.minibench.dataset import build_rows
from runners.minibench.evalscript import make_eval_script, run_directives
from runners.minibench.patches import blocks_present, existing_files, leak_lines, leaked_into_text, touched_files
from tests.runners.minibench.conftest import write

PATCH = """\
diff --git a/pkg/a.py b/pkg/a.py
index 1111111..2222222 100644
--- a/pkg/a.py
+++ b/pkg/a.py
@@ -1,3 +1,4 @@
 def f(x):
-    return x
+    if x is None:
+        return default_value()
+    return x
diff --git a/tests/test_new.py b/tests/test_new.py
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/tests/test_new.py
@@ -0,0 +1,2 @@
+def test_it():
+    assert True
"""


def test_touched_and_existing_files() -> None:
    assert touched_files(PATCH) == ["pkg/a.py", "tests/test_new.py"]
    assert existing_files(PATCH) == ["pkg/a.py"]
    assert run_directives(PATCH) == ["pkg/a.py", "tests/test_new.py"]


def test_leak_lines_are_long_stripped_added_lines() -> None:
    assert leak_lines(PATCH) == ["if x is None:", "return default_value()", "def test_it():", "assert True"]
    assert leaked_into_text(PATCH, "Calling f(None) should return default_value() instead") == [
        "return default_value()"
    ]
    assert leaked_into_text(PATCH, "return x is fine") == []


def test_blocks_present_finds_the_fix_in_the_target_file() -> None:
    base = "def f(x):\n    return x\n"
    assert blocks_present(PATCH, {"pkg/a.py": base}) == []
    fixed = "def f(x):\n    if x is None:\n        return default_value()\n    return x\n"
    assert blocks_present(PATCH, {"pkg/a.py": fixed})


def test_eval_script_resets_only_test_files_that_exist_at_base() -> None:
    script = make_eval_script("a" * 40, PATCH)
    assert script.count(f"git checkout {'a' * 40} pkg/a.py\n") == 2
    assert "tests/test_new.py\n: '>>>>> End" in script


def test_test_overlay_may_add_a_new_test_file(bench: Path, instance: Path) -> None:
    write(
        instance,
        "tests/tests/test_extra.py",
        "from tiny.core import clamp\n\n\ndef test_top():\n    assert clamp(99, 0, 10) == 10\n",
    )
    meta = (
        (instance / "meta.yaml")
        .read_text()
        .replace(
            '  - "tests/test_core.py::test_clamp_above"\n',
            '  - "tests/test_core.py::test_clamp_above"\n  - "tests/test_extra.py::test_top"\n',
        )
    )
    write(instance, "meta.yaml", meta)
    (row,) = build_rows(bench, require_kinds=False)
    base = row["base_commit"]
    assert f"git checkout {base} tests/test_core.py\n" in row["eval_script"]
    assert "python3 -m pytest -rA tests/test_core.py tests/test_extra.py\n" in row["eval_script"]
    assert "new file mode" in row["test_patch"]
