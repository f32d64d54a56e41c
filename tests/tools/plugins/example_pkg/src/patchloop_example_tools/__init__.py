"""Example patchloop plugin package (see docs/plugins.md)."""
