"""Prompt templates: Jinja2 with StrictUndefined, from configs/ (or folders named in the config)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from patchloop.errors import UserError

if TYPE_CHECKING:
    from agent.config import TemplatesConfig
    from agent.task import Task

CONFIGS_DIR = Path(__file__).resolve().parent.parent / "configs"


class PromptError(UserError, ValueError):
    """A template is missing, malformed, or uses a variable that was not given."""


class Prompts:
    """Renders the four templates the loop uses: system, task, format_error, observation."""

    def __init__(self, config: TemplatesConfig) -> None:
        import jinja2

        self._jinja = jinja2
        search = [str(Path(d)) for d in config.dirs] + [str(CONFIGS_DIR)]
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(search),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
        )
        self._search = search
        self._templates = {
            role: self._load(role, getattr(config, role)) for role in ("system", "task", "format_error", "observation")
        }

    def _load(self, role: str, name: str) -> Any:
        try:
            if Path(name).is_absolute():
                return self._env.from_string(Path(name).read_text(encoding="utf-8"))
            return self._env.get_template(name)
        except self._jinja.TemplateNotFound:
            raise PromptError(
                f"agent.templates.{role}: template {name!r} not found in {', '.join(self._search)}"
            ) from None
        except OSError as exc:
            raise PromptError(f"agent.templates.{role}: cannot read {name}: {exc.strerror}") from None
        except self._jinja.TemplateSyntaxError as exc:
            raise PromptError(f"agent.templates.{role}: {name} line {exc.lineno}: {exc.message}") from None

    def render(self, role: str, **variables: Any) -> str:
        try:
            return self._templates[role].render(**variables)
        except self._jinja.UndefinedError as exc:
            raise PromptError(
                f"template {role!r} uses an undefined variable ({exc.message}); available: {sorted(variables)}"
            ) from None

    def opening(self, mode: str, tools: list[str], workdir: str, task: Task) -> list[dict[str, str]]:
        """The system and task messages a run starts with."""
        common = {"mode": mode, "tools": tools, "workdir": workdir}
        return [
            {"role": "system", "content": self.render("system", **common)},
            {
                "role": "user",
                "content": self.render("task", **common, task=task.text, instance_id=task.instance_id, repo=task.repo),
            },
        ]
