"""Privacy commands on WhatsApp and Telegram, end to end (real Rasa and action servers, fake platform APIs):
the consent line on a first message, "privacidad", "mis datos", and "borrar mis datos" leaving no row with the
person's pseudonym or contact in the content database or the tracker store."""
from __future__ import annotations

import pytest

from bot.language import text
from bot.privacy import pseudonym
from bot.settings import LOCAL_DEFAULT_SECRET
from tests.bot.test_privacy_ops import rows_mentioning
from tests.channels.servers import both_channel_stacks

pytestmark = [pytest.mark.e2e, pytest.mark.model]

NOTICE_ES = text("privacy_notice", "es", days="180")
CONSENT_ES = text("consent", "es", days="180")
DELETED_ES = text("data_deleted_all", "es")


@pytest.fixture(scope="module")
def stacks(tmp_path_factory, loaded_sqlite_template):
    """One Rasa server with both channels, each against its fake API."""
    with both_channel_stacks(tmp_path_factory.mktemp("privacy"), loaded_sqlite_template) as pair:
        yield pair


def traces(servers, needles: list[str]) -> dict[str, int]:
    return rows_mentioning([servers.database_url, f"sqlite:///{servers.tracker_db}"], needles)


def test_whatsapp_consent_notice_my_data_and_delete(stacks):
    stack, _ = stacks
    number = stack.number()
    sender_id = pseudonym(LOCAL_DEFAULT_SECRET, "whatsapp", number)
    stack.message(number, "visa h2a")
    [first] = stack.fake.wait_for(number, 1)[:1]
    assert "H-2A" in first["Body"] and CONSENT_ES in first["Body"], "the first reply carries the consent line"
    stack.message(number, "privacidad")
    assert stack.fake.wait_for(number, 2)[1]["Body"] == NOTICE_ES
    stack.message(number, "MIS DATOS")
    summary = stack.fake.wait_for(number, 3)[2]["Body"].splitlines()
    assert summary[0] == "Esto es lo que guardo sobre usted:"
    assert summary[1].startswith("- su contacto de WhatsApp, para responderle")
    assert summary[2].startswith("- esta conversación:")
    assert number.split("+")[1] not in "\n".join(summary)
    assert traces(stack.servers, [sender_id]), "the person is known before deleting"

    stack.message(number, "borrar mis datos")
    assert stack.fake.wait_for(number, 4)[3]["Body"] == DELETED_ES
    assert traces(stack.servers, [sender_id, number, number.split("+")[1]]) == {}
    stack.message(number, "hola")  # a new start: greeted, privacy line included
    assert "Privacidad" in stack.fake.wait_for(number, 5)[4]["Body"]


def test_telegram_privacy_commands_and_plain_delete_words(stacks):
    _, stack = stacks
    user = stack.user()
    sender_id = pseudonym(LOCAL_DEFAULT_SECRET, "telegram", str(user["id"]))
    stack.send(user, "/start")
    greeting = stack.fake.wait_for(user["id"], 1)[0]["text"]
    assert "Privacidad" in greeting
    stack.send(user, "/privacidad")
    notice = [m["text"] for m in stack.fake.wait_for(user["id"], 3) if m["text"].startswith("Aviso")]
    assert notice == [NOTICE_ES]
    count = len(stack.fake.sent_to(user["id"]))
    stack.send(user, "mis datos")
    summary = stack.fake.wait_for(user["id"], count + 1)[-1]["text"].splitlines()
    assert summary[1].startswith("- su contacto de Telegram, para responderle")
    assert str(user["id"]) not in "\n".join(summary) and user["first_name"] not in "\n".join(summary)

    stack.send(user, "borrar mis datos")
    assert stack.fake.wait_for(user["id"], count + 2)[-1]["text"] == DELETED_ES
    assert traces(stack.servers, [sender_id, str(user["id"])]) == {}


def test_telegram_borrar_command_deletes_everything(stacks):
    _, stack = stacks
    user = stack.user()
    sender_id = pseudonym(LOCAL_DEFAULT_SECRET, "telegram", str(user["id"]))
    stack.send(user, "/menu")
    stack.fake.wait_for(user["id"], 1)
    stack.send(user, "/borrar")
    assert stack.fake.wait_for(user["id"], 2)[1]["text"] == DELETED_ES
    assert traces(stack.servers, [sender_id, str(user["id"])]) == {}
