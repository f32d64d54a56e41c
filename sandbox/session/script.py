"""The shell text of the session protocol: what a persistent bash is sent, once and per command.

How one command runs (see docs/sandbox.md, "The session protocol"):

1. Its text reaches the shell as a quoted here-document read by the ``read`` builtin
   (no fork; nothing in it is expanded; the delimiter is random and never in the text).
2. A trap handler for ``SIGRTMAX`` is set and the shell signals itself with the ``kill``
   builtin. bash runs signal traps with a fresh line count, so inside the handler the
   command's ``eval`` is on line 1 and its error messages read as ``bash -c`` would print
   them (``bash: line 1: nosuchcmd: command not found``), whatever ran in the session
   before. The handler is cleared as it starts, so the command sees no trap of ours.
3. In the handler the command runs in the main shell (``cd``, ``export``, functions and
   ``declare`` persist) with stdin from ``/dev/null``, the session's own output descriptor
   (93) closed for it, and ``PATCHLOOP_CMD=<marker>`` in the environment of everything it
   starts: the control side finds the command's processes by that marker, also those that
   left the shell's session with ``setsid`` or a double fork.
4. After it, ``__pl_post`` (a function defined at start) resets what would make the shell
   speak out of turn (``set -x``/``-v``, ``-e``/``-u``, noclobber, a DEBUG trap) and saves
   what a restarted shell restores (exported variables, functions, aliases); the shell's
   stdout and stderr are pointed back at descriptor 93, and the sentinel is printed there.

The sentinel is ``\\n<token> <exit code> <pids probe> <oom before> <oom after> <pid> <cwd>\\0\\n``.
The token is random per command and travels in the part of the script the shell has not
read yet while the command runs, so no command can print it by accident, and the sentinel
of an earlier command is just text. Options the command set (``-x -v -e -u -C``) are given
back to the next command as it starts.
"""

from __future__ import annotations

import secrets
import shlex

from sandbox.checks import check_command, check_env

MARKER_ENV = "PATCHLOOP_CMD"
SESSION_FD = 93  # the shell's own copy of the stream: the sentinel is written here
# bash reads a script from a pipe or socket one byte at a time (so that it never swallows
# input meant for the commands it runs). Longer commands are put in a file first, which the
# ``read`` builtin reads in blocks.
INLINE_COMMAND_LIMIT = 4096

# Builtins only (they work when the pids limit leaves no room for a fork): how often a fork
# was refused at the limit, and the memory cgroup's oom_kill counter.
_PROBES = r"""
__pl_probe() {
  local k v f
  __pl_x=- __pl_m=-
  { builtin read -r _ __pl_x </sys/fs/cgroup/pids/pids.events ||
    builtin read -r _ __pl_x </sys/fs/cgroup/pids.events; } 2>/dev/null || builtin :
  for f in /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events; do
    [[ -r $f ]] || continue
    while builtin read -r k v; do [[ $k == oom_kill ]] && __pl_m=$v; done <"$f"
    break
  done
}
"""
_NO_PROBES = "\n__pl_probe() { __pl_x=- __pl_m=-; }\n"


def new_token() -> str:
    return "__PL_" + secrets.token_hex(10)


def _delimiter(text: str) -> str:
    while True:
        delimiter = "__PL_" + secrets.token_hex(4)
        if delimiter not in text:
            return delimiter


def env_exports(env: dict[str, str] | None) -> str:
    """``export K='v'; ...; `` for a per-command environment (names are checked)."""
    checked = check_env(env)
    if not checked:
        return ""
    return "".join(f"export {key}={shlex.quote(value)}; " for key, value in checked.items())


def _read_text(text: str, from_file: str | None) -> str:
    """Shell that puts ``text`` in ``$__pl_c`` (from a here-document, or from a file)."""
    if from_file is not None:
        return f"IFS= builtin read -r -d '' __pl_c <{shlex.quote(from_file)} || builtin :\n"
    delimiter = _delimiter(text)
    return f"IFS= builtin read -r -d '' __pl_c <<'{delimiter}' || builtin :\n{text}\n{delimiter}\n"


def _sentinel(token: str, last: str) -> str:
    fields = f'"$__pl_rc" "$__pl_x" "$__pl_m0" "$__pl_m" "$$" "{last}"'
    return f"builtin printf '\\n%s %s %s %s %s %s %s\\0\\n' {token} {fields}"


def _handler(run: str) -> str:
    """The SIGRTMAX trap action that runs the command (``run``) on line 1 of its own count."""
    return (
        "builtin trap - RTMAX; __pl_probe; __pl_m0=$__pl_m; "
        "[[ -z $__pl_r ]] || builtin set -$__pl_r; "
        f"{run}; {{ __pl_rc=$?; builtin trap - DEBUG; }} 2>/dev/null"
    )


_RUN = f'{MARKER_ENV}=$__pl_k builtin eval "$__pl_xon$__pl_c" </dev/null {SESSION_FD}>&-'


def bootstrap(
    state_file: str, init_script: str | None, cwd: str, fallback_cwd: str, *, probes: bool
) -> tuple[str, str]:
    """The script a new shell runs once, and its sentinel token.

    Helpers, the init script, the saved state, the folder, then the sentinel: its exit
    code is the init script's, its ``pid`` field the shell's pid.
    """
    state = shlex.quote(state_file)
    helpers = (
        '\n__pl_arm() { builtin trap -- "$__pl_h" RTMAX; }\n'
        "__pl_post() {\n"
        "  __pl_r=${-//[!veuC]/} __pl_xon=\n"
        "  [[ $- != *x* ]] || __pl_xon='builtin set -x; '\n"
        "  builtin set +xveuC\n"
        f"  {{ builtin export -p; builtin declare -f; builtin alias -p; }} >|{state} 2>/dev/null || builtin :\n"
        "  __pl_probe\n"
        "}\n"
        f"__pl_end() {{ {_sentinel('$1', '$PWD')}; }}\n"
    )
    token = new_token()
    script = (
        f"exec 2>&1 {SESSION_FD}>&1\n"
        "BASH_ARGV0=bash\n"  # error messages read "bash: line 1: ...", as under bash -c
        "__pl_r= __pl_xon= __pl_rc=0 __pl_m0=- __pl_k=\n"
        f"__pl_h={shlex.quote(_handler(_RUN))}\n"
        + (_PROBES if probes else _NO_PROBES)
        + helpers
        + _read_text(init_script or "builtin :", None)
        + 'builtin eval "$__pl_c" </dev/null\n'
        + "__pl_rc=$?\n"
        # a restarted shell gets back the exported variables, functions and aliases saved
        # after the last command that finished
        + f"[[ -r {state} ]] && . {state} >/dev/null 2>&1\n"
        + f"cd -- {shlex.quote(cwd)} 2>/dev/null || cd -- {shlex.quote(fallback_cwd)}\n"
        + "__pl_probe; __pl_m0=$__pl_m\n"
        + _sentinel(token, "$PWD")
        + "\n"
    )
    return script, token


def command_script(
    command: str,
    token: str,
    marker: str,
    *,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    from_file: str | None = None,
) -> str:
    """Shell text that runs ``command`` in the session and prints the sentinel ``token``.

    With ``cwd`` or ``env`` the command runs in a subshell, so those apply to it alone (and a
    ``cd`` inside it does not persist). With ``from_file`` the text is read from that file
    (which must hold exactly ``command``) instead of a here-document. Kept short: the shell
    reads it a byte at a time.
    """
    check_command(command)
    if cwd is not None or env:
        cd = f"cd -- {shlex.quote(cwd)} && " if cwd is not None else ""
        arm = f"builtin trap -- {shlex.quote(_handler(f'( {cd}{env_exports(env)}{_RUN} )'))} RTMAX"
    else:
        arm = "__pl_arm"  # the usual handler, defined at start (a shell without it just restarts)
    return (
        _read_text(command, from_file)
        + f"__pl_k={marker}; {arm}; builtin kill -s RTMAX $$; {{ __pl_post; }} 2>/dev/null; "
        + f"exec 1>&{SESSION_FD} 2>&1; __pl_end {token} 2>/dev/null || "
        + f"builtin printf '\\n%s -1 - - - 0 %s\\0\\n' {token} \"$PWD\"\n"
    )


def exec_wrapper(token: str, marker: str, timeout: float, *, probes: bool) -> str:
    """The ``bash -c`` text of exec mode: one fresh shell per command, under timeout(1).

    It waits for a go byte first (output sent before ``exec_start`` returns could be
    buffered by the HTTP client while it parses the upgrade), prints its pid, runs the
    command given as ``$1`` with stdin from /dev/null and the marker in its environment,
    then the sentinel.
    """
    return (
        "IFS= read -r -n 1 _\n"
        "exec 2>&1\n"
        "printf '%s\\n' \"$$\"\n"
        + (_PROBES if probes else _NO_PROBES)
        + "__pl_probe; __pl_m0=$__pl_m\n"
        + f"{MARKER_ENV}={marker} timeout -s KILL {max(timeout, 0.001):.3f} "
        + 'bash --noprofile --norc -c "$1" </dev/null\n'
        + "__pl_rc=$?; __pl_probe\n"
        + _sentinel(token, "$PWD")
        + "\n"
    )
