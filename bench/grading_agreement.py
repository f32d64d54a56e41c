"""Verdict agreement with the official harness on the whole bundled benchmark, every kind.

For each prediction kind (gold, empty, wrong, break-p2p and every exploit of
``runners/swebench/exploits.py``) the 30 minibench instances are graded end to end by our
runner (``python -m runners.swebench --dataset minibench --predictions FILE``) and by
swebench 5.0.2's ``run_evaluation`` (its own venv, made on first use) on the same rows,
images and predictions. Prints the agreement table: per kind, instances whose verdict and
per-test lists are identical, resolved counts on both sides, and how many we flagged.
Exit status 1 on any disagreement.

    python bench/grading_agreement.py [--kinds gold spoof-passed ...] [--instances N] [--workers 4]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path


def main() -> int:
    from runners.swebench.side_by_side import KINDS

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--instances", type=int, default=None, help="only the first N minibench rows")
    parser.add_argument("--workers", type=int, default=4, help="workers of each harness")
    parser.add_argument("--keep", type=Path, default=None, help="keep both harnesses' outputs in this folder")
    args = parser.parse_args()

    from runners.minibench import DATASET_PATH, ensure_images
    from runners.swebench import official
    from runners.swebench.side_by_side import agreement_table, compare, patch_for, run_ours, write_predictions

    rows = [json.loads(line) for line in Path(DATASET_PATH).read_text().splitlines() if line.strip()]
    rows = rows[: args.instances] if args.instances else rows
    ensure_images(rows)
    python = official.ensure_python()
    compared = []
    walls = []
    with tempfile.TemporaryDirectory(prefix="patchloop-agreement-") as tmp:
        root = args.keep or Path(tmp)
        for kind in args.kinds:
            work = root / kind
            work.mkdir()
            plan = {row["instance_id"]: (kind, patch_for(kind, row)) for row in rows}
            predictions = write_predictions(work / "preds.jsonl", plan)
            ours_wall = run_ours("minibench", predictions, work / "ours", workers=args.workers)
            theirs = official.run_evaluation(
                python,
                Path(DATASET_PATH),
                predictions,
                list(plan),
                work_dir=work / "official",
                model_name="patchloop-side-by-side",
                workers=args.workers,
            )
            compared.extend(compare(work / "ours", theirs, plan))
            walls.append((kind, ours_wall, theirs.wall_s))
            print(f"{kind}: ours {ours_wall:.1f} s, official {theirs.wall_s:.1f} s", file=sys.stderr)
    print(f"\nVerdict agreement, {len(rows)} minibench instances per kind (swebench 5.0.2 run_evaluation)\n")
    print(agreement_table(compared))
    for r in compared:
        if not r.agrees:
            print(
                f"differs: {r.instance_id} ({r.kind}): ours {r.ours}, official {r.theirs}, tests equal {r.tests_equal}"
            )
    total = sum(r.agrees for r in compared)
    print(
        f"\n{total}/{len(compared)} identical; wall time ours {sum(w[1] for w in walls):.0f} s, "
        f"official {sum(w[2] for w in walls):.0f} s"
    )
    return 0 if total == len(compared) else 1


if __name__ == "__main__":
    sys.exit(main())
