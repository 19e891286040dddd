"""Browser fixtures for the console end-to-end tests (tests/e2e/console_stack.py)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def console_stack(tmp_path_factory, loaded_sqlite_template):
    from tests.e2e.console_stack import start_console_stack

    stack = start_console_stack(tmp_path_factory.mktemp("console-stack"), loaded_sqlite_template)
    yield stack
    stack.stop()
