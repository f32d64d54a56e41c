"""Helpers shared by the test packages (imported as ``helpers.<module>``; pytest puts
``tests/`` on the path). Fixtures stay in conftest files; plain functions live here."""
