"""The inbox pages: groups with counts, languages and channels; teach, needs new content, dismiss; the export."""
from __future__ import annotations

import re

import pytest

from bot.content.faq import FaqRepository
from bot.content.repository import ContentRepository
from bot.staff.audit import AuditLog

QUESTION = "cuanto cobra el consulado por la matricula"


@pytest.fixture
def questions(console_db):
    repo = ContentRepository(console_db)
    repo.log_unanswered(QUESTION, "es", "webchat", [{"name": "help.consular", "confidence": 0.1}])
    repo.log_unanswered("Cuánto cobra el consulado por la matrícula?", "es", "whatsapp")
    repo.log_unanswered("what is the weather in houston, my number is +502 5555 1234", "en", "telegram")


def group_rows(html: str) -> list[list[str]]:
    rows = re.findall(r'<tr class="inbox-group".*?</tr>', html, re.S)
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)][:5] for row in rows]


def first_id(html: str) -> str:
    return re.search(r'name="ids" value="(\d+)"', html).group(1)


def test_the_inbox_lists_groups_newest_first_with_counts_languages_and_channels(as_user, questions):
    html = as_user("eva").get("/inbox/").get_data(as_text=True)
    rows = group_rows(html)
    assert [r[:4] for r in rows] == [
        ["what is the weather in houston, my number is [teléfono]", "1", "en", "telegram"],
        ["Cuánto cobra el consulado por la matrícula?", "2", "es", "webchat, whatsapp"],
    ]
    assert "5555" not in html
    assert "3 preguntas esperan, en 2 grupos." in html


def test_teach_from_the_group_page_attaches_the_phrasings_and_is_audited(as_user, questions, console_db):
    eva = as_user("eva")
    html = eva.get("/inbox/").get_data(as_text=True)
    group_id = re.findall(r'href="/inbox/(\d+)"', html)[1]
    page = eva.get(f"/inbox/{group_id}").get_data(as_text=True)
    assert '<option value="help.consular" selected>' in page, "the classifier's guess is preselected"
    assert '<option value="labour.h2a/cost">' in page
    ids = re.findall(r'name="ids" value="(\d+)"', page)[:2]
    response = eva.post("/inbox/teach", {"ids": ids, "target": "labour.fees"}, token_from=f"/inbox/{group_id}")
    assert response.status_code == 302 and response.headers["Location"] == "/inbox/"
    html = eva.get("/inbox/").get_data(as_text=True)
    assert "Enseñado a labour.fees. El bot lo usa desde el próximo mensaje." in html
    assert len(group_rows(html)) == 1
    assert sorted(p.text for p in FaqRepository(console_db).phrasings(origin="taught")) == [
        "Cuánto cobra el consulado por la matrícula?", QUESTION]
    assert [e.actor for e in AuditLog(console_db).entries(action="inbox.teach")] == ["eva"]
    # Posting the same group again changes nothing and says so.
    eva.post("/inbox/teach", {"ids": ids, "target": "labour.fees"}, token_from="/inbox/")
    assert "Estas preguntas ya se resolvieron." in eva.get("/inbox/").get_data(as_text=True)
    assert len(FaqRepository(console_db).phrasings(origin="taught")) == 2


def test_needs_new_content_opens_a_draft_and_goes_to_its_editor(as_user, questions, app, console_db):
    eva = as_user("eva")
    html = eva.get("/inbox/").get_data(as_text=True)
    ids = re.findall(r'name="ids" value="(\d+)"', html)[1:3]
    response = eva.post("/inbox/new-content", {"ids": ids, "topic_id": "help.consular"}, token_from="/inbox/")
    slug = "help.consular/cuanto-cobra-el-consulado-por-la-matricula"
    expected = (f"/content/faq/{slug}/es" if "content.edit_faq" in app.view_functions else "/content/")
    assert response.status_code == 302 and response.headers["Location"] == expected
    [draft] = FaqRepository(console_db).history(slug, "es")
    assert (draft.status, draft.review_status, draft.question) == (
        "draft", "blocker", "Cuánto cobra el consulado por la matrícula?")


def test_dismiss_removes_the_group(as_user, questions, console_db):
    eva = as_user("eva")
    html = eva.get("/inbox/").get_data(as_text=True)
    response = eva.post("/inbox/dismiss", {"ids": [first_id(html)]}, token_from="/inbox/")
    assert response.status_code == 302
    html = eva.get("/inbox/").get_data(as_text=True)
    assert "1 preguntas descartadas." in html
    assert [r[1] for r in group_rows(html)] == ["2"]
    assert [e.action for e in AuditLog(console_db).entries(target_type="unanswered")] == ["inbox.dismiss"]


def test_the_taught_examples_download_as_rasa_nlu_yaml(as_user, console_db):
    FaqRepository(console_db).add_phrasing("labour.fees", "cuanto cobra el consulado", "es", origin="taught")
    response = as_user("eva").get("/inbox/taught.yml")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=taught.yml"
    assert response.get_data(as_text=True) == (
        'version: "3.1"\n# Written by `bot examples export` from the content database\'s phrasings.\nnlu:\n'
        "- intent: labour.fees\n  examples: |\n    - cuanto cobra el consulado\n")


def test_a_form_without_its_csrf_token_is_refused(as_user, questions):
    eva = as_user("eva")
    ids = first_id(eva.get("/inbox/").get_data(as_text=True))
    assert eva.client.post("/inbox/dismiss", data={"ids": ids}).status_code == 400
