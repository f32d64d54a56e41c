"""Gold evaluation of the bundled benchmark: patchloop's runner vs the official harness.

Both evaluate the 30 minibench gold patches on the SAME local images: ours through
``python -m runners.swebench --dataset minibench --predictions gold``, theirs through
swebench 5.x's ``python -m swebench.harness.run_evaluation`` in its own venv
(``bench/.envs/swebench5``), fed the minibench rows (which carry image/eval_script/
log_parser/eval_type like v5 rows). Prints verdict agreement and wall times, with 1 and
4 workers.

    python bench/eval_bench.py [--workers 1 4] [--instances N]

The venv is made on first use: ``python -m venv bench/.envs/swebench5 &&
bench/.envs/swebench5/bin/pip install 'swebench>=5,<6'``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OFFICIAL_PY = ROOT / "bench" / ".envs" / "swebench5" / "bin" / "python"


def ensure_official_venv() -> None:
    if OFFICIAL_PY.exists():
        return
    venv = OFFICIAL_PY.parents[1]
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "swebench>=5,<6"], check=True)


def run_ours(dataset: Path, workers: int, work: Path) -> tuple[float, dict[str, bool]]:
    out = work / f"ours-{workers}"
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "runners.swebench",
            "--dataset",
            str(dataset),
            "--predictions",
            "gold",
            "--workers",
            str(workers),
            "--output",
            str(out),
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.monotonic() - started
    verdicts = {}
    for path in out.glob("*/report.json"):
        iid = path.parent.name
        verdicts[iid] = bool(json.loads(path.read_text())[iid]["resolved"])
    return wall, verdicts


def _remove_official_containers(run_id: str) -> None:
    """The harness names its containers sweb.eval.<iid>.<run_id>; remove any it left."""
    names = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"name=.{run_id}"], capture_output=True, text=True
    ).stdout.split()
    if names:
        subprocess.run(["docker", "rm", "-f", *names], capture_output=True)


def run_official(dataset: Path, workers: int, work: Path) -> tuple[float, dict[str, bool]]:
    cwd = work / f"official-{workers}"
    cwd.mkdir()
    run_id = f"plbench-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    try:
        subprocess.run(
            [
                str(OFFICIAL_PY),
                "-m",
                "swebench.harness.run_evaluation",
                "-d",
                str(dataset),
                "-p",
                "gold",
                "--max_workers",
                str(workers),
                "--run_id",
                run_id,
                "--report_dir",
                str(cwd),
            ],
            cwd=cwd,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        wall = time.monotonic() - started
        _remove_official_containers(run_id)
    verdicts = {}
    for path in (cwd / "logs" / "run_evaluation" / run_id).glob("*/*/report.json"):
        iid = path.parent.name
        verdicts[iid] = bool(json.loads(path.read_text())[iid]["resolved"])
    return wall, verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--instances", type=int, default=None, help="only the first N minibench rows")
    args = parser.parse_args()

    from runners.minibench import DATASET_PATH, ensure_images

    rows = [json.loads(line) for line in Path(DATASET_PATH).read_text().splitlines() if line.strip()]
    rows = rows[: args.instances] if args.instances else rows
    ensure_images(rows)
    ensure_official_venv()
    results = []
    with tempfile.TemporaryDirectory(prefix="patchloop-eval-bench-") as tmp:
        work = Path(tmp)
        dataset = work / "minibench.jsonl"
        dataset.write_text("".join(json.dumps(r) + "\n" for r in rows))
        for workers in args.workers:
            ours_wall, ours = run_ours(dataset, workers, work)
            theirs_wall, theirs = run_official(dataset, workers, work)
            results.append((workers, ours_wall, theirs_wall, ours, theirs))

    n = len(rows)
    print(f"\nGold evaluation of {n} minibench instances (same images, same predictions)\n")
    print(
        "| workers | patchloop wall s | official (swebench 5.0.2) wall s | ours / theirs | "
        "resolved ours | resolved theirs | verdicts identical |"
    )
    print("|---|---|---|---|---|---|---|")
    ok = True
    for workers, ours_wall, theirs_wall, ours, theirs in results:
        same = ours == theirs and len(ours) == n
        ok = ok and same
        print(
            f"| {workers} | {ours_wall:.1f} | {theirs_wall:.1f} | {ours_wall / theirs_wall:.2f} | "
            f"{sum(ours.values())}/{n} | {sum(theirs.values())}/{n} | {'yes' if same else 'NO'} |"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
