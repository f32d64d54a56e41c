"""The top of ``python -m runners.swebench``: checks, selection, the pool, the outputs."""

from __future__ import annotations

import functools
import signal
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from runners.swebench.errors import RunnerError

EXIT_OK, EXIT_ERROR, EXIT_INTERRUPTED = 0, 2, 130


def run_id_for(out_dir: Path | None, requested: str | None, model_name: str, *, redo: bool = False) -> str:
    """The run id: an existing ``--output``'s own (a resume), else ``--run-id``, else a new one.

    Resuming skips finished instances, so an output folder holding another model's results
    is refused (their verdicts would be mixed into this model's report) unless ``--redo``.
    """
    from runners.swebench.files import read_json

    meta = read_json(out_dir / "run.json") if out_dir is not None else None
    if not (isinstance(meta, dict) and meta.get("run_id")):
        return requested or time.strftime("%Y%m%d-%H%M%S-", time.gmtime()) + uuid.uuid4().hex[:6]
    if requested and requested != meta["run_id"]:
        raise RunnerError(f"{out_dir} belongs to run {meta['run_id']}; drop --run-id or pick another --output")
    earlier = meta.get("model_name_or_path")
    if earlier and earlier != model_name and not redo:
        raise RunnerError(
            f"{out_dir} holds the results of {earlier!r}, not {model_name!r}: pick another --output "
            "(or --redo to replace them)"
        )
    return str(meta["run_id"])


def _install_signals(pool) -> dict[int, Any]:
    """First Ctrl-C/SIGTERM: stop gracefully. A second one: stop waiting (the report is still written)."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(_signum: int, _frame: Any) -> None:
        if pool.interrupted.is_set():
            raise KeyboardInterrupt
        print("stopping: in-flight instances are interrupted (Ctrl-C again to stop waiting)", file=sys.stderr)
        pool.interrupt()

    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.getsignal(signum)
        signal.signal(signum, handler)
    return previous


def choose(args, instances: list, predictions: dict[str, str | None] | None) -> list:
    """The instances to run: with ``--predictions``, the selectors pick among the predicted ones
    (``--n 5`` is five predictions, wherever they stand in the dataset)."""
    from runners.swebench.dataset import select
    from runners.swebench.errors import PredictionsError

    pool = instances
    if predictions is not None:
        pool = [inst for inst in instances if inst.instance_id in predictions]
        known = {inst.instance_id for inst in instances}
        lacking = [iid for iid in args.instance_ids or [] if iid in known and iid not in predictions]
        if lacking:
            raise PredictionsError(f"{args.predictions} has no prediction for {', '.join(lacking)} (--instance-ids)")
    chosen = select(
        pool,
        instance_ids=args.instance_ids,
        filter_regex=args.filter,
        slice_text=args.slice,
        shuffle=args.shuffle,
        seed=args.seed,
        n=args.n,
    )
    if not chosen:
        among = f"{len(pool)} instances" + (" with a prediction" if predictions is not None else "")
        raise RunnerError(f"the selection is empty: none of the {among} is left after --filter/--slice/--n")
    return chosen


def run(args) -> int:
    from runners.swebench.containers import check_docker, check_images, open_docker_sandbox, reap
    from runners.swebench.dataset import MINIBENCH, load_instances
    from runners.swebench.files import write_json_atomic
    from runners.swebench.images import image_for
    from runners.swebench.pipeline import Pool, PoolOptions, needs_run
    from runners.swebench.predictions import load_predictions
    from runners.swebench.progress import make_progress, print_summary
    from runners.swebench.report import summarize, write_outputs
    from runners.swebench.specs import eval_script_for

    check_docker()  # before anything is written
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity(datasets.logging.CRITICAL)  # its errors come back as one DatasetError line
    agent = None
    if not args.predictions:  # an agent run: its config, model and plugins fail now, not per instance
        from runners.swebench.agent_phase import make_agent_phase

        agent = make_agent_phase(
            args.model,
            config_files=args.config_files,
            overrides=args.overrides,
            plugins=args.plugin,
            tools=args.tools,
            dataset=args.dataset,
        )
    instances = load_instances(args.dataset, args.split)
    predictions = None
    model_name = agent.model_name if agent else ""
    if args.predictions:
        model_name, predictions = load_predictions(args.predictions, instances)
    chosen = choose(args, instances, predictions)
    eval_scripts = {inst.instance_id: eval_script_for(inst) for inst in chosen}
    if args.dataset == MINIBENCH and not args.image_template:
        from runners.minibench import ensure_images
        from runners.minibench.errors import MinibenchError

        try:
            ensure_images([inst.row for inst in chosen])
        except MinibenchError as exc:
            raise RunnerError(f"minibench images: {exc}") from None

    out_dir = Path(args.output) if args.output else None
    run_id = run_id_for(out_dir, args.run_id, model_name, redo=args.redo)
    out_dir = out_dir or Path("runs") / run_id
    options = PoolOptions(
        out_dir=out_dir,
        run_id=run_id,
        workers=args.workers,
        eval_timeout=args.eval_timeout,
        instance_timeout=args.instance_timeout,
        max_cost=args.max_cost,
        image_template=args.image_template,
        redo=args.redo,
        retry_errors=args.retry_errors,
        eval_network=args.eval_network,
    )
    check_images(
        [
            image_for(inst, args.image_template)
            for inst in chosen
            if needs_run(out_dir, inst.instance_id, redo=args.redo, retry_errors=args.retry_errors)
        ]
    )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(
            out_dir / "run.json",
            {
                "run_id": run_id,
                "argv": sys.argv[1:],
                "dataset": args.dataset,
                "split": args.split,
                "model_name_or_path": model_name,
                "eval_network": "bridge" if args.eval_network else "none",
                "instance_ids": [inst.instance_id for inst in chosen],
            },
        )
    except OSError as exc:
        raise RunnerError(
            f"cannot write the run's outputs to {out_dir}: {exc.strerror or exc}; pick another --output"
        ) from None
    reap(run_id)  # containers a killed earlier attempt of this run left behind
    started = time.monotonic()
    progress = make_progress(args.workers)
    pool = Pool(
        chosen,
        eval_scripts,
        options,
        open_sandbox=functools.partial(open_docker_sandbox, eval_network=options.eval_network),
        progress=progress,
        agent=agent,
        predictions=predictions,
        model_name=model_name,
    )
    previous = _install_signals(pool)
    try:
        pool.run()
    except KeyboardInterrupt:
        pass  # a second signal: the workers are daemon threads; write what is finished and leave
    finally:
        progress.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        leftovers = reap(run_id)
        ids = [inst.instance_id for inst in chosen]
        summary = summarize(out_dir, ids, model_name=model_name, elapsed_s=time.monotonic() - started)
        summary.report["reaped_containers"] = leftovers  # still there at the end (the harness's "unstopped")
        write_outputs(out_dir, summary)
    print_summary(summary.report, str(out_dir))
    if pool.interrupted.is_set():
        print("interrupted: rerun the same command to finish the remaining instances", file=sys.stderr)
        return EXIT_INTERRUPTED
    not_run = summary.report["incomplete_instances"]
    if pool.stop_event.is_set() and args.max_cost is not None and not_run:
        print(
            f"stopped scheduling: --max-cost {args.max_cost} reached (${summary.report['cost_usd']:.4f} spent); "
            f"{not_run} instance(s) not run: rerun with a higher --max-cost to finish them",
            file=sys.stderr,
        )
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    from runners.swebench.cli import parse_args

    args = parse_args(argv)
    try:
        return run(args)
    except RunnerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:  # outside the pool's own handler: loading the dataset, building images
        print("interrupted: nothing was run", file=sys.stderr)
        return EXIT_INTERRUPTED
