"""Output capping and the sentinel scanner (pure functions, no Docker)."""

from __future__ import annotations

import pytest

from sandbox.output import OutputCapture
from sandbox.session.scanner import SentinelScanner
from sandbox.session.script import command_script, env_exports


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
    stream = b"out\nmore\n__PL_abc 7 12 3 4 99 /tmp/some dir\x00\nafter"
    done = False
    for i in range(len(stream)):
        done = scanner.feed(stream[i : i + 1])
        if done:
            break
    assert done
    assert capture.text() == "out\nmore"
    sentinel = scanner.sentinel
    assert sentinel is not None
    assert (sentinel.exit_code, sentinel.pids_events, sentinel.oom_before, sentinel.oom_after) == (7, 12, 3, 4)
    assert (sentinel.pid, sentinel.cwd) == (99, "/tmp/some dir")
    assert sentinel.oom_killed


def test_scanner_keeps_bytes_after_the_sentinel() -> None:
    capture = OutputCapture(1000)
    scanner = SentinelScanner("N", capture)
    assert scanner.feed(b"x\nN 0 - - - 1 /\x00\nlate output")
    assert scanner.leftover == b"late output"


def test_scanner_flush_keeps_output_when_the_stream_ends() -> None:
    capture = OutputCapture(1000)
    scanner = SentinelScanner("__PL_zz", capture)
    scanner.feed(b"partial\n__PL")
    scanner.flush()
    assert capture.text() == "partial\n__PL"


def test_another_token_and_a_folder_with_a_newline_are_handled() -> None:
    """An earlier command's sentinel is output; a cwd holding a newline stays whole (the
    sentinel ends at NUL + newline, which no folder name holds)."""
    capture = OutputCapture(1000)
    scanner = SentinelScanner("__PL_new", capture)
    assert not scanner.feed(b"\n__PL_old 0 - - - 1 /\x00\n")
    assert scanner.feed(b"\n__PL_new 1 - - - 2 /tmp/a\nb\x00\n")
    assert capture.text() == "\n__PL_old 0 - - - 1 /\x00\n"
    assert scanner.sentinel is not None and scanner.sentinel.cwd == "/tmp/a\nb"
    assert not scanner.sentinel.oom_killed  # "-": not known


def test_command_script_rejects_nul_and_bad_env_names() -> None:
    with pytest.raises(ValueError, match="NUL"):
        command_script("echo \x00", "N", "m.1")
    with pytest.raises(ValueError, match="invalid environment variable name"):
        env_exports({"A-B": "1"})
    assert env_exports({"A": "it's"}) == "export A='it'\"'\"'s'; "


def test_command_script_is_marker_text_nul_token() -> None:
    """The loop reads a header line, the NUL-terminated text, then the token: the token
    comes last, so the shell has not read it while the command runs."""
    assert command_script("echo hi\nls", "T", "m.1") == "m.1 i\necho hi\nls\x00T\n"
    assert command_script("x" * 10, "T", "m.2", from_file=True) == "m.2 f\nT\n"
    wrapped = command_script("pwd", "T", "m.3", cwd="/a b", env={"K": "v"})
    assert wrapped == "m.3 i\n( cd -- '/a b' && export K=v; builtin eval pwd )\x00T\n"
