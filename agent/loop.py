"""The agent loop: run -> step -> query -> act. Every outcome is a RunEnded (outcomes.py),
caught in ``run``, which ends every run the same way: the diff, then ``run_end``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from agent import outcomes as out
from agent.actions import ToolCaller, malformed, no_call_problem
from agent.conversation import Conversation
from agent.limits import Budget
from agent.models.base import CallContext, ContextWindowError, ModelError
from agent.models.compat import as_model
from agent.prompts import Prompts
from agent.record import Callback, Events
from agent.submission import Base, GitSubmission, SubmissionSource, final_diff, read_base
from agent.task import RunResult, Task
from patchloop.cancel import Cancel, Cancelled
from trajectories.redact import Redactor

if TYPE_CHECKING:
    from agent.config import AgentConfig
    from trajectories.recorder import Recorder


class Agent:
    """``Agent(model, registry, sandbox, config, recorder).run(task, cancel=...)``; one run
    at a time per Agent (the model, registry and prompts may be shared by several)."""

    def __init__(
        self,
        model: Any,
        registry: Any,
        sandbox: Any,
        config: AgentConfig,
        recorder: Recorder,
        callbacks: Sequence[Callback] = (),
        *,
        run_id: str = "",
        run_config: dict[str, Any] | None = None,
        prompts: Prompts | None = None,
        redactor: Redactor | None = None,
        submission: SubmissionSource | None = None,
    ) -> None:
        self.model, self.registry, self.sandbox, self.config = as_model(model), registry, sandbox, config
        self.events, self.run_id = Events(recorder, callbacks), run_id
        self.run_config = run_config if run_config is not None else {"agent": config.model_dump()}
        self.prompts = prompts or Prompts(config.templates)
        self.redactor = redactor if redactor is not None else Redactor.from_environ()
        self.submission = submission or GitSubmission(sandbox, config.diff_exclude)

    def run(self, task: Task, *, cancel: Cancel | None = None) -> RunResult:
        self.task, self.cancel, self.format_errors, self.base = task, cancel or Cancel(), 0, Base()
        self.budget, self.talk = Budget(self.config), Conversation(self.redactor)
        on_retry = lambda failure: self.events.retried(failure, self.budget.step)  # noqa: E731
        self.context = CallContext(cancel=self.cancel, deadline=self.budget.deadline, on_retry=on_retry)
        try:
            try:
                self.start()
                while True:
                    self.step()
            except out.RunEnded as ended:
                outcome = ended
            except Cancelled as exc:
                outcome = out.stopped_by(exc, self.budget.step)
            except KeyboardInterrupt:
                outcome = out.interrupted(self.cancel.reason, self.budget.step)
            return self.finish(outcome)
        except Exception as exc:  # a bug (loop, callback, model, recorder), not an outcome
            self.events.crash(exc, self.budget.step)
            raise

    def start(self) -> None:
        self.tools = self.registry.schemas()
        self.names = [t["function"]["name"] for t in self.tools]
        self.caller = ToolCaller(self.registry, self.prompts, self.events, self.talk, self.sandbox, self.run_id)
        for message in self.prompts.opening(self.model.mode, self.names, self.sandbox.workdir, self.task):
            self.talk.add(message)
        self.base = read_base(self.submission, self.sandbox.workdir, self.task.base_commit)
        self.events.run_start(self, self.task, self.base.commit, self.talk.messages)
        self.base.check()

    def step(self) -> None:
        self.cancel.check()
        self.budget.before_step()
        self.budget.step += 1
        reply, seq = self.query()
        try:
            self.act(reply, seq)
            self.format_errors = 0
        except out.FormatError as exc:
            self.format_error(exc.problem, seq)

    def query(self) -> tuple[dict, int]:
        step = self.budget.step
        while True:
            request = self.talk.request()
            try:
                reply = self.model.query(self.talk.sent, self.tools, self.context)
                break
            except ContextWindowError as exc:
                self.events.model_error(exc, step, "ContextWindowError")
                context = self.talk.compact(self.config.context, str(exc))
                if context is None:
                    raise out.context_full(exc) from None
                self.events.emit("context", step=step, **context)
            except ModelError as exc:
                self.events.model_error(exc, step)
                self.budget.check_time()  # the run's own deadline cut the call: time_limit
                raise out.model_failed(exc) from None
        message = self.talk.add(reply.message)
        seq = self.events.model_call(step, request, message, reply)
        if self.budget.account(reply):
            self.events.unknown_cost(self.model.name, step)
        return message, seq

    def act(self, reply: dict, call_seq: int) -> None:
        calls, step, problems = reply.get("tool_calls") or [], self.budget.step, []
        for call in calls:
            done = self.caller.call(call, step, call_seq)
            self.cancel.check()  # a cancel during the command ends the run as the cancel says
            if done.result.sandbox_gone:
                raise out.SandboxGone(self.events.sandbox_gone(step, done))
            if done.result.ends_run:
                raise out.Submitted(f"the model called {done.name!r} at step {step}")
            problems += [p for p in [malformed(done.name, done.result.error_type)] if p]
            self.budget.command_done(done.result.timed_out)
        self.budget.check_timeouts()
        if not calls:
            raise out.FormatError(no_call_problem(self.model.mode))
        if len(problems) == len(calls):
            raise out.FormatError("; ".join(problems))

    def format_error(self, problem: str, parent: int) -> None:
        self.format_errors += 1
        limit, feedback = self.config.max_format_errors, None
        if self.format_errors < limit:
            text = self.prompts.render("format_error", mode=self.model.mode, tools=self.names, problem=problem)
            feedback = self.talk.add({"role": "user", "content": text})["content"]
        self.events.format_error(self.budget.step, parent, problem, self.format_errors, feedback)
        if feedback is None:
            raise out.format_errors_exhausted(self.format_errors, limit, problem)

    def finish(self, ended: out.RunEnded) -> RunResult:
        status, reason, patch = final_diff(self.submission, self.base, ended, self.cancel.cancelled)
        self.events.run_end(status, reason, patch, self.budget.final_metrics())
        return self.budget.result(status, reason, patch, self.run_id)
