"""Answers in the console, in a real browser beside the running bot: an editor edits and submits, a reviewer
publishes, the web chat gives the new text within seconds, the audit log shows it, editors cannot publish,
conflicting edits are refused, and rollback restores the previous text. Uses labour.mintrab, which no other
browser test asserts on."""
from __future__ import annotations

import re
import time

import pytest

from tests.e2e.console_stack import ask, chat_page, console_page

pytestmark = [pytest.mark.e2e, pytest.mark.model]

TOPIC, QUESTION = "labour.mintrab", "mintrab"
MARKER = "Aviso de prueba: la inscripción se hace en persona."


def test_edit_review_publish_conflict_and_rollback(console_stack, chromium):
    from bot.content.repository import ContentRepository

    path = f"{console_stack.console_url}/content/answers/{TOPIC}/es"
    original = ContentRepository(console_stack.database_url).get_answer(TOPIC, "es")
    first_paragraph = original.body.split("\n")[0]
    chat = chat_page(chromium, console_stack)
    assert first_paragraph in ask(chat, QUESTION)

    # Two editors open the same version.
    eva, eli = console_page(chromium, console_stack, "eva"), console_page(chromium, console_stack, "eli")
    eva.goto(path)
    eli.goto(path)

    # Eva edits; the preview follows as she types, with the channels' counters.
    body = eva.locator("textarea[name=body]")
    body.fill(f"{original.body}\n\n{MARKER}")
    eva.locator("#preview-webchat .preview").filter(has_text=MARKER).wait_for()
    assert re.search(r"\d+ de 1600 caracteres", eva.locator("#preview-whatsapp .counter").inner_text())
    eva.get_by_role("button", name="Guardar y enviar a revisión").click()
    eva.get_by_text(f"Versión {original.version + 1} enviada a revisión.").wait_for()
    # An editor has no way to publish, and a forged request is refused.
    assert eva.get_by_role("button", name="Aprobar y publicar").count() == 0
    assert eva.get_by_text("Una persona revisora aprobará y publicará esta versión.").is_visible()
    token = eva.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = eva.request.post(f"{console_stack.console_url}/content/review", form={
        "csrf_token": token, "kind": "answer", "key": TOPIC, "lang": "es", "version": str(original.version + 1),
        "decision": "approve"}, headers={"Referer": path})
    assert forged.status == 403

    # Eli, still on the version he opened, saves: refused with a message, nothing overwritten.
    eli.locator("textarea[name=body]").fill("Texto de Eli que no debe pisar el de Eva.")
    eli.get_by_role("button", name="Guardar borrador").click()
    eli.get_by_text(f"Conflicto: eva guardó la versión {original.version + 1} mientras usted editaba la versión "
                    f"{original.version}. No se guardó nada.").wait_for()
    assert "Texto de Eli" in eli.locator("textarea[name=body]").input_value()

    # The reviewer approves; the bot answers with the new text within 5 seconds.
    rosa = console_page(chromium, console_stack, "rosa")
    rosa.goto(path)
    rosa.get_by_role("button", name="Aprobar y publicar").click()
    rosa.get_by_text(f"Versión {original.version + 1} publicada. El bot ya la usa.").wait_for()
    published_at = time.monotonic()
    assert MARKER in ask(chat, QUESTION)
    assert time.monotonic() - published_at < 5

    # The change is in the audit log.
    rosa.goto(f"{console_stack.console_url}/audit/?target={TOPIC}")
    approval = rosa.locator("tr.audit-entry").filter(has_text="answer.approve").first
    assert "rosa" in approval.inner_text() and "Aviso de prueba" in approval.inner_text()  # (JSON-escaped accents)
    assert rosa.locator("tr.audit-entry").filter(has_text="answer.submit").filter(has_text="eva").count() == 1

    # Rollback to the previous version: the bot gives the old text again.
    rosa.goto(path)
    rosa.get_by_role("button", name=f"Volver a esta versión (v{original.version})").click()
    rosa.get_by_text(f"copia de la versión {original.version}.").wait_for()
    reply = ask(chat, QUESTION)
    assert MARKER not in reply and first_paragraph in reply
    for page in (eva, eli, rosa, chat):
        page.context.close()
