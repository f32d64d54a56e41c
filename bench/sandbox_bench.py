"""Sandbox benchmark: round trip, start, close and timeout, against the plain Docker ways.

Run from the repository root:  .venv/bin/python bench/sandbox_bench.py [--image IMAGE] [--n N]

Every container it creates is labelled patchloop.managed=1 / patchloop.run_id=bench-...
and removed at the end.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandbox import DockerSandbox, LocalSandbox
from sandbox.cleanup import cleanup
from sandbox.docker.container import exists
from sandbox.engine import connect


def median_ms(fn: Callable[[], object], n: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def gone(client, container_id: str) -> bool:
    return not exists(client, container_id)


def fresh_bash_ms(n: int) -> float:
    """What the local backend did before its session: one bash per command."""
    return median_ms(lambda: subprocess.run(["bash", "--noprofile", "--norc", "-c", "true"], check=True), n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default="patchloop-base:bookworm")
    parser.add_argument("--n", type=int, default=200, help="samples for the session round trip")
    parser.add_argument("--n-slow", type=int, default=30, help="samples for the slow paths")
    parser.add_argument("--starts", type=int, default=7, help="container starts to time")
    parser.add_argument("--skip-stop", action="store_true", help="skip the 10 s docker stop row")
    args = parser.parse_args()

    run_id = f"bench-{uuid.uuid4().hex[:8]}"
    labels = ["--label", "patchloop.managed=1", "--label", f"patchloop.run_id={run_id}"]
    client = connect()
    rows: list[tuple[str, str, str]] = []
    try:
        # --- round trip of `true`, all on the same container ------------------------------
        sbx = DockerSandbox(args.image, run_id=run_id)
        cid = sbx.container_id
        session = median_ms(lambda: sbx.execute("true"), args.n)
        cli = median_ms(lambda: subprocess.run(["docker", "exec", cid, "true"], check=True), args.n_slow)
        container = client.containers.get(cid)
        exec_run = median_ms(lambda: container.exec_run(["true"]), args.n_slow)
        sbx.mode = "exec"
        exec_mode = median_ms(lambda: sbx.execute("true"), args.n_slow)
        sbx.mode = "session"
        rows += [
            (
                "round trip `true`: DockerSandbox.execute (session)",
                f"{session:.2f} ms",
                f"<= 5 ms and >= 10x faster than docker exec: {cli / session:.0f}x",
            ),
            ("round trip `true`: fresh `docker exec` CLI", f"{cli:.1f} ms", "reference"),
            ("round trip `true`: docker-py exec_run", f"{exec_run:.1f} ms", "reference"),
            ("round trip `true`: DockerSandbox mode=exec", f"{exec_mode:.1f} ms", "alternative mode"),
        ]

        # --- timeout: returns on time and leaves nothing running --------------------------
        started = time.perf_counter()
        result = sbx.execute("sleep 1000", timeout=1)
        took = time.perf_counter() - started
        left = sbx.execute("ps -eo args | grep -c '^sleep 1000' || true").output.strip()
        rows.append(
            (
                "timeout=1 on `sleep 1000`: returned after",
                f"{took:.2f} s",
                f"<= 3 s; timed_out={result.timed_out}, processes left: {left}",
            )
        )
        started = time.perf_counter()
        result = sbx.execute("setsid bash -c 'while :; do :; done; : pl-bench-loop' & sleep 1000", timeout=1)
        took = time.perf_counter() - started
        time.sleep(0.3)
        left = sbx.execute("ps -eo args | grep -c '^bash -c while.*pl-bench-loop' || true").output.strip()
        rows.append(
            (
                "timeout=1 on a setsid busy loop: returned after",
                f"{took:.2f} s",
                f"<= 3 s; timed_out={result.timed_out}, processes left: {left} (was 1, at 73% CPU)",
            )
        )
        sbx.close()

        # --- start to first command -------------------------------------------------------
        ours, theirs, close_times, gone_checks = [], [], [], []
        for _ in range(args.starts):
            started = time.perf_counter()
            box = DockerSandbox(args.image, run_id=run_id)
            box.execute("true")
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            box.close()
            close_times.append(time.perf_counter() - started)
            gone_checks.append(gone(client, box.container_id))

            started = time.perf_counter()
            name = f"pl-bench-{uuid.uuid4().hex[:8]}"
            subprocess.run(
                ["docker", "run", "-d", "--rm", "--name", name, *labels, args.image, "sleep", "2h"],
                check=True,
                capture_output=True,
            )
            subprocess.run(["docker", "exec", name, "true"], check=True)
            theirs.append(time.perf_counter() - started)
            subprocess.run(["docker", "rm", "-f", name], check=True, capture_output=True)
        rows += [
            ("start to first command: DockerSandbox", f"{statistics.median(ours):.3f} s", "<= 0.35 s"),
            (
                "start to first command: `docker run -d` + `docker exec` (mini-swe-agent way)",
                f"{statistics.median(theirs):.3f} s",
                "reference",
            ),
            (
                "close until the container is gone: DockerSandbox.close",
                f"{statistics.median(close_times) * 1000:.0f} ms",
                f"< 300 ms; gone right after close: {all(gone_checks)}",
            ),
        ]
        if not args.skip_stop:
            name = f"pl-bench-{uuid.uuid4().hex[:8]}"
            subprocess.run(
                ["docker", "run", "-d", "--rm", "--name", name, *labels, args.image, "sleep", "2h"],
                check=True,
                capture_output=True,
            )
            started = time.perf_counter()
            subprocess.run(["docker", "stop", name], check=True, capture_output=True)
            while not gone(client, name):
                time.sleep(0.01)
            rows.append(
                (
                    "close until gone: `docker stop` (mini-swe-agent way)",
                    f"{(time.perf_counter() - started) * 1000:.0f} ms",
                    "reference",
                )
            )

        with tempfile.TemporaryDirectory() as root:
            local = LocalSandbox(root)
            local_ms = median_ms(lambda: local.execute("true"), args.n)
            confined = local.confined
            local.close()
            loose = LocalSandbox(root, unsafe_unconfined=True)
            loose_ms = median_ms(lambda: loose.execute("true"), args.n)
            loose.close()
        before_ms = fresh_bash_ms(args.n_slow)
        rows += [
            (
                "round trip `true`: LocalSandbox (session, bwrap)",
                f"{local_ms:.2f} ms",
                f"persistent shell; confined={confined}; {before_ms / local_ms:.0f}x faster than before",
            ),
            ("round trip `true`: LocalSandbox (session, unconfined)", f"{loose_ms:.2f} ms", "unsafe_unconfined"),
            ("round trip `true`: one bash per command (LocalSandbox before)", f"{before_ms:.1f} ms", "reference"),
        ]
    finally:
        cleanup(run_id, client=client)
        client.close()

    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"{'measurement':<{width}}  {'value':>{value_width}}  target / note")
    print(f"{'-' * width}  {'-' * value_width}  {'-' * 40}")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>{value_width}}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
