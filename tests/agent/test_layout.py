"""The shape the agent layer keeps: the loop on one screen, small modules, and a Model
protocol that declares what the loop uses (no probing, no patching of the model)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("agent", "trajectories")


def modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_the_loop_fits_on_one_screen() -> None:
    assert len((ROOT / "agent" / "loop.py").read_text().splitlines()) <= 150


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_300_lines(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= 300


def test_the_loop_asks_the_model_only_what_the_protocol_declares() -> None:
    from agent.models.base import Model

    loop = (ROOT / "agent" / "loop.py").read_text()
    assert "getattr(" not in loop and "hasattr(" not in loop
    declared = {"name", "kind", "mode", "params", "query"}
    assert declared <= set(dir(Model))
    for path in (ROOT / "agent").rglob("*.py"):  # nobody sets a model's retry hook from outside
        assert ".on_retry =" not in path.read_text(), path
