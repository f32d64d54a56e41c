"""The top of ``python -m runners.swebench``: checks, selection, the pool, the outputs.

Everything that can refuse the run is checked before anything is written (Docker, config,
model and plugins, every dataset row, predictions, selection, image names, the output
folder). Then the output is locked (one run per output), ``run.json`` written, what a
killed earlier attempt left reaped, and the pool run under the stop signals; the run's
outputs are rebuilt from the per-instance reports whatever happened.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from patchloop.errors import PatchloopError, UserError
from runners.swebench.errors import RunnerError
from runners.swebench.plan import choose, prepare, run_id_for

__all__ = ["choose", "main", "run", "run_id_for", "say"]

EXIT_OK, EXIT_ERROR, EXIT_ALL_ERRORS, EXIT_STOPPED, EXIT_INTERRUPTED = 0, 2, 3, 4, 130


def say(text: str) -> None:
    """One line on stderr; a terminal that is gone (SIGHUP) is no reason to stop writing the report."""
    try:
        print(text, file=sys.stderr, flush=True)
    except OSError:
        pass


def _claim_output(args, plan: dict[str, Any]):
    """Lock the output and write ``run.json``; a failure is one line (nothing has run)."""
    from runners.swebench.failures import disk_full
    from runners.swebench.lock import OutputLock
    from runners.swebench.outdir import OutputDir
    from runners.swebench.redaction import redact_argv

    options, redactor = plan["options"], plan["redactor"]
    out = OutputDir(options.out_dir)
    lock = OutputLock(out)
    try:
        lock.acquire(redact=redactor.text)
        out.write_json(
            "run.json",
            redactor.value(
                {
                    "run_id": options.run_id,
                    "argv": redact_argv(args.argv, redactor),
                    "dataset": args.dataset,
                    "split": args.split,
                    "model_name_or_path": plan["model_name"],
                    "eval_network": "bridge" if args.eval_network else "none",
                    "instance_ids": [inst.instance_id for inst in plan["chosen"]],
                }
            ),
        )
    except OSError as exc:
        lock.release()
        reason = "no space left on the device" if disk_full(exc) else exc.strerror or str(exc)
        raise RunnerError(
            f"cannot write the run's outputs to {options.out_dir}: {reason}; pick another --output"
        ) from None
    except BaseException:
        lock.release()
        raise
    return lock


def _execute(plan: dict[str, Any]) -> tuple[Any, dict[str, Any], bool]:
    """The pool under the stop signals, then the outputs (always)."""
    import functools

    from runners.swebench.containers import open_docker_sandbox, reap
    from runners.swebench.errors import DiskFullError
    from runners.swebench.failures import disk_full, disk_full_message
    from runners.swebench.pipeline import InstancePipeline
    from runners.swebench.pool import Pool
    from runners.swebench.progress import make_progress
    from runners.swebench.report import summarize, write_outputs
    from runners.swebench.signals import stop_on_signals

    options, chosen = plan["options"], plan["chosen"]
    progress = make_progress(options.workers)
    pipeline = InstancePipeline(
        plan["eval_scripts"],
        options,
        open_sandbox=functools.partial(open_docker_sandbox, eval_network=options.eval_network),
        agent=plan["agent"],
        predictions=plan["predictions"],
        model_name=plan["model_name"],
    )
    pool = Pool(
        chosen,
        options,
        work=pipeline,
        progress=progress,
        on_cancel=pipeline.close,
        redactor=plan["redactor"],
        say=say,
    )
    started = time.monotonic()
    with stop_on_signals(pool.interrupt):
        try:
            reap(options.run_id)  # containers a killed earlier attempt of this run left behind
            pool.run()
        finally:
            progress.stop()
            try:
                leftovers: list[str] | None = reap(options.run_id)
            except PatchloopError:  # the engine went away: its containers went with it, or stay for cleanup
                leftovers = None
            ids = [inst.instance_id for inst in chosen]
            elapsed = time.monotonic() - started
            summary = summarize(options.out_dir, ids, model_name=plan["model_name"], elapsed_s=elapsed)
            summary.report["reaped_containers"] = leftovers  # still there at the end (the harness's "unstopped")
            written = True
            try:
                write_outputs(options.out_dir, summary, plan["redactor"])
            except OSError as exc:
                full = disk_full(exc)
                if full is None:
                    raise
                written = False
                pool.failure = pool.failure or DiskFullError(
                    f"{disk_full_message(full)}: the run stopped; free space under {options.out_dir} "
                    "and rerun the same command to resume"
                )
    return pool, summary.report, written


def _exit_code(args, pool, report: dict[str, Any], out_dir: Path, written: bool) -> int:
    if pool.failure is not None:
        unwritten = "" if written else " (the run report could not be written: the rerun writes it)"
        say(f"error: {pool.failure}{unwritten}")
        return EXIT_STOPPED
    if pool.interrupted.is_set():
        say("interrupted: rerun the same command to finish the remaining instances")
        return EXIT_INTERRUPTED
    not_run = report["incomplete_instances"]
    if pool.stop_event.is_set() and args.max_cost is not None and not_run:
        say(
            f"stopped scheduling: --max-cost {args.max_cost} reached (${report['cost_usd']:.4f} spent); "
            f"{not_run} instance(s) not run: rerun with a higher --max-cost to finish them"
        )
    total = report["total_instances"]
    if total and report["error_instances"] == total:
        say(
            f"error: every instance ended in error ({total}/{total}): see error and error_class in "
            f"{out_dir}/<instance>/report.json; rerun with --retry-errors to redo them"
        )
        return EXIT_ALL_ERRORS
    return EXIT_OK


def run(args) -> int:
    from runners.swebench.progress import print_summary

    plan = prepare(args)
    with _claim_output(args, plan):
        pool, report, written = _execute(plan)
    out_dir = plan["options"].out_dir
    try:
        print_summary(report, str(out_dir))
    except OSError:
        pass  # the terminal is gone; the report is written
    return _exit_code(args, pool, report, out_dir, written)


def main(argv: list[str] | None = None) -> int:
    from runners.swebench.cli import parse_args

    args = parse_args(argv)
    try:
        return run(args)
    except UserError as exc:  # RunnerError and every other bad input (a name, a config value)
        say(f"error: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:  # outside the pool's own handler: loading the dataset, building images
        say("interrupted: nothing was run")
        return EXIT_INTERRUPTED
