"""A full disk: one line, what finished is kept (the report written when there is room), and
the rerun resumes once there is space. The output is a small real tmpfs."""

from __future__ import annotations

import subprocess
import time

import pytest
from helpers.runner import cli, inner, report, run_id, write_rows

from runners.swebench.containers import count_containers
from runners.swebench.run import EXIT_OK, EXIT_STOPPED

pytestmark = [pytest.mark.docker, pytest.mark.slow]
SIZE_KB = 4096
FREE_KB = 900
OUTPUT_KB = 250  # each instance's test_output.txt


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE_KB}k", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip() or proc.returncode}): needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(mount, free_kb: int):
    import os

    stat = os.statvfs(mount)
    filler = mount / "filler"
    filler.write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize - free_kb * 1024))
    return filler


def test_a_full_disk_is_one_line_keeps_what_finished_and_the_rerun_resumes(tiny_rows, tmp_path, small_disk):
    loud = [
        dict(
            row,
            instance_id=f"{row['instance_id']}-{k}",
            eval_script=row["eval_script"].replace(
                ": '>>>>> Start Test Output'",
                f"head -c {OUTPUT_KB * 1024} /dev/zero | tr '\\\\0' x\n: '>>>>> Start Test Output'",
            ),
        )
        for k in range(4)
        for row in tiny_rows
    ]
    data = write_rows(tmp_path / "loud.jsonl", loud)
    out = small_disk / "out"
    filler = _fill(small_disk, FREE_KB)
    args = ("--dataset", str(data), "--predictions", "gold", "--output", str(out))
    started = time.monotonic()
    proc = cli(*args)
    took = time.monotonic() - started
    assert proc.returncode == EXIT_STOPPED, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("error: no space left on the device") and "rerun the same command" in lines[0]
    finished = {p.parent.name: inner(out, p.parent.name) for p in out.glob("*/report.json")}
    done = {iid: rep["finished_at"] for iid, rep in finished.items() if rep["status"] == "resolved"}
    assert 1 <= len(done) < len(loud), finished
    print(f"[measure] disk full after {len(done)} instances; run stopped in {took:.1f} s; {lines[0]}")
    if (out / "report.json").exists():  # written when there was room: it is whole and adds up
        rep = report(out)
        assert rep["total_instances"] == len(loud) and rep["resolved_instances"] == len(done)
    filler.unlink()
    again = cli(*args)
    assert again.returncode == EXIT_OK, again.stderr
    rep = report(out)
    assert rep["resolved_instances"] == len(loud), rep
    for iid, stamp in done.items():  # finished work is kept, not redone
        assert inner(out, iid)["finished_at"] == stamp
    assert count_containers(run_id(out)) == 0
