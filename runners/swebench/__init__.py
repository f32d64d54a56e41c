"""SWE-bench runner: dataset -> agent in Docker -> patch -> official-style grading -> reports.

Entry point: ``python -m runners.swebench`` (see ``runners/swebench/cli.py``).
"""
