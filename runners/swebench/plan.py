"""What a run is, decided before anything is written: the run id, the selection, the plan.

Every check that can refuse the run happens here (Docker, config, model and plugins,
every dataset row, predictions, selection, image names, the output folder), so a refusal
is one line and leaves nothing behind.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

from patchloop.names import UnsafeNameError, check_component
from runners.swebench.errors import RunnerError


def run_id_for(out_dir: Path | None, requested: str | None, model_name: str, *, redo: bool = False) -> str:
    """The run id: an existing ``--output``'s own (a resume), else ``--run-id``, else a new one.

    Resuming skips finished instances, so an output folder holding another model's results
    is refused (their verdicts would be mixed into this model's report) unless ``--redo``;
    a folder that holds files but is no run's output is refused (the runner deletes under it).
    """
    from runners.swebench.files import read_json
    from runners.swebench.lock import check_is_run_folder
    from runners.swebench.outdir import OutputDir

    meta = read_json(out_dir / "run.json") if out_dir is not None else None
    if not (isinstance(meta, dict) and meta.get("run_id")):
        if out_dir is not None:
            check_is_run_folder(OutputDir(out_dir))
        return requested or time.strftime("%Y%m%d-%H%M%S-", time.gmtime()) + uuid.uuid4().hex[:6]
    try:
        run_id = check_component(meta["run_id"], f"the run id in {out_dir / 'run.json'}")  # type: ignore[operator]
    except UnsafeNameError as exc:
        raise RunnerError(f"{exc}; pick another --output") from None
    if requested and requested != run_id:
        raise RunnerError(f"{out_dir} belongs to run {run_id}; drop --run-id or pick another --output")
    earlier = meta.get("model_name_or_path")
    if earlier and earlier != model_name and not redo:
        raise RunnerError(
            f"{out_dir} holds the results of {earlier!r}, not {model_name!r}: pick another --output "
            "(or --redo to replace them)"
        )
    return run_id


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


def check_image_names(chosen: list, template: str | None) -> None:
    """Every image the run will ask the engine for is a valid reference (one line, not one error per instance)."""
    from runners.swebench.imageref import RULE, is_image_reference
    from runners.swebench.images import image_for

    for inst in chosen:
        image = image_for(inst, template)
        if not is_image_reference(image):
            source = f"--image-template {template!r} gives" if template else "the image name is"
            raise RunnerError(
                f"instance {inst.instance_id}: {source} {image!r}, not a valid image reference; use {RULE}"
            )


def prepare(args) -> dict[str, Any]:
    """Everything before the first write; any refusal here leaves nothing behind."""
    from runners.swebench.containers import check_docker, check_images
    from runners.swebench.dataset import MINIBENCH, load_instances
    from runners.swebench.images import image_for
    from runners.swebench.options import PoolOptions
    from runners.swebench.pool import needs_run
    from runners.swebench.predictions import load_predictions
    from runners.swebench.redaction import make_redactor
    from runners.swebench.specs import eval_script_for

    if args.output:  # a busy output is refused at once, not after the dataset loaded
        from runners.swebench.lock import OutputLock
        from runners.swebench.outdir import OutputDir

        OutputLock(OutputDir(Path(args.output))).probe(redact=make_redactor(os.environ, args.argv).text)
    check_docker()
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
    check_image_names(chosen, args.image_template)
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
    options = PoolOptions(
        out_dir=out_dir or Path("runs") / run_id,
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
            if needs_run(options.out_dir, inst.instance_id, redo=args.redo, retry_errors=args.retry_errors)
        ]
    )
    redactor = make_redactor(os.environ, args.argv, agent.config.model_dump(mode="json") if agent else None)
    if agent is not None:
        agent.redactor = redactor
    return {
        "agent": agent,
        "chosen": chosen,
        "predictions": predictions,
        "model_name": model_name,
        "eval_scripts": eval_scripts,
        "options": options,
        "redactor": redactor,
    }
