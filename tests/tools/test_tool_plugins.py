"""Plugins three ways (entry points, modules, files), conflicts, and failures."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import uuid
from pathlib import Path

import pytest

from tools import PluginInfo, PluginLoadError, ToolContext, ToolRegistry
from tools.builtin import BUILTIN_NAMES

PLUGINS = Path(__file__).resolve().parent / "plugins"
EXAMPLE_PKG = PLUGINS / "example_pkg"
SINGLE_FILE = PLUGINS / "single_file.py"
CTX = ToolContext(sandbox=None, workdir="/w")


def write_module(folder: Path, code: str, prefix: str = "plug") -> str:
    """A uniquely named module in `folder`; returns its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    (folder / f"{name}.py").write_text(textwrap.dedent(code))
    return name


def fake_distribution(folder: Path, name: str, version: str, entry_points: dict[str, str]) -> None:
    """An installed distribution as importlib.metadata finds it: a .dist-info folder on sys.path."""
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = ["[patchloop]"] + [f"{key} = {value}" for key, value in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")


GOOD_PLUGIN = """
from tools import hookimpl, tool

@tool
def greet(name: str) -> str:
    '''Greet someone.'''
    return "hello " + name

@hookimpl
def register_tools(register):
    register(greet)
"""


# -- file plugins -------------------------------------------------------------------------


def test_single_file_plugin_from_the_guide():
    registry = ToolRegistry.with_builtins()
    info = registry.load(str(SINGLE_FILE))
    assert info == PluginInfo(name="single_file", version="1.2.0", source=f"file {SINGLE_FILE}")
    assert registry.plugins == [info]
    assert registry.names() == [*BUILTIN_NAMES, "count_lines", "shout"]
    assert registry.source("shout") == f"plugin 'single_file' (file {SINGLE_FILE})"
    assert registry.call("shout", {"text": "abc", "style": "title"}, CTX).content == "Abc"
    schema = {s["function"]["name"]: s["function"] for s in registry.schemas()}
    assert schema["count_lines"]["parameters"]["properties"]["path"]["description"].startswith("File path")


def test_single_file_plugin_tool_uses_the_sandbox(local_ctx):
    registry = ToolRegistry()
    registry.load(str(SINGLE_FILE))
    local_ctx.sandbox.write_file("f.txt", b"1\n2\n3\n")
    assert registry.call("count_lines", {"path": "f.txt"}, local_ctx).content == "3"


def test_file_plugin_with_hook(tmp_path):
    path = tmp_path / "hooked.py"
    path.write_text(GOOD_PLUGIN)
    registry = ToolRegistry()
    registry.load(str(path))
    assert registry.names() == ["greet"]
    assert registry.call("greet", {"name": "x"}, CTX).content == "hello x"


def test_loading_the_same_file_twice_is_harmless():
    registry = ToolRegistry()
    registry.load(str(SINGLE_FILE))
    registry.load(str(SINGLE_FILE))
    assert len(registry.plugins) == 1 and registry.names() == ["count_lines", "shout"]


def test_file_plugin_import_error_names_plugin_and_cause(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("import json\nraise RuntimeError('config missing')\n")
    registry = ToolRegistry()
    with pytest.raises(PluginLoadError) as info:
        registry.load(str(path))
    assert str(path) in str(info.value) and "RuntimeError: config missing" in str(info.value)
    assert not [m for m in sys.modules if m.startswith("patchloop_plugin_broken")]


def test_missing_file(tmp_path):
    with pytest.raises(PluginLoadError, match="no such file"):
        ToolRegistry().load(str(tmp_path / "nope.py"))


def test_a_folder_is_not_a_missing_file(tmp_path):
    with pytest.raises(PluginLoadError, match="is a folder; give a .py file in it, or the package's module name"):
        ToolRegistry().load(str(tmp_path) + "/")  # said "no such file", which it is not


def test_imported_tools_are_not_collected(tmp_path):
    path = tmp_path / "reexport.py"
    path.write_text(
        "from tools.builtin import submit\nfrom tools import tool\n\n"
        "@tool\ndef own() -> str:\n    '''Own.'''\n    return 'own'\n"
    )
    registry = ToolRegistry()
    registry.load(str(path))
    assert registry.names() == ["own"]


# -- module plugins ------------------------------------------------------------------------


@pytest.fixture
def example_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLE_PKG / "src"))


def test_module_plugin_with_hook(example_on_path):
    registry = ToolRegistry()
    info = registry.load("patchloop_example_tools.plugin")
    assert info.name == "patchloop_example_tools.plugin" and info.source == "module patchloop_example_tools.plugin"
    assert registry.names() == ["find_files", "notes"]
    assert registry.call("notes", {"add": "one"}, CTX).content == "noted (1 notes)"
    assert registry.call("notes", {}, CTX).content == "1. one"


def test_module_attr_plugin_single_tool_and_bare_hook(example_on_path):
    registry = ToolRegistry()
    registry.load("patchloop_example_tools.plugin:find_files")
    assert registry.names() == ["find_files"]
    other = ToolRegistry()
    other.load("patchloop_example_tools.plugin:register_tools")
    assert other.names() == ["find_files", "notes"]


def test_module_plugin_with_module_level_tools(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    name = write_module(
        tmp_path,
        """
        from tools import tool
        @tool
        def one() -> str:
            '''One.'''
            return "1"
    """,
    )
    registry = ToolRegistry()
    registry.load(name)
    assert registry.names() == ["one"]


def test_module_not_found_hint():
    with pytest.raises(PluginLoadError, match=r"no_such_plugin_pkg.*installed in this environment"):
        ToolRegistry().load("no_such_plugin_pkg.tools")


def test_module_missing_attribute(example_on_path):
    with pytest.raises(PluginLoadError, match="has no attribute 'nothing'"):
        ToolRegistry().load("patchloop_example_tools.plugin:nothing")


@pytest.mark.parametrize("spec", ["", "  ", "a b", "pkg:"])
def test_bad_specs(spec):
    with pytest.raises(PluginLoadError):
        ToolRegistry().load(spec)


def test_non_strict_load_records_error_and_continues(tmp_path):
    broken = tmp_path / "broken2.py"
    broken.write_text("raise ImportError('needs foo')\n")
    registry = ToolRegistry()
    assert registry.load(str(broken), strict=False) is None
    assert registry.load(str(SINGLE_FILE), strict=False) is not None
    assert [type(e) for e in registry.plugin_errors] == [PluginLoadError]
    assert "needs foo" in str(registry.plugin_errors[0])


# -- conflicts and bad hooks --------------------------------------------------------------


def test_plugin_conflicting_with_builtin_fails_whole_plugin(tmp_path):
    path = tmp_path / "clash.py"
    path.write_text(
        textwrap.dedent("""
        from tools import hookimpl, tool
        @tool
        def fine() -> str:
            '''Fine.'''
            return ""
        @tool(name="bash")
        def my_bash(command: str) -> str:
            '''Mine.'''
            return command
        @hookimpl
        def register_tools(register):
            register(fine)
            register(my_bash)
    """)
    )
    registry = ToolRegistry.with_builtins()
    with pytest.raises(PluginLoadError) as info:
        registry.load(str(path))
    message = str(info.value)
    assert "DuplicateToolError" in message and "'bash'" in message
    assert "builtin" in message and f"file {path}" in message
    assert "fine" not in registry.names() and registry.plugins == []  # all or nothing


def test_plugin_may_override_explicitly(tmp_path):
    path = tmp_path / "override.py"
    path.write_text(
        textwrap.dedent("""
        from tools import hookimpl, tool
        @tool(name="bash")
        def my_bash(command: str) -> str:
            '''Mine.'''
            return "mine: " + command
        @hookimpl
        def register_tools(register):
            register(my_bash, override=True)
    """)
    )
    registry = ToolRegistry.with_builtins()
    registry.load(str(path))
    assert registry.call("bash", {"command": "ls"}, CTX).content == "mine: ls"
    assert registry.source("bash").startswith("plugin 'override'")


def test_two_plugins_with_one_name(tmp_path):
    for stem in ("first", "second"):
        (tmp_path / f"{stem}.py").write_text(GOOD_PLUGIN)
    registry = ToolRegistry()
    registry.load(str(tmp_path / "first.py"))
    with pytest.raises(PluginLoadError, match=r"'greet'.*plugin 'first'.*plugin 'second'"):
        registry.load(str(tmp_path / "second.py"))


@pytest.mark.parametrize(
    "file_name, code, error",
    [
        ("typo.py", "def f(:\n", r"SyntaxError: .*\(typo\.py, line 1\)"),  # the author is told where
        ("empty.py", "X = 1\n", "no register_tools hook and defines no @tool"),
        (
            "wrongarg.py",
            "from tools import hookimpl\n\n@hookimpl\ndef register_tools(registrar):\n    pass\n",
            "invalid hook implementation",
        ),
        (
            "unknownhook.py",
            "from tools import hookimpl\n\n@hookimpl\ndef register_tool(register):\n    pass\n",
            "invalid hook implementation.*register_tool",
        ),
        (
            "raising.py",
            "from tools import hookimpl\n\n@hookimpl\ndef register_tools(register):\n"
            "    raise ValueError('bad config')\n",
            "hook raised ValueError: bad config",
        ),
        (
            "badtool.py",
            "from tools import hookimpl\n\ndef untyped(x):\n    return x\n\n"
            "@hookimpl\ndef register_tools(register):\n    register(untyped)\n",
            "ToolDefinitionError.*no type annotation",
        ),
    ],
)
def test_a_broken_file_plugin_says_what_is_wrong(tmp_path, file_name, code, error):
    path = tmp_path / file_name
    path.write_text(code)
    with pytest.raises(PluginLoadError, match=error):
        ToolRegistry().load(str(path))


# -- entry points (in process, through importlib.metadata) ---------------------------------


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """Two installed distributions: one good plugin and one that fails to import."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("PATCHLOOP_LOAD_PLUGINS", raising=False)
    good = write_module(tmp_path, GOOD_PLUGIN, "good")
    bad = write_module(tmp_path, "raise ImportError('libfoo is missing')\n", "bad")
    fake_distribution(tmp_path, "aaa_good_plugin", "2.0.1", {"good": good})
    fake_distribution(tmp_path, "zzz_bad_plugin", "0.1", {"zbad": bad})
    return good, bad


def test_entry_points_load_and_failures_do_not_stop_others(installed, caplog):
    good, _ = installed
    registry = ToolRegistry()
    loaded = registry.load_plugins()
    assert [p.name for p in loaded] == ["good"]
    assert loaded[0].version == "2.0.1"
    assert loaded[0].source == f"entry point patchloop:good = {good} in aaa_good_plugin 2.0.1"
    assert registry.plugins == loaded and registry.names() == ["greet"]
    assert len(registry.plugin_errors) == 1
    error = registry.plugin_errors[0]
    assert error.plugin == "zbad" and "ImportError: libfoo is missing" in error.cause
    assert "zbad" in caplog.text


def test_entry_points_strict_raises(installed):
    registry = ToolRegistry()
    with pytest.raises(PluginLoadError, match="'zbad'.*libfoo is missing"):
        registry.load_plugins(strict=True)


def test_entry_points_off_and_restricted(installed, monkeypatch):
    monkeypatch.setenv("PATCHLOOP_LOAD_PLUGINS", "0")
    assert ToolRegistry().load_plugins() == []
    monkeypatch.setenv("PATCHLOOP_LOAD_PLUGINS", "good")
    registry = ToolRegistry()
    assert [p.name for p in registry.load_plugins(strict=True)] == ["good"]


@pytest.mark.parametrize("off", ["0", "false", "OFF", " no "])
def test_entry_points_off_spellings(installed, monkeypatch, off):
    monkeypatch.setenv("PATCHLOOP_LOAD_PLUGINS", off)
    registry = ToolRegistry()
    assert registry.load_plugins() == [] and registry.plugin_errors == []


@pytest.mark.parametrize("on", ["1", "true", "Yes", ""])
def test_entry_points_on_spellings(installed, monkeypatch, on):
    monkeypatch.setenv("PATCHLOOP_LOAD_PLUGINS", on)
    assert [p.name for p in ToolRegistry().load_plugins()] == ["good"]


def test_entry_points_a_listed_name_that_is_not_installed_is_reported(installed, monkeypatch):
    """A typo in the list used to load nothing, silently."""
    monkeypatch.setenv("PATCHLOOP_LOAD_PLUGINS", "good,goood")
    registry = ToolRegistry()
    assert [p.name for p in registry.load_plugins()] == ["good"]
    [error] = registry.plugin_errors
    assert error.plugin == "goood"
    assert "no installed package provides" in error.cause and "installed: good, zbad" in error.cause
    with pytest.raises(PluginLoadError, match="'goood'"):
        ToolRegistry().load_plugins(strict=True)


RAISING_HOOK_PLUGIN = """
from tools import hookimpl, tool

@tool
def half(x: int) -> int:
    "Half of x."
    return x // 2

@hookimpl
def register_tools(register):
    register(half)
    raise RuntimeError("no licence key")
"""


def test_entry_point_whose_hook_raises_is_reported_and_the_others_load(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("PATCHLOOP_LOAD_PLUGINS", raising=False)
    good = write_module(tmp_path, GOOD_PLUGIN, "good")
    raising = write_module(tmp_path, RAISING_HOOK_PLUGIN, "raising")
    fake_distribution(tmp_path, "good_plugin", "1.0", {"good": good})
    fake_distribution(tmp_path, "raising_plugin", "0.2", {"araising": raising})
    registry = ToolRegistry()
    assert [p.name for p in registry.load_plugins()] == ["good"]
    assert registry.names() == ["greet"]  # nothing of the failing plugin, not even `half`
    [error] = registry.plugin_errors
    assert error.plugin == "araising"
    assert error.cause == "its register_tools hook raised RuntimeError: no licence key"
    with pytest.raises(PluginLoadError, match="'araising'.*no licence key"):
        ToolRegistry().load_plugins(strict=True)


# -- the example package, installed for real with pip into a fresh venv ---------------------


def make_venv(tmp_path: Path) -> Path:
    """A venv that sees this environment's packages (patchloop included) through a .pth."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    parent = sysconfig.get_paths()["purelib"]
    Path(purelib, "_patchloop_parent_env.pth").write_text(f"import site; site.addsitedir({parent!r})\n")
    return python


PROBE = """
import json, pathlib, sys, tempfile
from sandbox import LocalSandbox
from tools import ToolContext, build_registry
specs = sys.argv[1:]  # --plugin values; with none, discovery through entry points
registry = build_registry(None, specs, load_entry_points=not specs)
root = tempfile.mkdtemp()
pathlib.Path(root, "pkg").mkdir()
pathlib.Path(root, "pkg", "mod.py").write_text("x = 1\\n")
pathlib.Path(root, "notes.txt").write_text("n\\n")
with LocalSandbox(root) as sandbox:
    ctx = ToolContext(sandbox=sandbox, workdir=sandbox.workdir)
    found = registry.call("find_files", {"pattern": "*.py"}, ctx) if "find_files" in registry else None
print(json.dumps({
    "names": registry.names(),
    "plugins": [p.model_dump() for p in registry.plugins],
    "errors": [str(e) for e in registry.plugin_errors],
    "found": found.content if found else None,
    "schema": [s for s in registry.schemas() if s["function"]["name"] == "find_files"],
}))
"""


@pytest.mark.slow
def test_example_package_installed_with_pip_is_discovered(tmp_path):
    python = make_venv(tmp_path)
    source = tmp_path / "example_pkg"
    shutil.copytree(EXAMPLE_PKG, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    # An isolated build, as for any user: pip gets the build backend (setuptools) from the
    # package index into a throwaway build environment; the package itself has no deps.
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "-q", str(source)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert install.returncode == 0, install.stderr
    env = {k: v for k, v in os.environ.items() if k != "PATCHLOOP_LOAD_PLUGINS"}

    def probe(*specs, **extra_env):
        run = subprocess.run(
            [str(python), "-c", PROBE, *specs],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**env, **extra_env},
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)

    seen = probe()
    assert seen["errors"] == []
    assert seen["names"] == [*BUILTIN_NAMES, "find_files", "notes"]
    assert seen["plugins"] == [
        {
            "name": "example",
            "version": "0.3.1",
            "source": "entry point patchloop:example = patchloop_example_tools.plugin in patchloop-example-tools 0.3.1",
        }
    ]
    assert seen["found"].strip() == "./pkg/mod.py"
    function = seen["schema"][0]["function"]
    assert function["description"] == "Find files whose name matches a glob, under a folder of the repository."
    assert function["parameters"]["properties"]["pattern"]["description"].startswith("A glob")
    assert function["parameters"]["properties"]["path"]["description"].startswith("The folder")

    # The same environment with auto-loading switched off sees only the built-ins.
    assert probe(PATCHLOOP_LOAD_PLUGINS="0")["names"] == list(BUILTIN_NAMES)
    # The installed module also loads by name, as `--plugin patchloop_example_tools.plugin`,
    # and its version is found through its distribution.
    explicit = probe("patchloop_example_tools.plugin", PATCHLOOP_LOAD_PLUGINS="0")
    assert explicit["names"] == [*BUILTIN_NAMES, "find_files", "notes"]
    assert explicit["plugins"] == [
        {
            "name": "patchloop_example_tools.plugin",
            "version": "0.3.1",
            "source": "module patchloop_example_tools.plugin",
        }
    ]


def test_plugin_found_by_entry_point_and_given_as_module_loads_once(installed):
    good, _ = installed
    registry = ToolRegistry()
    registry.load_plugins()
    assert registry.load(good) is not None  # same module object: nothing new, no conflict
    assert registry.names() == ["greet"]
    assert [p.name for p in registry.plugins] == ["good"]


def test_module_plugin_with_tool_class_loaded_twice(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    name = write_module(
        tmp_path,
        """
        from pydantic import BaseModel
        from tools import Tool
        class Stateful(Tool):
            name = "stateful"
            class Params(BaseModel):
                pass
            def run(self, params, ctx):
                return "s"
    """,
    )
    registry = ToolRegistry()
    registry.load(name)
    registry.load(name)
    assert registry.names() == ["stateful"] and len(registry.plugins) == 1


def test_builtins_come_through_the_default_plugins_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The built-in tools are registered by the register_tools hook of a default plugin:
    with no default plugins there are none; builtins=False gives an empty registry."""
    import patchloop.plugins
    from tools import ToolRegistry, build_registry

    assert ToolRegistry.with_builtins().names() == ["bash", "str_replace_editor", "search", "submit"]
    assert build_registry(None, load_entry_points=False, builtins=False).names() == []
    monkeypatch.setattr(patchloop.plugins, "DEFAULT_PLUGINS", ())
    assert ToolRegistry.with_builtins().names() == []


def test_tools_hookimpl_is_the_core_marker() -> None:
    import patchloop
    import tools

    assert tools.hookimpl is patchloop.hookimpl
