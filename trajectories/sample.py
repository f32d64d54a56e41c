"""A small, realistic run emitted through any ``Recorder``: the documented example file,
test fixtures and benchmarks all come from here.

The run fixes a bug in a toy repository: it lists files, sends one malformed tool call
(a format error fed back to the model), reads and edits a file, compacts its context
once, and submits. ``steps`` above the minimum repeats the read step.
"""

from __future__ import annotations

import json
from typing import Any

from trajectories.recorder import Recorder
from trajectories.trajectory import request_sha256

BASH_TOOL = {
    "type": "function",
    "function": {
        "name": "bash",
        "description": "Run a shell command in the repository and return its output.",
        "parameters": {
            "type": "object",
            "properties": {"command": {"type": "string", "description": "the command"}},
            "required": ["command"],
        },
    },
}
SUBMIT_TOOL = {
    "type": "function",
    "function": {
        "name": "submit",
        "description": "Finish: submit the current diff of the repository.",
        "parameters": {"type": "object", "properties": {}},
    },
}
PATCH = (
    "diff --git a/textkit/slug.py b/textkit/slug.py\n"
    "--- a/textkit/slug.py\n+++ b/textkit/slug.py\n"
    "@@ -10 +10 @@\n-    return text.lower().replace(' ', '_')\n+    return text.lower().replace(' ', '-')\n"
)


class _Run:
    """Emits events and keeps the message list the model would see, for request hashes."""

    def __init__(self, recorder: Recorder, messages: list[dict[str, Any]]):
        self.rec = recorder
        self.messages = [dict(m) for m in messages]
        self.n_calls = 0
        self.prompt = 0
        self.completion = 0
        self.cached = 0
        self.cost = 0.0

    def model_call(self, step: int, content: str | None, calls: list[tuple[str, str, str]]) -> int:
        response: dict[str, Any] = {"role": "assistant", "content": content}
        if calls:
            response["tool_calls"] = [
                {"id": cid, "type": "function", "function": {"name": name, "arguments": raw}}
                for cid, name, raw in calls
            ]
        prompt = 400 + 60 * len(self.messages)
        completion = 20 + len(content or "") // 4
        cost = round(prompt * 1.5e-7 + completion * 6e-7, 8)
        self.n_calls += 1
        self.prompt += prompt
        self.completion += completion
        self.cached += prompt // 2
        self.cost += cost
        seq = self.rec.emit(
            "model_call",
            step=step,
            request={"n_messages": len(self.messages), "sha256": request_sha256(self.messages)},
            response=response,
            finish_reason="tool_calls" if calls else "stop",
            usage={"prompt_tokens": prompt, "completion_tokens": completion, "cached_tokens": prompt // 2},
            cost_usd=cost,
            latency_ms=850.0 + 10 * step,
            attempts=1,
            response_id=f"chatcmpl-{self.n_calls:04d}",
        )
        self.messages.append(response)
        return seq

    def tool(
        self, step: int, parent: int, cid: str, name: str, raw: str, content: str, exit_code: int | None = 0
    ) -> None:
        try:
            arguments = json.loads(raw)
        except ValueError:
            arguments = None
        call = self.rec.emit(
            "tool_call",
            step=step,
            parent=parent,
            tool_call_id=cid,
            name=name,
            arguments=arguments if isinstance(arguments, dict) else None,
            arguments_raw=raw,
        )
        self.rec.emit(
            "tool_result",
            step=step,
            parent=call,
            tool_call_id=cid,
            name=name,
            ok=exit_code == 0,
            content=content,
            exit_code=exit_code,
            timed_out=False,
            truncated=False,
            duration_ms=35.0,
        )
        self.messages.append({"role": "tool", "tool_call_id": cid, "content": content})


def emit_sample_run(
    recorder: Recorder,
    *,
    steps: int = 5,
    run_id: str = "",
    observation: str | None = None,
) -> None:
    """Emit a complete run of ``steps`` agent turns (at least 5) through ``recorder``.

    ``observation`` replaces the output of the repeated read steps (e.g. a huge one)."""
    steps = max(steps, 5)
    initial = [
        {"role": "system", "content": "You are a careful software engineer. Use the tools; submit when done."},
        {"role": "user", "content": "slugify() joins words with '_' but the docs promise '-'. Fix it."},
    ]
    recorder.emit(
        "run_start",
        agent={"name": "patchloop", "version": "0.1.0"},
        model={"name": "openai/gpt-4o-mini", "kind": "litellm", "params": {"temperature": 0.0}},
        tools=[BASH_TOOL, SUBMIT_TOOL],
        plugins=[],
        config={"agent": {"step_limit": 50, "cost_limit": 1.0}},
        versions={"patchloop": "0.1.0", "python": "3.11.9", "litellm": "1.80.0"},
        task={
            "text": initial[1]["content"],
            "instance_id": "textkit-slug-1",
            "dataset": "minibench",
            "repo": "textkit",
        },
        messages=initial,
        sandbox={"kind": "docker", "image": "patchloop-base:bookworm", "workdir": "/testbed"},
        forked_from=None,
    )
    run = _Run(recorder, initial)

    p = run.model_call(1, "Let me look at the repository.", [("call_1", "bash", '{"command": "ls textkit"}')])
    run.tool(1, p, "call_1", "bash", '{"command": "ls textkit"}', "__init__.py\ncase.py\nslug.py\nwrap.py\n")

    p = run.model_call(2, "Reading slug.py.", [("call_2", "bash", '{"command": "cat textkit/slug.py"')])
    call = recorder.emit(
        "tool_call",
        step=2,
        parent=p,
        tool_call_id="call_2",
        name="bash",
        arguments=None,
        arguments_raw='{"command": "cat textkit/slug.py"',
    )
    content = (
        "error: the arguments of bash are not valid JSON (Expecting ',' delimiter at column 34); send a JSON object"
    )
    recorder.emit(
        "tool_result",
        step=2,
        parent=call,
        tool_call_id="call_2",
        name="bash",
        ok=False,
        content=content,
        exit_code=None,
        timed_out=False,
        truncated=False,
        duration_ms=0.0,
    )
    run.messages.append({"role": "tool", "tool_call_id": "call_2", "content": content})
    feedback = "Your last tool call was malformed. Reply with exactly one valid tool call."
    recorder.emit(
        "error",
        step=2,
        parent=call,
        where="format",
        error_type="ArgumentsNotJSON",
        message="Expecting ',' delimiter: line 1 column 34",
        retryable=False,
        attempt=1,
        feedback=feedback,
    )
    run.messages.append({"role": "user", "content": feedback})

    body = "def slugify(text):\n    return text.lower().replace(' ', '_')\n"
    for step in range(3, steps - 1):
        cid = f"call_{step}"
        raw = '{"command": "cat textkit/slug.py"}'
        p = run.model_call(step, None, [(cid, "bash", raw)])
        run.tool(step, p, cid, "bash", raw, body if observation is None else observation)

    edit_step = steps - 1
    compact = [i for i, m in enumerate(run.messages) if m.get("role") == "tool"][:-1]
    if compact:
        before = sum(len(str(m.get("content") or "")) for m in run.messages)
        replacement = "[old tool output removed to save context]"
        for i in compact:
            run.messages[i] = {**run.messages[i], "content": replacement}
        after = sum(len(str(m.get("content") or "")) for m in run.messages)
        recorder.emit(
            "context",
            step=edit_step,
            reason="history over budget",
            compacted=compact,
            replacement=replacement,
            n_messages=len(run.messages),
            chars_before=before,
            chars_after=after,
        )
    raw = json.dumps({"command": "sed -i \"s/replace(' ', '_')/replace(' ', '-')/\" textkit/slug.py"})
    cid = f"call_{edit_step}"
    p = run.model_call(edit_step, "The separator is wrong; fixing it.", [(cid, "bash", raw)])
    run.tool(edit_step, p, cid, "bash", raw, "")

    cid = f"call_{steps}"
    p = run.model_call(steps, "Done.", [(cid, "submit", "{}")])
    run.tool(steps, p, cid, "submit", "{}", "submitted")
    recorder.emit(
        "run_end",
        exit_status="submitted",
        reason="the agent called submit",
        submission=PATCH,
        final_metrics={
            "total_prompt_tokens": run.prompt,
            "total_completion_tokens": run.completion,
            "total_cached_tokens": run.cached,
            "total_cost_usd": round(run.cost, 8),
            "total_steps": steps,
            "wall_s": 12.5,
        },
    )
