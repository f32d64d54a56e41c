"""``python -m runners.minibench build-dataset | build-images | validate | predictions``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from runners.minibench import DATASET_PATH, MINIBENCH_DIR
from runners.minibench.errors import MinibenchError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m runners.minibench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build-dataset", help="check every instance and write minibench.jsonl")
    build.add_argument("--root", type=Path, default=MINIBENCH_DIR, help="folder holding repos/ and instances/")
    build.add_argument("--output", type=Path, default=None, help="JSONL to write (default: <root>/minibench.jsonl)")
    build.add_argument("--repo", action="append", dest="repos", help="only this repo (repeatable)")
    build.add_argument("--workers", type=int, default=2)
    build.add_argument(
        "--no-kind-coverage", action="store_true", help="do not require every bug kind per repo (drafts)"
    )
    build.add_argument("--check", action="store_true", help="write nothing; fail if the output file differs")

    images = sub.add_parser("build-images", help="build the instance images that are missing")
    images.add_argument("--dataset", type=Path, default=DATASET_PATH)
    images.add_argument("--instance-ids", nargs="+", default=None)
    images.add_argument("--force", action="store_true", help="rebuild images that exist")

    validate = sub.add_parser("validate", help="prove every instance in its image")
    validate.add_argument("--dataset", type=Path, default=DATASET_PATH)
    validate.add_argument("--instance-ids", nargs="+", default=None)
    validate.add_argument("--workers", type=int, default=2, help="containers at a time (at most 2 advised)")
    validate.add_argument("--no-build", action="store_true", help="do not build missing images first")

    preds = sub.add_parser("predictions", help="write reference predictions (official format) for a runner check")
    preds.add_argument("--kind", required=True, choices=("gold", "empty", "wrong", "break-p2p"))
    preds.add_argument("--output", type=Path, required=True, help="predictions .jsonl to write")
    preds.add_argument("--dataset", type=Path, default=DATASET_PATH)
    preds.add_argument("--instance-ids", nargs="+", default=None)
    return parser


def _predictions(args: argparse.Namespace) -> int:
    import json

    from runners.minibench.predictions import make_predictions
    from runners.minibench.rows import load_rows, select_rows

    rows = select_rows(load_rows(args.dataset), args.instance_ids)
    preds = make_predictions(rows, args.kind)
    args.output.write_text("".join(json.dumps(p) + "\n" for p in preds), encoding="utf-8")
    print(f"wrote {len(preds)} {args.kind} prediction(s) to {args.output}")
    return 0


def _build_dataset(args: argparse.Namespace) -> int:
    from runners.minibench.dataset import build_rows
    from runners.minibench.rows import dumps_rows, write_dataset

    output = args.output or args.root / "minibench.jsonl"
    rows = build_rows(
        args.root,
        repos=args.repos,
        workers=args.workers,
        require_kinds=not args.no_kind_coverage,
        on_row=lambda iid, status: print(f"{iid}: {status}", flush=True),
    )
    if args.check:
        current = output.read_text(encoding="utf-8") if output.is_file() else ""
        if current != dumps_rows(rows):
            print(f"{output} is out of date: run `python -m runners.minibench build-dataset`", file=sys.stderr)
            return 1
        print(f"{output} is up to date ({len(rows)} rows)")
        return 0
    write_dataset(rows, output)
    print(f"wrote {len(rows)} rows to {output}")
    return 0


def _build_images(args: argparse.Namespace) -> int:
    from runners.minibench.images import ensure_images
    from runners.minibench.rows import load_rows, select_rows

    rows = select_rows(load_rows(args.dataset), args.instance_ids)
    ensure_images(rows, force=args.force, on_image=lambda image, status: print(f"{image}: {status}", flush=True))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from runners.minibench.images import ensure_images
    from runners.minibench.rows import load_rows, select_rows
    from runners.minibench.validate import format_table, validate_rows

    rows = select_rows(load_rows(args.dataset), args.instance_ids)
    if not args.no_build:
        ensure_images(rows, on_image=lambda image, status: print(f"{image}: {status}", flush=True))
    started = time.monotonic()
    results = validate_rows(rows, workers=args.workers)
    print(format_table(results))
    print(f"validated {len(results)} instance(s) in {time.monotonic() - started:.0f} s with {args.workers} worker(s)")
    failed = [r.instance_id for r in results if not r.ok]
    if failed:
        print(f"{len(failed)} of {len(results)} instance(s) failed validation: {failed}", file=sys.stderr)
        return 1
    print(f"all {len(results)} instance(s) valid")
    return 0


def main(argv: list[str] | None = None) -> int:
    from sandbox.errors import SandboxError

    args = _parser().parse_args(argv)
    commands = {
        "build-dataset": _build_dataset,
        "build-images": _build_images,
        "validate": _validate,
        "predictions": _predictions,
    }
    try:
        return commands[args.command](args)
    except (MinibenchError, SandboxError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
