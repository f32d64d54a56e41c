"""The session protocol: one persistent bash per sandbox, shared by every backend with a shell.

- ``script``: the shell text (start, per command, exec mode);
- ``scanner``: finding one command's sentinel in the output stream;
- ``channel``: the transport protocol (and the pipe channel of the local backend);
- ``shell``: ``ShellSession``, which drives a shell over a ``ShellHost``;
- ``control``: the builtin-only control shell (kill by session and marker, liveness, OOM);
- ``result``: an Outcome as an ExecResult, with the notes.
"""
