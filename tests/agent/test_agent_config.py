"""Configuration: YAML + dotted overrides into strict pydantic models; errors name key and source."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import ConfigError, RunConfig, load_config, parse_override
from agent.prompts import PromptError, Prompts


def test_defaults_load_and_equal_the_model_defaults() -> None:
    assert load_config() == RunConfig()


def test_misplaced_key_names_the_key_the_file_and_the_right_place(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("agent:\n  step_limit: 5\nmodel:\n  cost_limit: 2.0\n")  # cost_limit belongs under agent
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "'model.cost_limit'" in message and str(path) in message and "agent.cost_limit" in message


def test_misspelt_key_gets_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("agent:\n  setp_limit: 5\n")
    with pytest.raises(ConfigError, match=r"unknown key 'agent.setp_limit' .*did you mean 'agent.step_limit'"):
        load_config(path)


def test_overrides_are_typed_as_yaml_and_win_over_files(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("agent:\n  step_limit: 5\n")
    config = load_config(
        path,
        [
            "agent.step_limit=50",
            "agent.cost_limit=null",
            "model.kwargs={top_p: 0.5}",
            "agent.diff_exclude=[]",
            "model.name=openai/x",
        ],
    )
    assert config.agent.step_limit == 50 and config.agent.cost_limit is None
    assert config.model.kwargs == {"top_p": 0.5} and config.agent.diff_exclude == []
    assert config.agent.time_limit_s == 3600  # untouched defaults stay


def test_bad_override_value_names_the_override() -> None:
    with pytest.raises(ConfigError, match=r"agent.step_limit: .*\(in -c agent.step_limit=many\)"):
        load_config(None, ["agent.step_limit=many"])
    with pytest.raises(ConfigError, match=r"unknown key 'agent.nope' \(in -c agent.nope=1\)"):
        load_config(None, ["agent.nope=1"])
    with pytest.raises(ConfigError, match="key.path=value"):
        parse_override("agent.step_limit")
    with pytest.raises(ConfigError, match="is a value"):
        load_config(None, ["agent.step_limit.x=1"])


def test_limits_must_be_positive_or_null() -> None:
    with pytest.raises(ConfigError, match="agent.step_limit: Input should be greater than 0"):
        load_config(None, ["agent.step_limit=0"])


def test_secrets_and_owned_arguments_are_refused_in_model_kwargs() -> None:
    with pytest.raises(ConfigError, match="api_key_env"):
        load_config(None, ["model.kwargs={api_key: sk-123}"])
    with pytest.raises(ConfigError, match="model.retry"):
        load_config(None, ["model.kwargs={num_retries: 3}"])


def test_unreadable_or_non_mapping_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- a\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(tmp_path / "list.yaml")
    (tmp_path / "bad.yaml").write_text("agent: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(tmp_path / "bad.yaml")


def test_templates_are_strict_about_undefined_variables(tmp_path: Path) -> None:
    (tmp_path / "system.j2").write_text("Hello {{ nobody }}")
    config = load_config(None, [f"agent.templates.dirs=[{tmp_path}]"])
    prompts = Prompts(config.agent.templates)
    with pytest.raises(PromptError, match="nobody"):
        prompts.render("system", mode="tools", tools=[], workdir="/w")
    assert prompts.render("task", task="T", workdir="/w", mode="tools", tools=[], instance_id=None, repo=None)


def test_missing_template_is_named() -> None:
    config = load_config(None, ["agent.templates.task=nope.j2"])
    with pytest.raises(PromptError, match=r"agent.templates.task: template 'nope.j2' not found"):
        Prompts(config.agent.templates)
