"""The answers and FAQ pages with languages as data: a language defined on the languages page is listed, filtered
and edited here with no code change, and a translator sees the published Spanish text above the form. Texts in
other languages are placeholders ("[quc:labour.rights]"), never real Mayan text."""
from __future__ import annotations

import html
import re

from bot.content.faq import FaqRepository
from bot.content.repository import ContentRepository
from tests.console.test_content import form_of

RIGHTS = "/content/answers/labour.rights"
SPANISH_MISSING = "Todavía no hay texto publicado en español. Publíquelo primero: es el texto del que se traduce."


def spanish_block(page: str) -> str | None:
    """The read-only Spanish text above the form, as plain text (None when the page has none)."""
    if 'id="spanish-source"' not in page:
        return None
    start = page.rindex("<", 0, page.index('id="spanish-source"'))
    block = page[start:page.index("</section>", start)]
    return html.unescape(re.sub(r"<[^>]+>", "\n", block))


def test_a_translator_of_a_language_added_in_the_console_works_from_the_published_spanish_text(as_user, console_db):
    ada, eva = as_user("ada"), as_user("eva")
    assert ada.post("/languages/add", {"code": "ixl", "autonym": "Ixil"}, token_from="/languages/").status_code == 302
    spanish = ContentRepository(console_db).get_answer("labour.rights", "es")
    draft = ContentRepository(console_db).save_draft("labour.rights", "es", {"title": "Borrador sin publicar"},
                                                     created_by="eli")

    page = eva.get(f"{RIGHTS}/ixl").get_data(as_text=True)
    block = spanish_block(page)
    assert f"Texto en español (publicado, versión {spanish.version})" in block
    assert "Traduzca a partir de este texto. Solo se puede leer aquí." in block
    for value in (spanish.title, spanish.short, spanish.body, spanish.details, ", ".join(spanish.follow_ups),
                  spanish.sources[0]["name"]):
        assert value and value in block
    assert "Borrador sin publicar" not in block, f"the draft v{draft.version} is not the source of translations"
    assert 'name="base_version" value="0"' in page and "<h1>Respuesta: labour.rights [IXL]</h1>" in page

    # The translation is saved in the new language; the Spanish text stays as it was.
    values = {**form_of(page), "title": "[ixl:labour.rights]", "body": "[ixl:labour.rights] body", "then": "draft"}
    response = eva.client.post(f"{RIGHTS}/ixl", data=values)
    assert response.status_code == 302 and response.headers["Location"] == f"{RIGHTS}/ixl"
    assert ContentRepository(console_db).latest("labour.rights", "ixl").title == "[ixl:labour.rights]"
    assert ContentRepository(console_db).get_answer("labour.rights", "es").title == spanish.title

    # Editing Spanish itself shows no source block, and links to every defined language.
    spanish_page = eva.get(f"{RIGHTS}/es").get_data(as_text=True)
    assert spanish_block(spanish_page) is None and "Texto en español (publicado" not in spanish_page
    links = re.findall(r'<a href="/content/answers/labour.rights/(\w+)" title="([^"]+)">', spanish_page)
    assert links == [("en", "English"), ("quc", "K&#39;iche&#39;"), ("mam", "Mam"), ("kek", "Q&#39;eqchi&#39;"),
                     ("ixl", "Ixil")]


def test_an_faq_translation_shows_the_spanish_text_once_it_is_published(as_user, console_db):
    eva = as_user("eva")
    faq = FaqRepository(console_db)
    slug = faq.create_entry("labour.rights", "test-descanso", by="eva")
    page_path = f"/content/faq/{slug}/quc"
    faq.save_draft(slug, "es", {"question": "¿Tengo día de descanso?", "answer": "Pregunte a su consulado."})

    page = eva.get(page_path).get_data(as_text=True)
    assert " ".join(spanish_block(page).split()) == SPANISH_MISSING, "a Spanish draft is not published"

    faq.publish(slug, "es", 1)
    block = spanish_block(eva.get(page_path).get_data(as_text=True))
    assert "Texto en español (publicado, versión 1)" in block
    assert "¿Tengo día de descanso?" in block and "Pregunte a su consulado." in block
    assert spanish_block(eva.get(f"/content/faq/{slug}/es").get_data(as_text=True)) is None

    # A phrasing added on the K'iche' page is filed under K'iche', and the editor comes back to that page.
    response = eva.post("/content/phrasings", {"kind": "faq", "key": slug, "lang": "quc", "phrasing_lang": "quc",
                                               "text": "[quc:test-descanso] frase"}, token_from=page_path)
    assert response.headers["Location"] == page_path
    assert [(p.text, p.lang) for p in faq.phrasings_of(slug)] == [("[quc:test-descanso] frase", "quc")]
    refused = eva.post("/content/phrasings", {"kind": "faq", "key": slug, "lang": "xx", "phrasing_lang": "xx",
                                              "text": "otra frase"}, token_from=page_path)
    assert refused.headers["Location"] == f"/content/faq/{slug}/es"
    assert len(faq.phrasings_of(slug)) == 1, "a phrasing in an undefined language is refused, not filed as any"


def test_the_list_filters_by_every_defined_language_and_ignores_an_unknown_one(as_user, console_db):
    eva = as_user("eva")

    def get(query: str) -> str:
        response = eva.get(f"/content/?{query}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def keys(query: str) -> list[str]:
        return re.findall(r'<tr class="content-row" data-key="([^"]+)"', get(query))

    def columns(page: str) -> list[str]:
        head = page[page.index('<table id="content-list">'):page.index("</thead>")]
        return re.findall(r"<th>([A-Z]+)</th>", head)

    page = get("")
    select = page[page.index('<select name="lang">'):page.index("</select>", page.index('<select name="lang">'))]
    assert [html.unescape(o) for o in re.findall(r'<option value="[^"]*"\s*>([^<]*)</option>', select)] == [
        "Todos", "ES · Español", "EN · English", "QUC · K'iche'", "MAM · Mam", "KEK · Q'eqchi'"]
    assert columns(page) == ["ES", "EN"], "a language with no text yet gets no column"
    everything = keys("")

    repo = ContentRepository(console_db)
    repo.publish("labour.rights", "quc", repo.save_draft("labour.rights", "quc", {
        "title": "[quc:labour.rights]", "body": "[quc:labour.rights] body"}).version)
    repo.save_draft("labour.h2a", "quc", {"title": "[quc:labour.h2a]", "body": "[quc:labour.h2a] body"})
    assert keys("lang=quc&state=draft") == ["labour.h2a"]
    assert keys("lang=es&state=draft") == []
    missing_quc = keys("lang=quc&missing=1&kind=answer")
    assert "labour.h2a" in missing_quc and "labour.rights" not in missing_quc
    assert columns(get("")) == ["ES", "EN", "QUC"]
    assert columns(get("lang=mam")) == ["ES", "EN", "QUC", "MAM"], "the language filtered on gets a column"
    assert len(keys("lang=mam&missing=1&kind=answer")) == len(repo.list_topics())

    for unknown in ("xx", "fr", "<b>"):
        page = get(f"lang={unknown}")
        assert f"No hay ningún idioma «{html.escape(unknown)}». Se muestran todos los idiomas." in page
        assert re.findall(r'<tr class="content-row" data-key="([^"]+)"', page) == everything
