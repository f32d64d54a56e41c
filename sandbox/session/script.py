"""The shell text of the session protocol: what a persistent bash is sent, once and per command.

A new shell is sent one line (see :func:`bootstrap`): helper functions, the init script,
the saved state, the folder, a start sentinel, and then a loop, all on line 1 of the
shell's input. The loop reads each command with the ``read`` builtin (no fork, nothing
expanded, the text NUL-terminated) and runs it with ``eval``. Because the loop was parsed
once, on line 1, every command's ``eval`` runs on line 1 too, so its error messages read
as ``bash -c`` prints them (``bash: line 1: nosuchcmd: command not found``), however long
the session has run; and since it is the main shell, ``cd``, ``export``, functions and
``declare`` persist, and bash's own job notices ("Killed", "Segmentation fault") name the
command that died.

Per command (see :func:`command_script`) the host sends ``<marker> <i|f>\n``, the command
text and a NUL (or nothing, ``f``: the text is in a file), and ``<token>\n``. The loop:

1. reads the marker and the text, restores the options the last command set
   (``-v -e -u -C``; ``-x`` is turned on inside the ``eval``, so the wrapper is never traced);
2. runs the text with stdin from ``/dev/null``, the session's descriptor 93 closed, and
   ``PATCHLOOP_CMD=<marker>`` in the environment of everything it starts (the control side
   finds the command's processes by it, also those that left with ``setsid``);
3. suspends those options, clears a DEBUG trap, saves what a restarted shell restores
   (exported variables, functions, aliases), points stdout and stderr back at descriptor
   93, reads the token and prints the sentinel there.

The token is read only after the command ended: while it runs, the token is still in the
pipe, so no command prints it by accident, and an earlier command's sentinel is only text.
The sentinel is ``\n<token> <exit code> <pids probe> <oom before> <oom after> <pid> <cwd>\0\n``
(NUL then newline: no folder name holds a NUL). A ``break`` or ``continue`` that escapes the
command is caught by the loop, which then finishes the command the same way.
"""

from __future__ import annotations

import secrets
import shlex

from sandbox.checks import check_command, check_env

MARKER_ENV = "PATCHLOOP_CMD"
SESSION_FD = 93  # the shell's own copy of the stream: the sentinel is written here
# The ``read`` builtin takes a pipe one byte at a time (so that it never swallows input meant
# for the commands that follow). Longer commands are put in a file first, read in blocks.
INLINE_COMMAND_LIMIT = 4096

# Builtins only (they work when the pids limit leaves no room for a fork): how often a fork
# was refused at the limit, and the memory cgroup's oom_kill counter.
_PROBE = (
    "__pl_probe() { local k v f; __pl_x=- __pl_m=-; "
    "{ builtin read -r _ __pl_x </sys/fs/cgroup/pids/pids.events || "
    "builtin read -r _ __pl_x </sys/fs/cgroup/pids.events; } 2>/dev/null || builtin :; "
    "for f in /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events; do "
    "[[ -r $f ]] || continue; "
    'while builtin read -r k v; do [[ $k == oom_kill ]] && __pl_m=$v; done <"$f"; break; done; }'
)
_NO_PROBE = "__pl_probe() { __pl_x=- __pl_m=-; }"
_TOKEN_VAR = '"$__pl_t"'
_FIELDS = '"$__pl_rc" "$__pl_x" "$__pl_m0" "$__pl_m" "$$" "$PWD"'


def new_token() -> str:
    return "__PL_" + secrets.token_hex(10)


def env_exports(env: dict[str, str] | None) -> str:
    """``export K='v'; ...; `` for a per-command environment (names are checked)."""
    checked = check_env(env)
    if not checked:
        return ""
    return "".join(f"export {key}={shlex.quote(value)}; " for key, value in checked.items())


def _sentinel(token: str) -> str:
    return f"builtin printf '\\n%s %s %s %s %s %s %s\\0\\n' {token} {_FIELDS}"


def bootstrap(state_file: str, command_file: str, cwd: str, fallback_cwd: str, *, probes: bool) -> tuple[str, str]:
    """The line a new shell runs (send it, then the init script and a NUL), and its token.

    Its start sentinel's exit code is the init script's and its ``pid`` field the shell's.
    Everything is on one line: the loop's ``eval`` must be on line 1.
    """
    state, file = shlex.quote(state_file), shlex.quote(command_file)
    token = new_token()
    finish = "__pl_post 2>/dev/null; exec 1>&93 2>&1; __pl_end"
    parts = [
        f"exec 2>&1 {SESSION_FD}>&1",
        "BASH_ARGV0=bash",  # error messages read "bash: line 1: ...", as under bash -c
        "__pl_r= __pl_xon= __pl_rc=0 __pl_m0=- __pl_k= __pl_f= __pl_t= __pl_busy=",
        _PROBE if probes else _NO_PROBE,
        "__pl_post() { __pl_r=${-//[!veuC]/} __pl_xon=; "
        "[[ $- != *x* ]] || __pl_xon='builtin set -x; '; builtin set +xveuC; "
        f"{{ builtin export -p; builtin declare -f; builtin alias -p; }} 2>/dev/null >|{state} || builtin :; "
        "__pl_probe; }",
        "__pl_end() { IFS= builtin read -r __pl_t || __pl_t=-; __pl_busy=; " + _sentinel(_TOKEN_VAR) + "; return 0; }",
        # the loop's condition: finish a command a break/continue left, read the next one
        f"__pl_next() {{ if [[ -n $__pl_busy ]]; then __pl_rc=0; {finish}; fi; "
        "IFS=' ' builtin read -r __pl_k __pl_f || return 1; "
        # LC_ALL=C: in a UTF-8 locale, read would take a NUL after a stray byte (\xe9) as
        # part of a character and swallow the next command
        f"if [[ $__pl_f == f ]]; then LC_ALL=C IFS= builtin read -r -d '' __pl_c <{file}; "
        "else LC_ALL=C IFS= builtin read -r -d '' __pl_c; fi; "
        "__pl_busy=1; __pl_probe; __pl_m0=$__pl_m; [[ -z $__pl_r ]] || builtin set -$__pl_r; }",
        # the init script (sent after this line, NUL-terminated), the saved state, the folder
        "LC_ALL=C IFS= builtin read -r -d '' __pl_c",
        'builtin eval "$__pl_c" </dev/null',
        "__pl_rc=$?",
        f"{{ [[ -r {state} ]] && . {state}; }} >/dev/null 2>&1",
        f"cd -- {shlex.quote(cwd)} 2>/dev/null || cd -- {shlex.quote(fallback_cwd)}",
        "__pl_probe; __pl_m0=$__pl_m",
        _sentinel(token),
        # `for ((;;))`, not `while :`: a command may define a function named `:` (a fork bomb does)
        "for ((;;)); do while __pl_next; do "
        f'{MARKER_ENV}=$__pl_k builtin eval "$__pl_xon$__pl_c" </dev/null {SESSION_FD}>&-; '
        "{ __pl_rc=$?; builtin trap - DEBUG; __pl_post; } 2>/dev/null; "
        "exec 1>&93 2>&1; __pl_end; "
        "done; [[ -n $__pl_busy ]] || builtin exit 0; done",
    ]
    return "; ".join(parts) + "\n", token


def init_text(init_script: str | None) -> str:
    """What follows the bootstrap line: the init script, NUL-terminated."""
    text = init_script or "builtin :"
    check_command(text)
    return text + "\0"


def command_script(
    command: str,
    token: str,
    marker: str,
    *,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    from_file: bool = False,
) -> str:
    """What the host sends the loop for one command (see the module docstring).

    With ``cwd`` or ``env`` the command runs in a subshell, so those apply to it alone (and
    a ``cd`` inside it does not persist). With ``from_file`` the text is not sent: the
    caller put exactly ``command`` in the session's command file.
    """
    check_command(command)
    if cwd is not None or env:
        cd = f"cd -- {shlex.quote(cwd)} && " if cwd is not None else ""
        command = f"( {cd}{env_exports(env)}builtin eval {shlex.quote(command)} )"
        from_file = False
    if from_file:
        return f"{marker} f\n{token}\n"
    return f"{marker} i\n{command}\0{token}\n"


def exec_wrapper(token: str, marker: str, timeout: float, prelude: str) -> str:
    """The ``bash -c`` text of exec mode: one fresh shell per command, under timeout(1).

    It waits for a go byte first (output sent before ``exec_start`` returns could be
    buffered by the HTTP client while it parses the upgrade), prints its pid, runs
    ``prelude`` (init script, folder, variables: the command inherits what it exports),
    then the command given as ``$1`` alone in ``bash -c`` (its line numbers are its own)
    with stdin from /dev/null and the marker in its environment, then the sentinel.
    """
    return (
        # no go byte within 30 s: the caller gave up (an interrupt) before sending it
        "IFS= read -r -n 1 -t 30 _ || exit 0\n"
        "exec 2>&1\n"
        "printf '%s\\n' \"$$\"\n"
        + _PROBE
        + "\n__pl_probe; __pl_m0=$__pl_m\n"
        + prelude
        + f"{MARKER_ENV}={marker} timeout -s KILL {max(timeout, 0.001):.3f} "
        + 'bash --noprofile --norc -c "$1" </dev/null\n'
        + "__pl_rc=$?; __pl_probe\n"
        + _sentinel(token)
        + "\n"
    )
