"""Cancellation tokens, deadlines and the cache root."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from patchloop.cache import cache_dir, cache_root
from patchloop.cancel import Cancel, Cancelled, Deadline
from patchloop.names import UnsafeNameError


def test_cancel_from_another_thread_wakes_a_waiter() -> None:
    token = Cancel()
    threading.Timer(0.05, token.cancel, args=("instance timeout",)).start()
    started = time.monotonic()
    assert token.wait(5) is True
    assert time.monotonic() - started < 2
    token.cancel("second reason is ignored")
    with pytest.raises(Cancelled, match="instance timeout"):
        token.check()


def test_deadline() -> None:
    assert Deadline(None).remaining() is None and Deadline(None).cap(5) == 5 and not Deadline(None).expired
    soon = Deadline(0.01)
    time.sleep(0.02)
    assert soon.expired and soon.remaining() == 0.0 and soon.cap(5) == 0.0
    assert Deadline(100).cap(5) == 5 and Deadline(100).cap(None) <= 100


def test_cache_root_order(tmp_path: Path) -> None:
    assert cache_root({"PATCHLOOP_CACHE_DIR": str(tmp_path / "c"), "XDG_CACHE_HOME": "/x"}) == tmp_path / "c"
    assert cache_root({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "patchloop"
    assert cache_root({"HOME": str(tmp_path)}) == tmp_path / ".cache" / "patchloop"
    made = cache_dir("preflight", environ={"PATCHLOOP_CACHE_DIR": str(tmp_path / "c")})
    assert made.is_dir() and made == tmp_path / "c" / "preflight"
    with pytest.raises(UnsafeNameError):
        cache_dir("..", environ={"PATCHLOOP_CACHE_DIR": str(tmp_path / "c")})


def test_cancel_carries_why_it_was_cancelled() -> None:
    """An instance timeout and a signal end a run with different exit statuses."""
    plain = Cancel()
    plain.cancel("SIGTERM")
    with pytest.raises(Cancelled) as info:
        plain.check()
    assert (info.value.reason, info.value.status) == ("SIGTERM", "interrupted")
    timer = Cancel()
    timer.cancel("instance timeout after 25 s", status="time_limit")
    timer.cancel("a later signal", status="interrupted")  # the first cancel wins
    assert (timer.reason, timer.status) == ("instance timeout after 25 s", "time_limit")
    with pytest.raises(Cancelled) as info:
        timer.check()
    assert info.value.status == "time_limit"
