"""patchloop's core, and the import name for plugin authors.

``from patchloop import hookimpl`` marks a plugin's hooks (``register_tools``,
``register_models``, ``register_sandboxes``, ``register_benchmarks``; see
:mod:`patchloop.hookspecs`). The rest of this package is what every layer shares and
nothing else: the error root, the rules for names that become paths, cancellation,
secret names, the cache root and the plugin manager. It imports nothing of
patchloop's other packages, so every layer may import it.
"""

from __future__ import annotations

from patchloop.hookspecs import hookimpl

__all__ = ["hookimpl"]
