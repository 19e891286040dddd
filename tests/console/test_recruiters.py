"""The recruiter register pages: editors add and edit entries, reviewers retire and import; a CSV with a bad
row imports nothing and names the row. Agencies here are fictional."""
from __future__ import annotations

import io

import pytest

SOURCE = "https://registro.example.org/agencias"
HEADER = "name,licence_number,status,source_url,checked_on,notes\n"


def upload(browser, text: str):
    return browser.post("/recruiters/import", {"file": (io.BytesIO(text.encode()), "agencias.csv")},
                        token_from="/recruiters/import", content_type="multipart/form-data")


def test_an_editor_adds_and_edits_an_agency_and_the_changes_are_audited(as_user, console_db):
    from bot.staff.audit import AuditLog
    from bot.staff.recruiters import RecruiterRepository

    editor = as_user("eva")
    form = {"name": "Empleos Quimera Ficticia", "licence_number": "FICT-1", "status": "authorised",
            "source_url": SOURCE, "checked_on": "2026-01-15", "notes": ""}
    assert editor.post("/recruiters/new", form).status_code == 302
    [entry] = RecruiterRepository(console_db).list()
    response = editor.post(f"/recruiters/{entry.id}/edit", {**form, "status": "suspended"})
    assert response.status_code == 302
    page = editor.get("/recruiters/?status=suspended").get_data(as_text=True)
    assert "Empleos Quimera Ficticia" in page and "suspendida" in page
    assert "Empleos Quimera Ficticia" not in editor.get("/recruiters/?status=authorised").get_data(as_text=True)
    assert [(e.actor, e.action) for e in AuditLog(console_db).entries(target_type="recruiter")] == [
        ("eva", "recruiter.edit"), ("eva", "recruiter.create")]


def test_an_entry_without_a_source_is_refused(as_user, console_db):
    from bot.staff.recruiters import RecruiterRepository

    response = as_user("eva").post("/recruiters/new", {"name": "Agencia Ficticia", "status": "authorised",
                                                       "source_url": "", "checked_on": "2026-01-15"})
    assert response.status_code == 400
    assert "falta «source_url»." in response.get_data(as_text=True)
    assert RecruiterRepository(console_db).list() == []


@pytest.mark.parametrize("user, status", [("eli", 403), ("rosa", 302)])
def test_retiring_needs_a_reviewer(as_user, console_db, user, status):
    from bot.staff.recruiters import RecruiterRepository

    register = RecruiterRepository(console_db)
    entry = register.save({"name": "Agencia Ficticia", "status": "fraudulent", "source_url": SOURCE,
                           "checked_on": "2026-01-15"}, actor="test")
    response = as_user(user).post(f"/recruiters/{entry.id}/retire", token_from="/recruiters/")
    assert response.status_code == status
    assert register.get(entry.id).active is (status == 403)


def test_import_needs_a_reviewer(as_user):
    assert as_user("eva").get("/recruiters/import").status_code == 403


def test_import_with_a_bad_row_imports_nothing_and_names_the_row_then_a_good_file_imports(as_user, console_db):
    from bot.staff.recruiters import RecruiterRepository

    reviewer = as_user("rosa")
    bad = (HEADER + f"Agencia Ficticia Uno,FICT-1,authorised,{SOURCE},2026-01-15,\n"
           + "Agencia Ficticia Dos,,fraudulent,no es una url,2026-01-15,\n")
    response = upload(reviewer, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "No se importó nada." in page
    assert "Fila 3: la fuente debe ser una dirección web (http…): «no es una url»." in page
    assert RecruiterRepository(console_db).list() == []
    response = upload(reviewer, bad.replace("no es una url", SOURCE))
    assert response.status_code == 302
    assert "Importado: 2 nuevos, 0 cambiados, 0 sin cambios." in reviewer.get("/recruiters/").get_data(as_text=True)
    assert [(r.name, r.status) for r in RecruiterRepository(console_db).list()] == [
        ("Agencia Ficticia Dos", "fraudulent"), ("Agencia Ficticia Uno", "authorised")]
    exported = reviewer.get("/recruiters/export.csv?status=fraudulent").get_data(as_text=True)
    assert exported == HEADER + f"Agencia Ficticia Dos,,fraudulent,{SOURCE},2026-01-15,\n"


def test_the_pages_open_in_english_too(as_user):
    editor = as_user("eva")
    editor.post("/language/en", {"next": "/recruiters/"}, token_from="/recruiters/")
    page = editor.get("/recruiters/").get_data(as_text=True)
    assert "Recruiter register" in page and "Only agencies found in an official source." in page
