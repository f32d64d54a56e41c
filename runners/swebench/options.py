"""The options of a run, checked like config: every number by patchloop.values' one rule.

The flags of ``python -m runners.swebench`` are parsed with the argparse side of the same
rules (``patchloop.values.seconds``, ``usd``, ``positive_int``); this model refuses the
same values when a run is built in code (``nan``, ``inf``, negatives, zero workers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from patchloop.names import UnsafeNameError, check_component
from patchloop.values import USD, PositiveInt, Seconds


def _run_id(value: str) -> str:
    try:
        return check_component(value, "run id")
    except UnsafeNameError as exc:
        raise ValueError(str(exc)) from None


RunId = Annotated[str, AfterValidator(_run_id)]


class PoolOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    out_dir: Path
    run_id: RunId
    workers: PositiveInt = 1
    eval_timeout: Seconds = 1800.0
    instance_timeout: Seconds | None = None
    max_cost: USD | None = None
    image_template: str | None = None
    redo: bool = False
    retry_errors: bool = False
    eval_network: bool = True  # recorded in each report; the opener is built with the same value
