"""Self-contained HTML pages: a trajectory page, and the pieces the run report reuses.

Every page is one file that opens offline from disk: no CDN, no server, no external
request. Everything a page shows comes from hostile sources (the model, the task text,
command output), so every value is escaped by the templates (Jinja2 autoescape) and a
strict Content-Security-Policy allows only the page's own script and style, by hash:
no inline handler, no injected ``<script>``, no remote load can run.
"""

from __future__ import annotations

from trajectories.html.trajectory import trajectory_page, write_trajectory_page

__all__ = ["trajectory_page", "write_trajectory_page"]
