"""A caseworker handoff on WhatsApp and on Telegram, end to end: signed webhooks into the real Rasa and action
servers, replies out to the fake Twilio and Telegram APIs. The caseworker's side is the console's code path
without the browser (bot.handoff.cases.CaseRepository and bot.handoff.delivery on the servers' database).

The person asks for a person and accepts: exactly one case opens. While it is open the bot is silent (the message
goes to the case transcript), an emergency still gets the emergency answer at once, two caseworker replies arrive
in order, closing sends the closing notice, and the next message gets a normal answer. Afterwards no phone
number, Telegram id, name or message text of the person is in the Rasa, action server or caseworker-side logs.
"""
from __future__ import annotations

import json
import logging
import time

import pytest

from actions.handoff import DANGER_NOTES
from bot.content.repository import ContentRepository
from bot.handoff import delivery
from bot.handoff.cases import CaseRepository, CaseView
from bot.handoff.models import ASKED, CLOSED, NEW, STAFF, SYSTEM, USER, WAITING_USER
from bot.language import text
from bot.privacy import pseudonym
from bot.settings import LOCAL_DEFAULT_SECRET
from tests.channels import test_telegram as telegram
from tests.channels.servers import both_channel_stacks

pytestmark = [pytest.mark.e2e, pytest.mark.model]

CASEWORKER = "eva"
# What the person writes (each distinctive, so the log grep cannot match something else).
ASK = "quiero hablar con una persona por favor"
# Unpaused, this would get the answer about work in Canada: silence here is the pause, not a misunderstanding.
PAUSED = "Hola, soy Xiomara Tzunun y quiero información para trabajar en Canadá"
NAME = "Xiomara Tzunun"
DANGER = "me quieren matar, estoy encerrada en una bodega"
AFTER = "¿qué es la visa h2a?"
REPLIES = ("Hola, soy Eva, del equipo de Brújula. ¿Está en un lugar seguro ahora?",
           "Le paso el número de la línea de ayuda en un momento; siga escribiendo aquí.")
OPENED = "Listo. Una persona del equipo de Brújula leerá esta conversación y le responderá aquí"
CLOSED_NOTICE = text("handoff_closed", "es")


@pytest.fixture(scope="module")
def stacks(tmp_path_factory, loaded_sqlite_template):
    """One Rasa server with both channels, each against its fake API."""
    with both_channel_stacks(tmp_path_factory.mktemp("handoff"), loaded_sqlite_template) as pair:
        yield pair


@pytest.fixture
def caseworker_log(caplog):
    """What the caseworker's code path (the console's, run here in the test process) logs, at DEBUG."""
    caplog.set_level(logging.DEBUG)
    return caplog


def wait_for_case_line(cases: CaseRepository, case_id: int, line: tuple[str, str], timeout: float = 20) -> CaseView:
    """The case once this (author, text) line is in its transcript: the paused turn has run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        case = cases.get(case_id)
        if line in [(m.author, m.text) for m in case.messages]:
            return case
        time.sleep(0.05)
    raise AssertionError(f"{line} not in the transcript of case {case_id}")


class Person:
    """One person on one channel: send a message, read what reached them (texts, oldest first)."""

    def __init__(self, stacks, channel: str):
        self.channel = channel
        self.stack = stacks[0] if channel == "whatsapp" else stacks[1]
        if channel == "whatsapp":
            self.address = self.stack.number()
            self.contact = self.address.split(":")[1]  # +502...
            self.needles = [self.contact.lstrip("+"), "Maria Ejemplo"]  # ProfileName of every webhook
        else:
            self.user = self.stack.user()
            self.address = self.user["id"]
            self.contact = str(self.user["id"])
            self.needles = [self.contact, self.user["username"], self.user["first_name"], self.user["last_name"]]
        self.sender_id = pseudonym(LOCAL_DEFAULT_SECRET, channel, self.contact if channel == "telegram"
                                   else self.address)

    def write(self, said: str) -> None:
        if self.channel == "whatsapp":
            assert self.stack.message(self.address, said)[0] == 200
        else:
            self.stack.send(self.user, said)

    def accept(self, offer: dict) -> None:
        """Choose "1. Sí, hablar con una persona": its number on WhatsApp, its button on Telegram."""
        if self.channel == "whatsapp":
            self.write("1")
        else:
            self.stack.press(self.user, telegram.keyboard(offer)[0]["callback_data"])

    def texts(self, count: int) -> list[str]:
        """Waits until `count` messages reached the person; returns the texts of all of them."""
        found = self.stack.fake.wait_for(self.address, count)
        return [m.get("Body", "") if self.channel == "whatsapp" else m["text"] for m in found]

    def texts_until(self, last: str, timeout: float = 20) -> list[str]:
        """Waits until this text reached the person; returns the texts of all messages so far."""
        deadline = time.monotonic() + timeout
        while last not in (found := self.texts(0)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert last in found, f"{last[:40]!r} never arrived: {[t[:40] for t in found]}"
        return found


def round_trip(stacks, channel: str, caplog) -> Person:
    person = Person(stacks, channel)
    cases = CaseRepository(person.stack.servers.database_url)
    emergency = ContentRepository(person.stack.servers.database_url).get_answer("help.emergency", "es")

    person.write(ASK)
    [offer] = person.texts(1)
    assert "¿Quiere hablar con una persona? Escriba el número:" in offer
    if channel == "whatsapp":
        assert "1. Sí, hablar con una persona" in offer and "2. No, seguir con el menú" in offer
    else:
        buttons = telegram.keyboard(person.stack.fake.sent_to(person.address)[0])
        assert [b["text"] for b in buttons] == ["1. Sí, hablar con una persona", "2. No, seguir con el menú"]
    assert cases.person_cases(person.sender_id) == [], "offering opens nothing"

    person.accept(person.stack.fake.sent_to(person.address)[0])
    opened = person.texts(2)[1]
    assert opened.startswith(OPENED) and opened.endswith("Si ya no quiere esperar, escriba menú.")
    [case] = cases.person_cases(person.sender_id)
    assert (case.channel, case.status, case.reason, case.lang) == (channel, NEW, ASKED, "es")
    assert (USER, ASK) in [(m.author, m.text) for m in case.messages]

    # Paused: the message lands in the transcript and nothing is sent back.
    person.write(PAUSED)
    wait_for_case_line(cases, case.id, (USER, PAUSED))
    # Danger still gets the emergency answer at once, without options.
    person.write(DANGER)
    assert person.texts(3)[2] == emergency.title
    wait_for_case_line(cases, case.id, (SYSTEM, DANGER_NOTES["emergency"]))

    # The caseworker answers twice, then closes (what console/cases.py does on "Enviar" and "Cerrar"). The
    # emergency answer was queued before (its first part arrived), so all of it comes before the replies.
    case = cases.get(case.id)
    assert delivery.reply_window(case, cases.database_url) == delivery.OPEN
    for reply in REPLIES:
        delivery.send_reply(cases, case.id, CASEWORKER, reply)
    assert cases.get(case.id).status == WAITING_USER
    delivery.close_case(cases, case.id, CASEWORKER)
    # Everything sent since the case opened, in order, once the closing notice is there: the emergency answer in
    # its three parts and nothing for the paused message (a reply to it would have been queued before the
    # emergency answer), the two replies, the closing notice.
    since_opened = person.texts_until(CLOSED_NOTICE)[2:]
    assert since_opened == [emergency.title, emergency.body.strip(), since_opened[2], *REPLIES, CLOSED_NOTICE]
    assert since_opened[2].startswith("Fuente: ")
    if channel == "telegram":
        assert not any(telegram.keyboard(m) for m in person.stack.fake.sent_to(person.address)[2:])

    # Handed back: the next message gets the bot's normal answer.
    person.write(AFTER)
    answer = person.texts(9)[8]
    assert "H-2A" in answer
    [case] = cases.person_cases(person.sender_id)
    assert case.status == CLOSED
    lines = [(m.author, m.text) for m in case.messages]
    assert lines[-6:] == [(USER, PAUSED), (USER, DANGER), (SYSTEM, DANGER_NOTES["emergency"]), (STAFF, REPLIES[0]),
                          (STAFF, REPLIES[1]), (SYSTEM, CLOSED_NOTICE)]
    assert (USER, AFTER) not in lines, "after closing, messages are the bot's again"
    return person


def assert_no_personal_data_in_logs(person: Person, caplog) -> None:
    logs = dict(person.stack.servers.logs_text())
    logs["caseworker side (console code path)"] = caplog.text
    assert logs["rasa.log"] and logs["actions.log"]
    needles = [*person.needles, NAME, ASK, PAUSED, DANGER, AFTER, *REPLIES]
    needles += [json.dumps(n)[1:-1] for n in needles if json.dumps(n)[1:-1] != n]  # as JSON logs write them
    found = [(needle, name) for needle in needles for name, log in logs.items() if needle.lower() in log.lower()]
    assert found == [], f"personal data in the logs: {found}"


def test_whatsapp_handoff_round_trip_leaves_no_personal_data_in_logs(stacks, caseworker_log):
    person = round_trip(stacks, "whatsapp", caseworker_log)
    assert_no_personal_data_in_logs(person, caseworker_log)


def test_telegram_handoff_round_trip_leaves_no_personal_data_in_logs(stacks, caseworker_log):
    person = round_trip(stacks, "telegram", caseworker_log)
    assert_no_personal_data_in_logs(person, caseworker_log)
