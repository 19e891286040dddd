"""Local mode, no channel accounts: a person in the web chat asks for a person, a caseworker answers from the
console, the answer appears in the chat page, the bot is silent meanwhile, and closing hands back to the bot.
Afterwards nothing the person wrote (their name included) is in the Rasa, action server or console logs."""
from __future__ import annotations

import json
import re

import pytest

from bot.handoff.cases import pseudonym_of
from tests.e2e.console_stack import ask, chat_page, console_page

pytestmark = [pytest.mark.e2e, pytest.mark.model]

REPLY = "Hola, soy Eva, del equipo de Brújula. ¿Está en un lugar seguro?"
NAME = "Xiomara Tzunun"
WAITING = f"sigo aquí, gracias. Soy {NAME}"


def test_a_web_chat_person_is_answered_from_the_console_and_handed_back(console_stack, chromium):
    chat = chat_page(chromium, console_stack)
    assert "¿Quiere hablar con una persona?" in ask(chat, "quiero hablar con una persona")
    chat.get_by_role("button", name="1. Sí, hablar con una persona").click()
    chat.locator(".msg.bot", has_text="le responderá aquí").wait_for()
    sender = chat.evaluate("JSON.parse(localStorage.getItem('brujula-session')).sender")

    # While the case is open the bot says nothing: the web chat's answer to this message is empty.
    bubbles = chat.locator(".msg").count()
    with chat.expect_response(lambda r: r.url.endswith("/webhooks/webchat/webhook")) as answered:
        chat.get_by_label("Mensaje").fill(WAITING)
        chat.keyboard.press("Enter")
    assert answered.value.json() == []
    assert chat.locator(".msg").count() == bubbles + 1
    assert chat.locator(".msg").last.inner_text() == WAITING

    eva = console_page(chromium, console_stack, "eva")
    eva.get_by_role("link", name="Casos").click()
    row = eva.locator("tr.case-row", has_text=pseudonym_of(sender))
    assert re.search(r"Nuevo\s+.*\s+Chat web\s+es\s+" + pseudonym_of(sender), row.inner_text())
    assert sender not in eva.content()
    row.get_by_role("link", name="Abrir").click()
    assert WAITING in eva.locator("#transcript").inner_text()
    eva.get_by_role("button", name="Tomar el caso").click()
    eva.get_by_text("El caso es suyo.").wait_for()
    eva.get_by_label("Su respuesta (le llega a la persona por su mismo canal)").fill(REPLY)
    eva.get_by_role("button", name="Enviar").click()
    eva.get_by_text("Respuesta enviada a la persona.").wait_for()

    # The chat page polls for messages that were not answers to its own requests.
    chat.locator(".msg.bot", has_text=REPLY).wait_for()

    eva.get_by_role("button", name="Cerrar el caso y devolverlo al bot").click()
    eva.get_by_text("cerrado. Se le avisó a la persona.").wait_for()
    chat.locator(".msg.bot", has_text="Desde ahora le contesto yo, Brújula").wait_for()
    assert "H-2A" in ask(chat, "¿qué es la visa h2a?")

    logs = {**console_stack.servers.logs_text(), "console.log": console_stack.console_log.read_text(errors="replace")}
    needles = [NAME, WAITING, "quiero hablar con una persona", "¿qué es la visa h2a?", REPLY]
    needles += [json.dumps(n)[1:-1] for n in needles if json.dumps(n)[1:-1] != n]  # as JSON logs write them
    found = [(n, name) for n in needles for name, log in logs.items() if n.lower() in log.lower()]
    assert found == [], f"personal data in the logs: {found}"
