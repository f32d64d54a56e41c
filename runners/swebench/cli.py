"""``python -m runners.swebench``: argument parsing only (fast ``--help``: no heavy imports)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from patchloop.names import is_component

EPILOG = """\
examples:
  python -m runners.swebench --n 30 --model openai/gpt-4o-mini
  python -m runners.swebench --dataset minibench --model oracle --workers 2
  python -m runners.swebench --dataset lite.jsonl --predictions preds.jsonl --output runs/eval1
  python -m runners.swebench --dataset minibench --predictions gold

Rerunning the same command with the same --output resumes: finished instances are skipped,
torn or interrupted ones are redone (--retry-errors also redoes errored ones, --redo all).
"""


def _names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one tool name, e.g. --tools bash,submit")
    return names


def _text(text: str) -> str:
    """A flag's value that may not be empty (an unset shell variable is not 'the default')."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "an empty value (an unset shell variable?); give a value or leave the flag out"
        )
    return text


def _instance_ids(text: str) -> list[str]:
    from patchloop.values import name_list  # pydantic comes with it: not for --help

    return name_list("instance id", example="--instance-ids django__django-11099,astropy__astropy-12907")(text)


def numbers() -> dict[str, tuple[str, Callable[[str], Any], str]]:
    """dest -> (flag, the one rule of patchloop.values, what the rule says): every number flag
    is read as text and checked after parsing, so each refusal is one line naming the flag."""
    from patchloop import values

    most = f"{values.MAX_SECONDS:g}"
    return {
        "n": ("--n", values.positive_int, ">= 1 (a whole number)"),
        "workers": ("--workers", values.positive_int, ">= 1 (a whole number)"),
        "eval_timeout": ("--eval-timeout", values.seconds, f"> 0 seconds, finite, at most {most}"),
        "instance_timeout": (
            "--instance-timeout",
            values.seconds,
            f"> 0 seconds, finite, at most {most} (leave it out for no limit)",
        ),
        "max_cost": ("--max-cost", values.usd, ">= 0 USD, finite"),
    }


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line (the usage block is in --help)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m runners.swebench",
        description="Run an agent on SWE-bench instances in Docker and grade the patches like the official harness.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = p.add_argument_group("dataset and selection")
    data.add_argument(
        "--dataset",
        type=_text,
        default="SWE-bench/SWE-bench_Lite",
        help="HF hub id, a local .jsonl/.json/.parquet file or folder, or 'minibench' (default: %(default)s)",
    )
    data.add_argument("--split", type=_text, default="test", help="split of a hub dataset (default: %(default)s)")
    data.add_argument("--n", default=None, help="run at most N instances (after the other selectors), N >= 1")
    data.add_argument(
        "--instance-ids",
        nargs="+",
        type=_instance_ids,
        default=None,
        metavar="ID",
        help="only these instance ids (space or comma separated); unknown ids are an error, an empty value too",
    )
    data.add_argument(
        "--filter", type=_text, default=None, metavar="REGEX", help="only instance ids matching REGEX (re.search)"
    )
    data.add_argument(
        "--slice", type=_text, default=None, metavar="START:STOP", help="a Python slice of the selection, e.g. 0:10"
    )
    data.add_argument("--shuffle", action="store_true", help="shuffle the selection (before --slice and --n)")
    data.add_argument("--seed", type=int, default=42, help="shuffle seed (default: %(default)s)")

    agent = p.add_argument_group("agent")
    agent.add_argument(
        "--model",
        type=_text,
        default=None,
        help="litellm model name, scripted:PATH, replay:PATH, or 'oracle' (applies the gold patch through the tools); "
        "default: model.name from the config, else $PATCHLOOP_MODEL",
    )
    agent.add_argument(
        "--config",
        dest="config_files",
        action="append",
        default=[],
        metavar="FILE",
        help="YAML agent config merged over configs/default.yaml (repeatable, merged in order)",
    )
    agent.add_argument(
        "-c",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one config value after the files, e.g. -c agent.step_limit=50 (value read as YAML)",
    )
    agent.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE|FILE",
        help="load a tool plugin: module, pkg.mod:attr or .py file (repeatable)",
    )
    agent.add_argument(
        "--tools",
        type=_names,
        default=None,
        metavar="A,B",
        help="the tools the agent sees, comma-separated, e.g. bash,submit (default: tools.names, else all)",
    )

    ev = p.add_argument_group("evaluation")
    ev.add_argument(
        "--predictions",
        type=_text,
        default=None,
        metavar="gold|empty|FILE",
        help="evaluate-only: gold patches, empty patches, or an official preds file (.json/.jsonl); skips the agent",
    )
    ev.add_argument(
        "--eval-timeout",
        default="1800",
        metavar="S",
        help="timeout of one eval script run, in seconds (default: %(default)s)",
    )
    ev.add_argument(
        "--no-eval-network",
        dest="eval_network",
        action="store_false",
        help="evaluate without a network (the official harness has one; the agent never does)",
    )
    ev.add_argument(
        "--image-template",
        type=_text,
        default=None,
        metavar="TEMPLATE",
        help="image name template with {instance_id}, {instance_id_lower}, {docker_id}",
    )

    run = p.add_argument_group("run")
    run.add_argument("--workers", default="1", help="parallel instances (threads) (default: %(default)s)")
    run.add_argument(
        "--output",
        type=_text,
        default=None,
        metavar="DIR",
        help="output folder (default: runs/<run_id>/); one run at a time holds it",
    )
    run.add_argument("--run-id", default=None, help="run id (default: taken from --output's run.json, else generated)")
    run.add_argument(
        "--instance-timeout",
        default=None,
        metavar="S",
        help="wall-time limit per instance (agent + evaluation), in seconds",
    )
    run.add_argument(
        "--max-cost",
        default=None,
        metavar="USD",
        help="stop scheduling new instances once this much has been spent",
    )
    run.add_argument("--redo", action="store_true", help="redo every selected instance, finished or not")
    run.add_argument("--retry-errors", action="store_true", help="also redo instances that ended in error")
    return p


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded (redacted) in run.json
    for dest, (flag, parse, rule) in numbers().items():
        text = getattr(args, dest)
        if text is None:
            continue
        try:
            setattr(args, dest, parse(str(text)))
        except argparse.ArgumentTypeError:
            parser.error(f"{flag} must be {rule}, not {text!r}")
    if args.instance_ids is not None:
        args.instance_ids = list(dict.fromkeys(iid for group in args.instance_ids for iid in group))
    for override in args.overrides:
        if "=" not in override:
            parser.error(
                f"-c takes key.path=value (e.g. -c agent.step_limit=50), not {override!r}; "
                "give a config file with --config FILE"
            )
    if args.model is not None and args.predictions is not None:
        parser.error("give --model (run an agent) or --predictions (evaluate only), not both")
    if args.run_id is not None and not is_component(args.run_id):
        parser.error(
            f"--run-id {args.run_id!r}: use letters, digits, '.', '_' and '-' only "
            "(it names runs/<run_id>/ and the containers' label)"
        )
    return args
