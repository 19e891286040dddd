"""The local web chat in a real browser (headless Chromium driven by Playwright): what a newcomer sees."""
from __future__ import annotations

import pytest

from bot.content.repository import ContentRepository
from tests.channels.servers import servers_with

pytestmark = [pytest.mark.e2e, pytest.mark.model]


class _NoFake:
    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def servers(tmp_path_factory, loaded_sqlite_template):
    with servers_with(_NoFake(), tmp_path_factory.mktemp("webchat"), loaded_sqlite_template, {},
                      "/webhooks/webchat/") as s:
        yield s


@pytest.fixture
def page(servers, chromium, tmp_path):
    context = chromium.new_context(viewport={"width": 400, "height": 800})
    page = context.new_page()
    page.goto(f"{servers.base}/webhooks/webchat/chat")
    yield page
    page.screenshot(path=str(tmp_path / "chat.png"))
    context.close()


def test_the_page_greets_and_the_numbered_options_can_be_clicked(page, servers):
    page.get_by_text("Privacidad", exact=False).wait_for(timeout=15000)
    page.get_by_role("button", name="3. Regreso a Guatemala y apoyo").click()
    documents = ContentRepository(servers.database_url).get_answer("reintegration.documents", "es")
    page.get_by_role("button", name=documents.title, exact=False).last.click()
    page.get_by_text(documents.body.strip().splitlines()[0], exact=False).wait_for(timeout=15000)
    assert page.get_by_text("Fuente:", exact=False).count() >= 1


def test_a_typed_question_is_answered_in_the_page(page, servers):
    page.get_by_text("Privacidad", exact=False).wait_for(timeout=15000)
    page.get_by_label("Mensaje").fill("how much does it cost to send money home?")
    page.keyboard.press("Enter")
    remittances = ContentRepository(servers.database_url).get_answer("labour.remittances", "en")
    page.get_by_text(remittances.title, exact=False).first.wait_for(timeout=15000)
