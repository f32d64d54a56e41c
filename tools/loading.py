"""Importing a plugin given by the user: a ``.py`` file or a ``pkg.mod[:attr]`` spec.

Each import failure is a PluginLoadError naming the plugin and its cause; the version
recorded in ``run_start`` comes from the distribution that provides the module.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import re
import sys
import types
from pathlib import Path
from typing import Any

from tools.errors import PluginLoadError
from tools.pluginfo import PluginInfo


def import_file(spec: str) -> tuple[Any, PluginInfo]:
    path = Path(spec).expanduser().resolve()
    if path.is_dir():
        raise PluginLoadError(
            spec,
            f"{path} is a folder; give a .py file in it, or the package's module name "
            "(pkg.mod) with the folder on PYTHONPATH",
        )
    if not path.is_file():
        raise PluginLoadError(spec, f"no such file: {path}")
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    stem = re.sub(r"\W", "_", path.stem)
    module_name = f"patchloop_plugin_{stem}_{digest}"
    module = sys.modules.get(module_name)
    if module is None or getattr(module, "__file__", None) != str(path):
        module_spec = importlib.util.spec_from_file_location(module_name, path)
        if module_spec is None or module_spec.loader is None:
            raise PluginLoadError(spec, f"{path} cannot be imported as a Python module")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[module_name] = module  # dataclasses and pydantic look their module up here
        try:
            module_spec.loader.exec_module(module)
        except BaseException as exc:
            del sys.modules[module_name]
            if not isinstance(exc, Exception):
                raise
            raise PluginLoadError(spec, f"{type(exc).__name__}: {exc}") from exc
    version = getattr(module, "__version__", None)
    info = PluginInfo(name=path.stem, version=str(version) if version is not None else None, source=f"file {path}")
    return module, info


def import_module_spec(spec: str) -> tuple[Any, PluginInfo]:
    module_name, _, attr = spec.partition(":")
    if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", module_name) or (
        attr and not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", attr)
    ):
        raise PluginLoadError(spec, "not a module spec; give pkg.mod, pkg.mod:attr or path/to/file.py")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        hint = (
            " (is it installed in this environment, or on PYTHONPATH?)" if exc.name == module_name.split(".")[0] else ""
        )
        raise PluginLoadError(spec, f"ModuleNotFoundError: {exc}{hint}") from exc
    except Exception as exc:  # the plugin's own import-time errors, whatever they are
        raise PluginLoadError(spec, f"{type(exc).__name__}: {exc}") from exc
    obj: Any = module
    for part in attr.split(".") if attr else []:
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise PluginLoadError(spec, f"module {module_name!r} has no attribute {attr!r}") from exc
    info = PluginInfo(name=spec, version=module_version(module), source=f"module {spec}")
    return obj, info


def module_version(module: types.ModuleType) -> str | None:
    """The version of the distribution that provides the module, else its __version__."""
    top = module.__name__.split(".")[0]
    try:
        return importlib.metadata.version(top)  # names are normalised: my_pkg finds my-pkg
    except importlib.metadata.PackageNotFoundError:
        pass
    version = getattr(sys.modules.get(top), "__version__", None) or getattr(module, "__version__", None)
    if version is not None:
        return str(version)
    location = str(getattr(module, "__file__", "") or "")
    if "site-packages" in location or "dist-packages" in location:
        # An installed package whose import name differs from its distribution name: the
        # full map costs a scan of every installed distribution, so it comes last.
        for dist_name in importlib.metadata.packages_distributions().get(top, []):
            try:
                return importlib.metadata.version(dist_name)
            except importlib.metadata.PackageNotFoundError:
                continue
    return None
