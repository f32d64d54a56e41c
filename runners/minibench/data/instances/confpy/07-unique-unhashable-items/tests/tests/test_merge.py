import pytest

from confpy.errors import ConfigError
from confpy.merge import deep_merge, merge_all


def test_nested_dicts_merge_key_by_key():
    base = {"server": {"host": "a", "port": 1}, "debug": False}
    override = {"server": {"port": 2}, "extra": 1}
    assert deep_merge(base, override) == {
        "server": {"host": "a", "port": 2},
        "debug": False,
        "extra": 1,
    }


def test_scalar_replaces_dict_and_dict_replaces_scalar():
    assert deep_merge({"a": {"x": 1}}, {"a": 5}) == {"a": 5}
    assert deep_merge({"a": 5}, {"a": {"x": 1}}) == {"a": {"x": 1}}


def test_inputs_are_not_modified():
    base = {"a": {"b": [1]}}
    override = {"a": {"b": [2], "c": {"d": 1}}}
    merged = deep_merge(base, override, list_strategy="append")
    merged["a"]["b"].append(99)
    merged["a"]["c"]["d"] = 2
    assert base == {"a": {"b": [1]}}
    assert override == {"a": {"b": [2], "c": {"d": 1}}}


@pytest.mark.parametrize(
    "strategy, expected",
    [("replace", [2, 3]), ("append", [1, 2, 2, 3]), ("unique", [1, 2, 3])],
)
def test_list_strategies(strategy, expected):
    assert deep_merge({"x": [1, 2]}, {"x": [2, 3]}, list_strategy=strategy) == {"x": expected}


def test_unique_keeps_first_occurrence_order():
    merged = deep_merge({"x": ["b", "a"]}, {"x": ["c", "a", "b", "d"]}, list_strategy="unique")
    assert merged == {"x": ["b", "a", "c", "d"]}


def test_list_strategy_applies_in_nested_sections():
    merged = deep_merge({"s": {"x": [1]}}, {"s": {"x": [1, 2]}}, list_strategy="unique")
    assert merged == {"s": {"x": [1, 2]}}


def test_unknown_strategy_is_rejected():
    with pytest.raises(ConfigError, match="list_strategy must be one of"):
        deep_merge({}, {}, list_strategy="zip")


def test_merge_all_layers_in_order():
    layers = [{"a": 1, "l": [1]}, {"a": 2, "b": {"c": 1}}, {"b": {"d": 2}, "l": [2]}]
    assert merge_all(*layers) == {"a": 2, "b": {"c": 1, "d": 2}, "l": [2]}
    assert merge_all(*layers, list_strategy="append")["l"] == [1, 2]
    assert merge_all() == {}


def test_unique_works_for_lists_of_tables():
    defaults = {"upstreams": [{"host": "a", "port": 80}]}
    site = {"upstreams": [{"host": "b", "port": 80}, {"host": "a", "port": 80}]}
    merged = deep_merge(defaults, site, list_strategy="unique")
    assert merged == {"upstreams": [{"host": "a", "port": 80}, {"host": "b", "port": 80}]}
    merged["upstreams"][1]["port"] = 8080
    assert site["upstreams"][0] == {"host": "b", "port": 80}


def test_unique_works_for_nested_lists_in_merge_all():
    layers = [{"m": [[1, 2]]}, {"m": [[1, 2], [3]]}, {"m": [[3], [1, 2], [4]]}]
    assert merge_all(*layers, list_strategy="unique") == {"m": [[1, 2], [3], [4]]}
