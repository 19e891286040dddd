"""The service points pages: filters, create / edit by editors, retire / restore and import by reviewers only,
CSV export, and an import with a bad row that saves nothing and names the row."""
from __future__ import annotations

import io

import pytest

HEADER = "slug,name,kind,department,serves,walk_in,source\n"


def test_the_list_filters_by_department_serves_walk_in_and_active(as_user):
    editor = as_user("eva")
    page = editor.get("/services/?department=Petén").get_data(as_text=True)
    assert 'id="point-capmir-peten"' in page
    assert 'id="point-reception-air-returns-guatemala-city"' not in page
    page = editor.get("/services/?walk_in=no").get_data(as_text=True)
    assert 'id="point-reception-air-returns-guatemala-city"' in page and 'id="point-capmir-peten"' not in page
    page = editor.get("/services/?serves=children&department=Guatemala").get_data(as_text=True)
    assert 'id="point-reception-air-returns-guatemala-city"' in page


def test_an_editor_creates_and_edits_a_point_and_both_are_audited(as_user, console_db):
    from bot.content.service_points import ServicePointRepository
    from bot.staff.audit import AuditLog

    editor = as_user("eva")
    form = {"slug": "punto-ficticio", "name": "Punto Ficticio", "kind": "jobs", "department": "Zona Ficticia",
            "serves": ["returnees", "families"], "walk_in": "yes", "source": "Fuente ficticia", "languages": "es",
            "review_status": "improve"}
    response = editor.post("/services/new", form)
    assert response.status_code == 302 and response.headers["Location"] == "/services/punto-ficticio/edit"
    unchecked = {k: v for k, v in form.items() if k != "walk_in"}  # the walk-in box unticked
    response = editor.post("/services/punto-ficticio/edit", {**unchecked, "name": "Punto Ficticio Dos"})
    assert response.status_code == 302
    point = ServicePointRepository(console_db).get("punto-ficticio")
    assert (point.name, point.serves, point.walk_in) == ("Punto Ficticio Dos", ("returnees", "families"), False)
    assert [(e.actor, e.action) for e in AuditLog(console_db).entries(target_type="service_point")] == [
        ("eva", "service_point.edit"), ("eva", "service_point.create")]
    assert "Punto Ficticio Dos" in editor.get("/services/?department=Zona Ficticia").get_data(as_text=True)


def test_a_bad_form_says_what_is_wrong_and_saves_nothing(as_user, console_db):
    from bot.content.service_points import ServicePointRepository

    response = as_user("eva").post("/services/new", {"slug": "Mal Slug", "name": "", "kind": "jobs",
                                                     "source": "Fuente", "latitude": "abc", "longitude": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "falta «name»." in page and "«latitude» no es un número: «abc»." in page
    assert ServicePointRepository(console_db).get("mal-slug") is None


@pytest.mark.parametrize("user, status", [("eva", 403), ("rosa", 302)])
def test_retiring_needs_a_reviewer_and_hides_the_point_from_the_bot(as_user, console_db, user, status):
    from bot.content.repository import ContentRepository

    browser = as_user(user)
    response = browser.post("/services/capmir-peten/retire", token_from="/services/")
    assert response.status_code == status
    shown = [p.slug for p in ContentRepository(console_db).service_points(department="Petén")]
    assert ("capmir-peten" in shown) == (status == 403)
    if status == 302:
        browser.post("/services/capmir-peten/restore", token_from="/services/")
        assert "capmir-peten" in [p.slug for p in ContentRepository(console_db).service_points(department="Petén")]


def test_export_is_a_csv_of_the_filtered_points(as_user):
    response = as_user("eva").get("/services/export.csv?department=Petén")
    lines = response.get_data(as_text=True).splitlines()
    assert response.mimetype == "text/csv"
    assert lines[0].startswith("slug,name,kind,department,")
    assert [line.split(",")[0] for line in lines[1:]] == ["capmir-peten"]


def upload(browser, text: str):
    return browser.post("/services/import", {"file": (io.BytesIO(text.encode()), "points.csv")},
                        token_from="/services/import", content_type="multipart/form-data")


def test_import_needs_a_reviewer(as_user):
    assert as_user("eva").get("/services/import").status_code == 403


def test_import_with_a_bad_row_imports_nothing_and_names_the_row(as_user, console_db):
    from bot.content.service_points import ServicePointRepository

    reviewer = as_user("rosa")
    text = (HEADER + "punto-ficticio-a,Punto A,jobs,Zona Ficticia,returnees,yes,Fuente\n"
            + "punto-ficticio-b,Punto B,casino,Zona Ficticia,returnees,yes,Fuente\n")
    response = upload(reviewer, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "No se importó nada." in page and "Fila 3: tipo desconocido «casino»." in page
    assert ServicePointRepository(console_db).list(department="Zona Ficticia") == []
    response = upload(reviewer, text.replace("casino", "shelter"))
    assert response.status_code == 302
    page = reviewer.get("/services/?department=Zona Ficticia").get_data(as_text=True)
    assert "Importado: 2 nuevos, 0 cambiados, 0 sin cambios." in page
    assert [p.slug for p in ServicePointRepository(console_db).list(department="Zona Ficticia")] == [
        "punto-ficticio-a", "punto-ficticio-b"]
