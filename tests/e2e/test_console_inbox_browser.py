"""The inbox and the dashboard in a real browser, beside the running bot: a question the bot cannot answer lands
in the inbox, an editor teaches it to a topic, and the same question then gets that topic's answer."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.content.repository import ContentRepository
from tests.e2e.console_stack import ask, chat_page, console_page

pytestmark = [pytest.mark.e2e, pytest.mark.model]

QUESTION = "cuantas horas dura el vuelo de guatemala a tokio"
TOPIC = "labour.spain"  # no other browser test asserts on it


def test_teach_an_unanswered_question_then_the_bot_answers_it_and_the_dashboard_counts(console_stack, chromium):
    title = ContentRepository(console_stack.database_url).get_answer(TOPIC, "es").title
    chat = chat_page(chromium, console_stack)
    first = ask(chat, QUESTION)
    assert first.startswith("Perdón, no entendí bien.") and title not in first

    page = console_page(chromium, console_stack, "eva")
    page.goto(f"{console_stack.console_url}/inbox/")
    group = page.locator("tr.inbox-group", has_text=QUESTION)
    assert group.locator("td").nth(3).inner_text() == "webchat"
    group.get_by_role("link", name="Resolver").click()
    page.get_by_label("Tema o pregunta frecuente").select_option(TOPIC)
    page.get_by_role("button", name="Enseñar").click()
    assert page.get_by_role("status").inner_text() == f"Enseñado a {TOPIC}. El bot lo usa desde el próximo mensaje."
    assert page.locator("tr.inbox-group", has_text=QUESTION).count() == 0

    second = ask(chat, QUESTION)
    assert second.startswith(title)

    page.goto(f"{console_stack.console_url}/")
    page.locator("body[data-charts='drawn']").wait_for()  # Chart.js, served by the console, drew the charts
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    webchat_today = page.locator("#table-channel tr", has_text=today).filter(has_text="webchat")
    # The greeting and the two questions at least (other browser tests chat too).
    assert int(webchat_today.locator("td").nth(2).inner_text()) >= 3
    assert int(page.locator("#stat-messages").inner_text()) >= 3
