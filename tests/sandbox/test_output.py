"""Output capping and the sentinel scanner (pure functions, no Docker)."""

from __future__ import annotations

import pytest

from sandbox.output import OutputCapture
from sandbox.protocol import SentinelScanner, command_script, env_exports


def test_small_output_is_kept_whole() -> None:
    capture = OutputCapture(100)
    capture.feed(b"hello ")
    capture.feed(b"world")
    assert capture.text() == "hello world"
    assert not capture.truncated


def test_large_output_keeps_head_and_tail_in_bounded_memory() -> None:
    capture = OutputCapture(1000)
    capture.feed(b"HEAD" + b"x" * 600)
    for _ in range(10_000):
        capture.feed(b"y" * 997 + b"\n")
    capture.feed(b"z" * 400 + b"TAIL")
    text = capture.text()
    assert capture.truncated
    assert text.startswith("HEAD")
    assert text.endswith("TAIL")
    assert "bytes of output omitted" in text
    assert len(capture._tail) <= 2 * 500 + 998  # never grows with the stream
    assert capture.total == 604 + 10_000 * 998 + 404


def test_exactly_at_the_limit_is_not_truncated() -> None:
    capture = OutputCapture(10)
    capture.feed(b"0123456789")
    assert capture.text() == "0123456789"
    assert not capture.truncated
    capture.feed(b"!")
    assert capture.truncated


def test_undecodable_bytes_never_raise() -> None:
    capture = OutputCapture(8)
    capture.feed(b"\xff\xfe\x00\xc3" * 10)  # cut in the middle of sequences, both ends
    text = capture.text()
    assert "\ufffd" in text


def test_limit_must_be_sane() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        OutputCapture(1)


def test_scanner_finds_a_marker_split_across_chunks() -> None:
    capture = OutputCapture(1000)
    scanner = SentinelScanner("__PL_abc", capture)
    stream = b"out\nmore\n__PL_abc 7 12 /tmp/some dir\nafter"
    done = False
    for i in range(len(stream)):
        done = scanner.feed(stream[i : i + 1])
        if done:
            break
    assert done
    assert capture.text() == "out\nmore"
    assert scanner.sentinel is not None
    assert scanner.sentinel.exit_code == 7
    assert scanner.sentinel.probe == "12"
    assert scanner.sentinel.cwd == "/tmp/some dir"


def test_scanner_keeps_bytes_after_the_sentinel() -> None:
    capture = OutputCapture(1000)
    scanner = SentinelScanner("N", capture)
    assert scanner.feed(b"x\nN 0 - /\nlate output")
    assert scanner.leftover == b"late output"


def test_scanner_flush_keeps_output_when_the_stream_ends() -> None:
    capture = OutputCapture(1000)
    scanner = SentinelScanner("__PL_zz", capture)
    scanner.feed(b"partial\n__PL")
    scanner.flush()
    assert capture.text() == "partial\n__PL"


def test_command_script_rejects_nul_and_bad_env_names() -> None:
    with pytest.raises(ValueError, match="NUL"):
        command_script("echo \x00", "N")
    with pytest.raises(ValueError, match="invalid environment variable name"):
        env_exports({"A-B": "1"})
    assert env_exports({"A": "it's"}) == "export A='it'\"'\"'s'; "


def test_command_script_delimiter_never_collides() -> None:
    script = command_script("echo __PL_EOF_\n__PL_EOF_", "N")
    first_line = script.splitlines()[0]
    delimiter = first_line.split("<<'")[1].rstrip("'")
    assert script.count("\n" + delimiter + "\n") == 1
