"""The shell protocol shared by both backends.

A command is handed to bash as a quoted here-document read with the ``read`` builtin (no
fork), run with ``eval`` so ``cd`` and ``export`` persist in the shell that runs it, and
followed by a sentinel line ``\\n<nonce> <exit code> <cwd>\\n``. The reader returns
everything before ``\\n<nonce>`` as the command's output, so a background process that keeps
stdout open never blocks a command from finishing.
"""

from __future__ import annotations

import secrets
import shlex
from dataclasses import dataclass

from sandbox.checks import check_command, check_env
from sandbox.output import OutputCapture


def new_nonce() -> str:
    return "__PL_" + secrets.token_hex(12)


def _heredoc_delimiter(command: str) -> str:
    while True:
        delimiter = "__PL_EOF_" + secrets.token_hex(6)
        if delimiter not in command:
            return delimiter


def env_exports(env: dict[str, str] | None) -> str:
    """``export K='v' ...;`` for a per-command environment (names are checked)."""
    checked = check_env(env)
    if not checked:
        return ""
    parts = [f"export {key}={shlex.quote(value)}" for key, value in checked.items()]
    return "; ".join(parts) + "; "


# bash reads a script from a pipe or socket one byte at a time (so that it never swallows
# input meant for the commands it runs); that costs about 10 us a byte. Longer commands are
# put in a file first, which the ``read`` builtin reads in blocks.
INLINE_COMMAND_LIMIT = 4096


def command_script(
    command: str,
    nonce: str,
    *,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    after: str = "",
    from_file: str | None = None,
) -> str:
    """Shell text that runs ``command`` in the current shell and prints the sentinel.

    With ``cwd`` or ``env`` the command runs in a subshell, so those apply to it alone
    (and a ``cd`` inside it does not persist). With ``from_file`` the command text is read
    from that file (which must hold exactly ``command``) instead of a here-document.
    ``after`` is shell run between the command and the sentinel (see sentinel_printf).
    """
    script = eval_script(command, cwd=cwd, env=env, from_file=from_file)
    return script + sentinel_printf(nonce, after)


def eval_script(
    command: str,
    *,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    from_file: str | None = None,
) -> str:
    """Shell text that runs ``command`` (stdin from /dev/null); ``$?`` is its exit code after."""
    check_command(command)
    if from_file is not None:
        read = f"IFS= read -r -d '' __pl_cmd < {shlex.quote(from_file)}\n"
    else:
        delimiter = _heredoc_delimiter(command)
        read = f"IFS= read -r -d '' __pl_cmd <<'{delimiter}'\n{command}\n{delimiter}\n"
    if cwd is None and not env:
        run = 'eval "$__pl_cmd" </dev/null\n'
    else:
        cd = f"cd -- {shlex.quote(cwd)} && " if cwd is not None else ""
        run = f'( {cd}{env_exports(env)}eval "$__pl_cmd" ) </dev/null\n'
    return read + run


def sentinel_printf(nonce: str, after: str = "", last: str = "$PWD") -> str:
    """Print ``\\n<nonce> <exit code> <probe value> <last>\\n`` after a command.

    ``after`` is shell (builtins only) run first; it may set ``__pl_x`` to one word, the
    probe value ("-" otherwise). The exit code is the command's, whatever ``after`` does.
    """
    return f'__pl_rc=$?; __pl_x=-; {after}\nprintf \'\\n%s %s %s %s\\n\' {nonce} "$__pl_rc" "${{__pl_x:--}}" "{last}"\n'


@dataclass
class Sentinel:
    exit_code: int
    probe: str  # the probe's word, "-" when there was none
    cwd: str


class SentinelScanner:
    """Feeds a byte stream into an OutputCapture until the sentinel line has been seen.

    Bytes that might be the start of the marker are held back, so memory stays bounded no
    matter how much output flows; bytes after the sentinel are kept in ``leftover``.
    """

    def __init__(self, nonce: str, capture: OutputCapture) -> None:
        self._marker = b"\n" + nonce.encode() + b" "
        self._capture = capture
        self._pending = bytearray()
        self._in_sentinel = False
        self.sentinel: Sentinel | None = None
        self.leftover = b""

    def feed(self, data: bytes) -> bool:
        """Consume data; return True once the sentinel is complete."""
        if self.sentinel is not None:
            self.leftover += data
            return True
        self._pending += data
        if not self._in_sentinel:
            index = self._pending.find(self._marker)
            if index < 0:
                keep = len(self._marker) - 1
                if len(self._pending) > keep:
                    cut = len(self._pending) - keep
                    self._capture.feed(memoryview(self._pending)[:cut])
                    del self._pending[:cut]
                return False
            self._capture.feed(memoryview(self._pending)[:index])
            del self._pending[: index + len(self._marker)]
            self._in_sentinel = True
        end = self._pending.find(b"\n")
        if end < 0:
            return False
        line = bytes(self._pending[:end]).decode("utf-8", errors="replace")
        self.leftover = bytes(self._pending[end + 1 :])
        self._pending = bytearray()
        code, _, rest = line.partition(" ")
        probe, _, cwd = rest.partition(" ")
        exit_code = int(code) if code.lstrip("-").isdigit() else -1
        self.sentinel = Sentinel(exit_code=exit_code, probe=probe, cwd=cwd)
        return True

    def flush(self) -> None:
        """The stream ended without a sentinel: everything held back is output."""
        if self.sentinel is None and not self._in_sentinel:
            self._capture.feed(self._pending)
            self._pending = bytearray()
