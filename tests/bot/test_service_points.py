"""Service points as staff keep them: filters, create / edit / retire / restore with audit, CSV round trip and
an all-or-nothing import that names the bad rows. Rows here are fictional, in each test's own database."""
from __future__ import annotations

import pytest

HEADER = "slug,name,kind,department,serves,walk_in,source,latitude,longitude\n"
GOOD_ROW = ("punto-ficticio-uno,Punto Ficticio Uno,jobs,Petén,returnees;families,yes,Fuente ficticia de prueba,"
            "16.9,-89.9\n")


@pytest.fixture
def points(sqlite_content):
    from bot.content.service_points import ServicePointRepository

    return ServicePointRepository(sqlite_content.database_url)


@pytest.fixture
def audit(sqlite_content):
    from bot.staff.audit import AuditLog

    return AuditLog(sqlite_content.database_url)


def new_point(**values):
    base = {"slug": "punto-ficticio", "name": "Punto Ficticio", "kind": "jobs", "department": "Zona Ficticia",
            "serves": ["returnees"], "walk_in": True, "source": "Fuente ficticia de prueba"}
    return {**base, **values}


def test_filters_by_department_serves_walk_in_and_active(points):
    points.save(new_point(), actor="ana")
    points.save(new_point(slug="otro-ficticio", name="Otro Ficticio", serves=["everyone"], walk_in=False),
                actor="ana")
    assert [p.slug for p in points.list(department="zona ficticia")] == ["otro-ficticio", "punto-ficticio"]
    assert [p.slug for p in points.list(department="Zona Ficticia", serves="in_transit")] == ["otro-ficticio"]
    assert [p.slug for p in points.list(department="Zona Ficticia", walk_in=False)] == ["otro-ficticio"]
    points.set_active("otro-ficticio", False, actor="rosa")
    assert [p.slug for p in points.list(department="Zona Ficticia", active=True)] == ["punto-ficticio"]
    assert [p.slug for p in points.list(department="Zona Ficticia", active=False)] == ["otro-ficticio"]


def test_create_edit_retire_restore_are_audited_and_the_bot_stops_showing_a_retired_point(points, audit,
                                                                                          sqlite_content):
    points.save(new_point(), actor="ana")
    edited = points.save({"phone": "", "walk_in": False, "name": "Punto Ficticio Dos"}, actor="eli",
                         slug="punto-ficticio")
    assert (edited.name, edited.walk_in, edited.kind) == ("Punto Ficticio Dos", False, "jobs")
    points.set_active("punto-ficticio", False, actor="rosa")
    assert "punto-ficticio" not in [p.slug for p in sqlite_content.service_points(department="Zona Ficticia")]
    points.set_active("punto-ficticio", True, actor="rosa")
    assert "punto-ficticio" in [p.slug for p in sqlite_content.service_points(department="Zona Ficticia")]
    entries = audit.entries(target_type="service_point")
    assert [(e.actor, e.action) for e in entries] == [
        ("rosa", "service_point.restore"), ("rosa", "service_point.retire"), ("eli", "service_point.edit"),
        ("ana", "service_point.create")]
    edit = entries[2]
    assert (edit.before["walk_in"], edit.after["walk_in"]) == (True, False)
    assert (edit.before["name"], edit.after["name"]) == ("Punto Ficticio", "Punto Ficticio Dos")


def test_a_bad_point_is_refused_with_what_is_wrong(points):
    from bot.content.registers import RegisterError

    with pytest.raises(RegisterError) as refused:
        points.save(new_point(slug="Mal Slug", kind="casino", serves=["tourists"], latitude="x"), actor="ana")
    assert [(p.column, p.code) for p in refused.value.problems] == [
        ("slug", "bad_slug"), ("kind", "unknown_kind"), ("serves", "unknown_serves"), ("latitude", "not_a_number")]


def test_csv_export_then_import_changes_nothing(points):
    exported = points.export_csv()
    assert exported.splitlines()[0].startswith("slug,name,kind,department")
    count = len(points.list())
    assert points.import_csv(exported, actor="rosa") == {"created": 0, "updated": 0, "unchanged": count}
    assert points.export_csv() == exported


def test_csv_import_creates_and_updates(points, audit):
    points.save(new_point(slug="punto-ficticio-uno", name="Viejo nombre"), actor="ana")
    text = HEADER + GOOD_ROW + "punto-ficticio-dos,Punto Ficticio Dos,shelter,Petén,children,no,Fuente,,\n"
    assert points.import_csv(text, actor="rosa") == {"created": 1, "updated": 1, "unchanged": 0}
    one = points.get("punto-ficticio-uno")
    assert (one.name, one.serves, one.walk_in, one.latitude) == ("Punto Ficticio Uno", ("returnees", "families"),
                                                                 True, 16.9)
    assert points.get("punto-ficticio-dos").walk_in is False
    assert [e.action for e in audit.entries(actor="rosa")] == ["service_point.import"] * 2


def test_csv_import_with_bad_rows_imports_nothing_and_names_each_row(points, audit):
    from bot.content.registers import RegisterError

    before = points.export_csv()
    text = (HEADER + GOOD_ROW
            + "punto-ficticio-dos,,jobs,Petén,returnees,yes,Fuente,,\n"
            + "punto-ficticio-tres,Tres,jobs,Petén,returnees,quizas,Fuente,91,0\n"
            + GOOD_ROW)
    with pytest.raises(RegisterError) as refused:
        points.import_csv(text, actor="rosa")
    assert [(p.row, p.column, p.code) for p in refused.value.problems] == [
        (3, "name", "required"), (4, "walk_in", "not_yes_no"), (4, "latitude", "out_of_range"),
        (5, "slug", "duplicate")]
    assert points.export_csv() == before
    assert audit.entries(actor="rosa") == []


def test_csv_import_names_missing_and_unknown_columns(points):
    from bot.content.registers import RegisterError

    with pytest.raises(RegisterError) as refused:
        points.import_csv("slug,name,colour\nx-y,Z,red\n", actor="rosa")
    assert [(p.row, p.column, p.code) for p in refused.value.problems] == [
        (1, "kind", "missing_column"), (1, "source", "missing_column"), (1, "colour", "unknown_column")]
