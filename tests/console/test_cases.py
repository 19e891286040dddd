"""The caseworker queue: open cases oldest first by pseudonym (never a contact), the case page (transcript, take,
status, reply through the outbox, close with the person told), WhatsApp's 24-hour rule, and the admin-only,
audited contact reveal."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import update

from bot.content.repository import ContentRepository
from bot.db import session_scope, utcnow
from bot.handoff.cases import CaseRepository
from bot.messaging.models import ChannelContact
from bot.messaging.store import ChannelStore
from bot.staff.audit import AuditLog

NUMBER = "whatsapp:+50255500001"
TEMPLATE_SID = "HX" + "a" * 32


@pytest.fixture
def cases(console_db) -> CaseRepository:
    return CaseRepository(console_db)


@pytest.fixture
def store(console_db) -> ChannelStore:
    return ChannelStore(console_db)


@pytest.fixture
def whatsapp_case(cases, store):
    store.touch_contact("whatsapp-p1", "whatsapp", NUMBER)
    return cases.open_case("whatsapp-p1", "whatsapp", "es", "risks.trafficking", "asked",
                           [("user", "quiero hablar con una persona"), ("bot", "¿Quiere que le atienda una persona?")])


@pytest.fixture
def web_case(cases):
    return cases.open_case("web-0123456789abcdef01234567", "webchat", "en", "help.emergency", "sensitive",
                           [("user", "I need to talk to someone")])


def rows(html: str) -> list[list[str]]:
    found = re.findall(r'<tr class="case-row".*?</tr>', html, re.S)
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)][:8] for row in found]


def pending(store: ChannelStore, sender_id: str) -> list[tuple[str, str]]:
    return [(m.channel, m.body) for m in store.messages(["pending"], sender_id=sender_id)]


def last_wrote(console_db: str, hours: float) -> None:
    with session_scope(console_db) as s:
        s.execute(update(ChannelContact).values(last_inbound_at=utcnow() - dt.timedelta(hours=hours)))


def test_the_queue_lists_open_cases_oldest_first_by_pseudonym_never_the_contact(as_user, whatsapp_case, web_case,
                                                                                 cases, console_db):
    titles = ContentRepository(console_db).titles(["risks.trafficking", "help.emergency"], "es")
    html = as_user("eva").get("/cases/").get_data(as_text=True)
    assert rows(html) == [
        [f"#{whatsapp_case.id}", "Nuevo", titles["risks.trafficking"], "WhatsApp", "es", whatsapp_case.pseudonym,
         "nadie todavía", whatsapp_case.created_at.strftime("%Y-%m-%d %H:%M")],
        [f"#{web_case.id}", "Nuevo", titles["help.emergency"], "Chat web", "en", web_case.pseudonym, "nadie todavía",
         web_case.created_at.strftime("%Y-%m-%d %H:%M")],
    ]
    assert "50255500001" not in html and "whatsapp-p1" not in html
    assert '<a href="/cases/">Casos</a>' in html
    cases.close(web_case.id, "eli")
    html = as_user("eva").get("/cases/").get_data(as_text=True)
    assert [r[0] for r in rows(html)] == [f"#{whatsapp_case.id}"]
    closed = as_user("eva").get("/cases/?status=closed").get_data(as_text=True)
    assert [r[:2] for r in rows(closed)] == [[f"#{web_case.id}", "Cerrado"]]


def test_the_case_page_shows_the_transcript_and_never_the_number(as_user, whatsapp_case):
    html = as_user("eva").get(f"/cases/{whatsapp_case.id}").get_data(as_text=True)
    assert f"Caso #{whatsapp_case.id} · {whatsapp_case.pseudonym}" in html
    transcript = re.search(r'<ol class="transcript">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r'<li class="line (\w+)">', transcript) == ["user", "bot"]
    assert "quiero hablar con una persona" in transcript
    assert "50255500001" not in html
    assert "Ver el contacto" not in html, "only an admin may reveal a contact"
    assert as_user("eva").get("/cases/9999").status_code == 404


def test_take_it_then_change_status(as_user, whatsapp_case, cases):
    eva = as_user("eva")
    page = f"/cases/{whatsapp_case.id}"
    response = eva.post(f"{page}/assign", token_from=page)
    assert response.status_code == 302 and response.headers["Location"] == page
    assert "El caso es suyo." in eva.get(page).get_data(as_text=True)
    assert (cases.get(whatsapp_case.id).status, cases.get(whatsapp_case.id).assigned_to) == ("assigned", "eva")
    eva.post(f"{page}/status", {"status": "waiting_user"}, token_from=page)
    assert cases.get(whatsapp_case.id).status == "waiting_user"
    assert eva.post(f"{page}/status", {"status": "closed"}, token_from=page).status_code == 400
    assert cases.get(whatsapp_case.id).status == "waiting_user"


def test_replies_go_to_the_outbox_of_the_persons_channel_in_order(as_user, whatsapp_case, cases, store, console_db):
    last_wrote(console_db, 1)
    eva = as_user("eva")
    page = f"/cases/{whatsapp_case.id}"
    assert "plantilla" not in eva.get(page).get_data(as_text=True)
    eva.post(f"{page}/reply", {"text": "Hola, soy Eva, del equipo."}, token_from=page)
    response = eva.post(f"{page}/reply", {"text": "¿Está en un lugar seguro?"}, token_from=page)
    assert response.status_code == 302
    assert "Respuesta enviada a la persona." in eva.get(page).get_data(as_text=True)
    assert pending(store, "whatsapp-p1") == [("whatsapp", "Hola, soy Eva, del equipo."),
                                             ("whatsapp", "¿Está en un lugar seguro?")]
    case = cases.get(whatsapp_case.id)
    assert case.status == "waiting_user" and case.assigned_to == "eva"
    assert [(m.author, m.staff_username, m.text) for m in case.messages][-2:] == [
        ("staff", "eva", "Hola, soy Eva, del equipo."), ("staff", "eva", "¿Está en un lugar seguro?")]
    eva.post(f"{page}/reply", {"text": "   "}, token_from=page)
    assert len(pending(store, "whatsapp-p1")) == 2, "an empty reply is not sent"


def test_after_24_hours_the_page_says_the_reply_goes_as_the_template(as_user, whatsapp_case, store, console_db,
                                                                    set_env):
    set_env(TWILIO_TEMPLATE_CONTENT_SID=TEMPLATE_SID)
    last_wrote(console_db, 25)
    eva = as_user("eva")
    page = f"/cases/{whatsapp_case.id}"
    assert "La persona escribió hace más de 24 horas. En WhatsApp su respuesta saldrá dentro de la plantilla " \
           "aprobada." in eva.get(page).get_data(as_text=True)
    eva.post(f"{page}/reply", {"text": "Hola de nuevo."}, token_from=page)
    assert "Respuesta enviada como plantilla aprobada de WhatsApp (fuera de las 24 horas)." in \
        eva.get(page).get_data(as_text=True)
    assert pending(store, "whatsapp-p1") == [("whatsapp", "Hola de nuevo.")]


def test_after_24_hours_without_a_template_the_reply_is_refused(as_user, whatsapp_case, store, console_db):
    last_wrote(console_db, 30)
    eva = as_user("eva")
    page = f"/cases/{whatsapp_case.id}"
    assert "no hay plantilla aprobada configurada" in eva.get(page).get_data(as_text=True)
    eva.post(f"{page}/reply", {"text": "Hola de nuevo."}, token_from=page)
    assert "No se envió: fuera de las 24 horas de WhatsApp y sin plantilla configurada." in \
        eva.get(page).get_data(as_text=True)
    assert pending(store, "whatsapp-p1") == []


def test_closing_hands_back_to_the_bot_and_tells_the_person_in_their_language(as_user, web_case, cases, store):
    eva = as_user("eva")
    page = f"/cases/{web_case.id}"
    eva.post(f"{page}/reply", {"text": "Hello, I am Eva."}, token_from=page)
    response = eva.post(f"{page}/close", token_from=page)
    assert response.status_code == 302 and response.headers["Location"] == "/cases/"
    assert f"Caso #{web_case.id} cerrado. Se le avisó a la persona." in eva.get("/cases/").get_data(as_text=True)
    assert cases.get(web_case.id).status == "closed" and cases.active_case(web_case.sender_id) is None
    assert pending(store, web_case.sender_id) == [
        ("webchat", "Hello, I am Eva."),
        ("webchat", "The person from the team closed this conversation. From now on I, Brújula, the automated "
                    "assistant, answer you. Write your question or menu.")]
    closed_page = eva.get(page).get_data(as_text=True)
    assert 'name="text"' not in closed_page, "no reply box on a closed case"
    eva.post(f"{page}/reply", {"text": "¿sigue ahí?"}, token_from=page)
    assert len(pending(store, web_case.sender_id)) == 2


def test_only_an_admin_reveals_a_contact_with_a_reason_and_it_is_audited(as_user, whatsapp_case, console_db):
    page = f"/cases/{whatsapp_case.id}"
    eva = as_user("eva")
    assert eva.post(f"{page}/reveal", {"reason": "la persona está en peligro"}, token_from=page).status_code == 403
    ada = as_user("ada")
    assert "Ver el contacto" in ada.get(page).get_data(as_text=True)
    ada.post(f"{page}/reveal", {"reason": " "}, token_from=page)
    assert "Escriba el motivo para ver el contacto." in ada.get(page).get_data(as_text=True)
    assert AuditLog(console_db).entries(action="case.reveal_contact") == []
    response = ada.post(f"{page}/reveal", {"reason": "Llamar a la policía: peligro inmediato"}, token_from=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Contacto (solo se muestra esta vez):" in html and NUMBER in html
    assert NUMBER not in ada.get(page).get_data(as_text=True), "shown once, not kept on the page"
    [entry] = AuditLog(console_db).entries(action="case.reveal_contact")
    assert (entry.actor, entry.target_type, entry.target_id, entry.note) == (
        "ada", "case", str(whatsapp_case.id), "Llamar a la policía: peligro inmediato")
    assert "50255500001" not in repr(entry)


def test_the_transcript_fragment_refreshes_and_needs_a_login(as_user, browser, whatsapp_case, cases):
    cases.add_message(whatsapp_case.id, "user", "sigo aquí")
    fragment = as_user("eli").get(f"/cases/{whatsapp_case.id}/transcript").get_data(as_text=True)
    assert fragment.strip().startswith('<ol class="transcript">') and "sigo aquí" in fragment
    assert browser.get(f"/cases/{whatsapp_case.id}/transcript").status_code == 302
