"""The console in a real browser, beside the running bot (tests/e2e/console_stack.py)."""
from __future__ import annotations

import pytest

from tests.e2e.console_stack import ask, chat_page, console_page

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def test_staff_log_in_and_the_bot_answers_beside_the_console(console_stack, chromium):
    page = console_page(chromium, console_stack, "rosa")
    assert page.get_by_role("link", name="Registro de cambios").is_visible()
    page.get_by_role("button", name="Salir").click()
    page.get_by_label("Usuario").wait_for()
    chat = chat_page(chromium, console_stack)
    assert "H-2A" in ask(chat, "¿qué es la visa h2a?")
