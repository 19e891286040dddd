"""The answers and FAQ pages of the console: list and filters, editing with preview, the review workflow with
its refusals (own draft, editor publishing, conflicting saves), history, rollback, FAQ entries and phrasings."""
from __future__ import annotations

import datetime as dt
import re

import pytest

PAGE = "/content/answers/labour.rights/es"


def form_of(page: str) -> dict[str, str]:
    """The values of the edit form as the page shows them (what a browser would post back)."""
    form = page[page.index('id="edit-form"'):page.index("</form>", page.index('id="edit-form"'))]
    values = {m.group(1): m.group(2) for m in re.finditer(r'<input [^>]*name="(\w+)" value="([^"]*)"', form)}
    values.update({m.group(1): m.group(2) for m in re.finditer(r'<textarea name="(\w+)"[^>]*>([^<]*)</textarea>',
                                                             form)})
    values["review_status"] = re.search(r'<option value="(\w+)" selected', form).group(1)
    import html

    return {k: html.unescape(v) for k, v in values.items()}


def edit(browser, body: str, then: str = "draft", page_text: str | None = None, path: str = PAGE):
    """Post the edit form with a new body, from the page as loaded (its base version and CSRF token)."""
    page = page_text or browser.get(path).get_data(as_text=True)
    values = {**form_of(page), "then": then}
    values["body" if "answers/" in path else "answer"] = body
    return browser.client.post(path, data=values)


def live(console_db, topic="labour.rights", lang="es"):
    from bot.content.repository import ContentRepository

    return ContentRepository(console_db).get_answer(topic, lang)


def test_editor_submits_reviewer_publishes_and_the_bot_reads_it_at_once(as_user, console_db):
    eva, rosa = as_user("eva"), as_user("rosa")
    before = live(console_db)
    response = edit(eva, "Texto revisado por Eva.", then="submit")
    assert response.status_code == 302
    page = eva.get(PAGE).get_data(as_text=True)
    assert f"Versión {before.version + 1} enviada a revisión." in page
    assert "Una persona revisora aprobará y publicará esta versión." in page
    assert "Aprobar y publicar" not in page
    assert live(console_db).body == before.body  # not live yet

    page = rosa.get(PAGE).get_data(as_text=True)
    assert "Aprobar y publicar" in page
    response = rosa.post("/content/review", {"kind": "answer", "key": "labour.rights", "lang": "es",
                                             "version": before.version + 1, "decision": "approve",
                                             "comment": "Revisado."}, token_from=PAGE)
    assert response.status_code == 302
    assert "Versión 2 publicada. El bot ya la usa." in rosa.get(PAGE).get_data(as_text=True)
    answer = live(console_db)
    assert (answer.body, answer.version, answer.reviewed_by) == ("Texto revisado por Eva.", 2, "rosa")
    # The sources were edited as lines and kept their details (publisher, dates).
    assert answer.sources == before.sources
    audit_page = rosa.get("/audit/?target=labour.rights").get_data(as_text=True)
    assert "answer.approve" in audit_page and "answer.submit" in audit_page and "Texto revisado por Eva." in audit_page


def test_an_editor_cannot_publish_even_with_a_forged_form(as_user, console_db):
    eva = as_user("eva")
    edit(eva, "Texto de Eva.", then="submit")
    for path, data in (("/content/review", {"decision": "approve"}), ("/content/rollback", {})):
        response = eva.post(path, {"kind": "answer", "key": "labour.rights", "lang": "es", "version": 2, **data},
                            token_from=PAGE)
        assert response.status_code == 403
    assert live(console_db).version == 1


def test_a_reviewer_cannot_publish_their_own_draft(as_user, console_db):
    rosa = as_user("rosa")
    edit(rosa, "Texto de Rosa.", then="submit")
    page = rosa.get(PAGE).get_data(as_text=True)
    assert "No puede publicar su propio borrador: otra persona revisora debe aprobarlo." in page
    assert "Aprobar y publicar" not in page
    response = rosa.post("/content/review", {"kind": "answer", "key": "labour.rights", "lang": "es", "version": 2,
                                             "decision": "approve"}, token_from=PAGE)
    assert response.status_code == 403
    assert "No puede publicar su propio borrador" in response.get_data(as_text=True)
    assert live(console_db).version == 1


def test_a_conflicting_save_is_refused_with_a_message_and_keeps_the_text(as_user, console_db):
    from bot.content.repository import ContentRepository

    eva, eli = as_user("eva"), as_user("eli")
    eva_page, eli_page = eva.get(PAGE).get_data(as_text=True), eli.get(PAGE).get_data(as_text=True)
    assert edit(eva, "Texto de Eva.", page_text=eva_page).status_code == 302
    response = edit(eli, "Texto de Eli.", page_text=eli_page)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert ("Conflicto: eva guardó la versión 2 mientras usted editaba la versión 1. No se guardó nada." in page)
    assert "Texto de Eli." in page  # nothing typed is lost
    assert ContentRepository(console_db).latest("labour.rights", "es").body == "Texto de Eva."
    # Having read the message, saving again (based on version 2 now) is deliberate and goes through.
    assert edit(eli, "Texto de Eli.", page_text=page).status_code == 302
    assert ContentRepository(console_db).latest("labour.rights", "es").body == "Texto de Eli."


def test_a_reviewer_asks_for_changes_and_the_editor_sees_the_comment(as_user, console_db):
    eva, rosa = as_user("eva"), as_user("rosa")
    edit(eva, "Texto sin fuente.", then="submit")
    response = rosa.post("/content/review", {"kind": "answer", "key": "labour.rights", "lang": "es", "version": 2,
                                             "decision": "changes", "comment": ""}, token_from=PAGE)
    assert "Escriba qué hay que cambiar." in rosa.get(PAGE).get_data(as_text=True)
    response = rosa.post("/content/review", {"kind": "answer", "key": "labour.rights", "lang": "es", "version": 2,
                                             "decision": "changes", "comment": "Falta la fuente oficial."},
                         token_from=PAGE)
    assert response.status_code == 302
    page = eva.get(PAGE).get_data(as_text=True)
    assert "rosa pidió cambios: Falta la fuente oficial." in page
    assert "Enviar a revisión (v2)" in page
    assert live(console_db).version == 1


def test_history_shows_the_difference_and_rollback_restores_the_text(as_user, console_db):
    eva, rosa = as_user("eva"), as_user("rosa")
    original = live(console_db).body
    edit(eva, original.replace("Nadie le puede quitar su pasaporte.", "Nadie puede quitarle el pasaporte."),
         then="submit")
    rosa.post("/content/review", {"kind": "answer", "key": "labour.rights", "lang": "es", "version": 2,
                                  "decision": "approve"}, token_from=PAGE)
    page = rosa.get(PAGE + "?diff=2").get_data(as_text=True)
    assert "Cambios de la versión 1 a la 2" in page
    assert ("Nadie <del>le </del>puede <del>quitar</del><ins>quitarle</ins> <del>su</del><ins>el</ins> pasaporte."
            in page)
    response = rosa.post("/content/rollback", {"kind": "answer", "key": "labour.rights", "lang": "es",
                                               "version": 1}, token_from=PAGE)
    assert response.status_code == 302
    assert "Publicada la versión 3, copia de la versión 1." in rosa.get(PAGE).get_data(as_text=True)
    assert (live(console_db).body, live(console_db).version) == (original, 3)
    assert "answer.rollback" in rosa.get("/audit/?target=labour.rights").get_data(as_text=True)


def test_preview_uses_the_channels_limits_and_splitting(as_user):
    from bot.messaging.formatting import split_text

    eva = as_user("eva")
    long_body = " ".join(f"Frase número {i} de un texto largo." for i in range(80))  # about 2,700 characters
    values = {**form_of(eva.get(PAGE).get_data(as_text=True)), "body": long_body, "sources": "", "details": "",
              "follow_ups": ""}
    response = eva.client.post("/content/preview", data=values)
    assert response.status_code == 200
    html = response.get_json()["html"]
    whatsapp = html[html.index('id="preview-whatsapp"'):html.index('id="preview-telegram"')]
    telegram = html[html.index('id="preview-telegram"'):html.index('id="preview-webchat"')]
    message = f"Sus derechos como trabajador temporal\n\n{long_body}"
    assert 'class="counter over"' in whatsapp
    assert f"{len(whatsapp_text(message))} de 1600 caracteres" in whatsapp
    assert f"Se envía en {len(split_text(whatsapp_text(message), 1600))} mensajes." in whatsapp
    assert 'class="counter"' in telegram and f"{len(message)} de 4096 caracteres" in telegram
    assert "Menú principal" in telegram
    # Without the form's CSRF token the preview is refused like any form.
    values.pop("csrf_token")
    assert eva.client.post("/content/preview", data=values).status_code == 400


def whatsapp_text(message: str) -> str:
    from bot.messaging.formatting import with_options

    return with_options(message, [{"title": "Menú principal"}])


def test_the_list_filters_by_workflow_staleness_and_missing_translations(as_user, console_db):
    from bot.content.faq import FaqRepository

    eva, rosa = as_user("eva"), as_user("rosa")

    def keys(query: str) -> list[str]:
        page = eva.get(f"/content/?{query}").get_data(as_text=True)
        return re.findall(r'<tr class="content-row" data-key="([^"]+)"', page)

    def publish(valid_as_of: str) -> None:
        values = {**form_of(eva.get(PAGE).get_data(as_text=True)), "valid_as_of": valid_as_of, "then": "submit"}
        eva.client.post(PAGE, data=values)
        version = live(console_db).version + 1
        assert keys("state=waiting") == ["labour.rights"]
        assert keys("state=waiting&lang=en") == []
        rosa.post("/content/review", {"kind": "answer", "key": "labour.rights", "lang": "es", "version": version,
                                      "decision": "approve"}, token_from=PAGE)
        assert live(console_db).valid_as_of == valid_as_of

    assert "labour.rights" in keys("") and len(keys("")) > 30
    assert keys("state=waiting") == []
    publish(dt.date.today().isoformat())
    assert keys("stale=1&kind=answer&topic=labour.rights&lang=es") == []
    publish("2001")
    assert keys("stale=1&kind=answer&topic=labour.rights&lang=es") == ["labour.rights"]
    assert "(2001)" in eva.get("/content/?stale=1&topic=labour.rights").get_data(as_text=True)
    # A new FAQ entry published only in Spanish is missing its English text.
    faq = FaqRepository(console_db)
    slug = faq.create_entry("labour.rights", "test-vacaciones", by="eva")
    faq.publish(slug, "es", faq.save_draft(slug, "es", {"question": "¿Vacaciones?", "answer": "Sí."}).version)
    assert slug in keys("missing=1&lang=en&topic=labour.rights")
    assert slug not in keys("missing=1&lang=es&topic=labour.rights")
    assert keys("area=labour&kind=answer&topic=risks.smugglers") == []


def test_faq_entries_are_created_reviewed_and_taught_phrasings(as_user, console_db):
    from bot.content.faq import FaqRepository
    from bot.db import session_scope
    from bot.staff.models import TurnRecord

    eva, rosa = as_user("eva"), as_user("rosa")
    response = eva.post("/content/faq/new", {"topic_id": "labour.rights", "name": "test-descanso"},
                        token_from=PAGE)
    faq_page = "/content/faq/labour.rights/test-descanso/es"
    assert response.status_code == 302 and response.headers["Location"] == faq_page
    assert "labour.rights/test-descanso" in eva.get(PAGE).get_data(as_text=True)
    page = eva.get(faq_page).get_data(as_text=True)
    assert 'name="base_version" value="0"' in page
    values = {**form_of(page), "question": "¿Tengo día de descanso?", "answer": "Pregunte a su consulado.",
              "sources": "Ministerio de Trabajo | https://www.mintrabajo.gob.gt/", "then": "submit"}
    assert eva.client.post(faq_page, data=values).status_code == 302
    rosa.post("/content/review", {"kind": "faq", "key": "labour.rights/test-descanso", "lang": "es", "version": 1,
                                  "decision": "approve"}, token_from=faq_page)
    entry = FaqRepository(console_db).get("labour.rights/test-descanso", "es")
    assert (entry.question, entry.answer, entry.sources) == (
        "¿Tengo día de descanso?", "Pregunte a su consulado.",
        ({"name": "Ministerio de Trabajo", "url": "https://www.mintrabajo.gob.gt/"},))

    form = {"kind": "faq", "key": "labour.rights/test-descanso", "lang": "es", "phrasing_lang": "es"}
    eva.post("/content/phrasings", {**form, "text": "me dan un dia libre a la semana"}, token_from=faq_page)
    eva.post("/content/phrasings", {**form, "text": "cuando descanso"}, token_from=faq_page)
    first, second = FaqRepository(console_db).phrasings_of("labour.rights/test-descanso")
    with session_scope(console_db) as session:
        session.add_all([TurnRecord(phrasing_id=first.id) for _ in range(3)])
    page = eva.get(faq_page).get_data(as_text=True)
    assert re.search(r"<td>me dan un dia libre a la semana</td><td>ES</td><td>3</td>", page)
    assert re.search(r"<td>cuando descanso</td><td>ES</td><td>0</td>", page)
    eva.post(f"/content/phrasings/{second.id}/delete", form, token_from=faq_page)
    assert [p.text for p in FaqRepository(console_db).phrasings_of("labour.rights/test-descanso")] == [
        "me dan un dia libre a la semana"]
    audit_page = rosa.get("/audit/?target=labour.rights/test-descanso").get_data(as_text=True)
    for action in ("faq.create", "faq.draft", "faq.submit", "faq.approve", "phrasing.add", "phrasing.delete"):
        assert action in audit_page


@pytest.mark.parametrize("path", ["/content/answers/labour.nope/es", "/content/answers/labour.rights/fr",
                                  "/content/faq/labour.rights/nope/es"])
def test_unknown_texts_are_not_found(as_user, path):
    assert as_user("eva").get(path).status_code == 404
