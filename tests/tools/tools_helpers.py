"""Helpers for the tools tests: files in and out of a sandbox through its protocol."""

from __future__ import annotations

from tools import ToolContext


def put(ctx: ToolContext, relpath: str, data: bytes, mode: int | None = None) -> str:
    """Write a file through the sandbox; returns its absolute path."""
    path = f"{ctx.workdir}/{relpath}"
    ctx.sandbox.write_file(path, data, mode=mode)
    return path


def get(ctx: ToolContext, relpath: str) -> bytes:
    return ctx.sandbox.read_file(f"{ctx.workdir}/{relpath}")
