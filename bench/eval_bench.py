"""Gold evaluation of the bundled benchmark: patchloop's runner vs the official harness.

Both evaluate the 30 minibench gold patches on the SAME local images: ours through
``python -m runners.swebench --dataset minibench --predictions FILE``, theirs through
swebench 5.0.2's ``python -m swebench.harness.run_evaluation`` in its own venv
(``runners.swebench.official``: ``<cache root>/envs/swebench-5.0.2``, made on first use),
fed the same rows and the same predictions file. Prints verdict agreement and wall times,
with 1 and 4 workers.

    python bench/eval_bench.py [--workers 1 4] [--instances N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--instances", type=int, default=None, help="only the first N minibench rows")
    args = parser.parse_args()

    from runners.minibench import DATASET_PATH, ensure_images
    from runners.swebench import official
    from runners.swebench.side_by_side import compare, run_ours, write_predictions

    rows = [json.loads(line) for line in Path(DATASET_PATH).read_text().splitlines() if line.strip()]
    rows = rows[: args.instances] if args.instances else rows
    ensure_images(rows)
    python = official.ensure_python()
    plan = {row["instance_id"]: ("gold", row["patch"]) for row in rows}
    results = []
    with tempfile.TemporaryDirectory(prefix="patchloop-eval-bench-") as tmp:
        work = Path(tmp)
        predictions = write_predictions(work / "gold.jsonl", plan)
        for workers in args.workers:
            ours_wall = run_ours("minibench", predictions, work / f"ours-{workers}", workers=workers)
            theirs = official.run_evaluation(
                python,
                Path(DATASET_PATH),
                predictions,
                list(plan),
                work_dir=work / f"official-{workers}",
                model_name="patchloop-side-by-side",
                workers=workers,
            )
            rows_compared = compare(work / f"ours-{workers}", theirs, plan)
            results.append((workers, ours_wall, theirs.wall_s, rows_compared))

    n = len(rows)
    print(f"\nGold evaluation of {n} minibench instances (same images, same predictions)\n")
    print(
        "| workers | patchloop wall s | official (swebench 5.0.2) wall s | ours / theirs | "
        "resolved ours | resolved theirs | verdicts identical |"
    )
    print("|---|---|---|---|---|---|---|")
    ok = True
    for workers, ours_wall, theirs_wall, compared in results:
        same = all(r.agrees for r in compared) and len(compared) == n
        ok = ok and same
        ours_resolved = sum(r.ours == "resolved" for r in compared)
        theirs_resolved = sum(r.theirs == "resolved" for r in compared)
        print(
            f"| {workers} | {ours_wall:.1f} | {theirs_wall:.1f} | {ours_wall / theirs_wall:.2f} | "
            f"{ours_resolved}/{n} | {theirs_resolved}/{n} | {'yes' if same else 'NO'} |"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
