"""The recruiter register: entries with a source and a date, audited changes, all-or-nothing CSV import, and the
fuzzy check of an agency named in a message. Every agency here is fictional."""
from __future__ import annotations

import datetime as dt

import pytest

SOURCE = "https://registro.example.org/agencias"
HEADER = "name,licence_number,status,source_url,checked_on,notes\n"


@pytest.fixture
def register(sqlite_content):
    from bot.staff.recruiters import RecruiterRepository

    return RecruiterRepository(sqlite_content.database_url)


@pytest.fixture
def audit(sqlite_content):
    from bot.staff.audit import AuditLog

    return AuditLog(sqlite_content.database_url)


def entry(**values):
    return {"name": "Empleos Quimera Ficticia S.A.", "licence_number": "FICT-1", "status": "authorised",
            "source_url": SOURCE, "checked_on": "2026-01-15", **values}


def test_the_register_ships_empty(register):
    assert register.list() == []


def test_create_edit_retire_restore_are_audited(register, audit):
    created = register.save(entry(), actor="eva")
    register.save(entry(status="suspended"), actor="eli", recruiter_id=created.id)
    register.set_active(created.id, False, actor="rosa")
    register.set_active(created.id, True, actor="rosa")
    entries = audit.entries(target_type="recruiter")
    assert [(e.actor, e.action, e.target_id) for e in entries] == [
        ("rosa", "recruiter.restore", str(created.id)), ("rosa", "recruiter.retire", str(created.id)),
        ("eli", "recruiter.edit", str(created.id)), ("eva", "recruiter.create", str(created.id))]
    assert (entries[2].before["status"], entries[2].after["status"]) == ("authorised", "suspended")
    assert entries[3].after["checked_on"] == "2026-01-15"


def test_an_entry_needs_a_source_a_known_status_and_a_past_date(register):
    from bot.content.registers import RegisterError

    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(RegisterError) as refused:
        register.save(entry(status="legal", source_url="nada", checked_on=tomorrow), actor="eva")
    assert [(p.column, p.code) for p in refused.value.problems] == [
        ("status", "unknown_status"), ("source_url", "bad_url"), ("checked_on", "future_date")]
    register.save(entry(), actor="eva")
    with pytest.raises(RegisterError) as taken:
        register.save(entry(name="EMPLEOS QUIMERA FICTICIA S.A."), actor="eva")
    assert [(p.column, p.code) for p in taken.value.problems] == [("name", "taken")]


def test_csv_import_with_a_bad_row_imports_nothing_and_names_it(register, audit):
    from bot.content.registers import RegisterError

    text = (HEADER + f"Agencia Ficticia Uno,,authorised,{SOURCE},2026-01-15,\n"
            + f"Agencia Ficticia Dos,,aprobada,{SOURCE},2026-01-15,\n"
            + f"Agencia Ficticia Tres,,fraudulent,{SOURCE},15/01/2026,\n"
            + f"agencia ficticia uno,,suspended,{SOURCE},2026-01-15,\n")
    with pytest.raises(RegisterError) as refused:
        register.import_csv(text, actor="rosa")
    assert [(p.row, p.column, p.code, p.value) for p in refused.value.problems] == [
        (3, "status", "unknown_status", "aprobada"), (4, "checked_on", "bad_date", "15/01/2026"),
        (5, "name", "duplicate", "agencia ficticia uno")]
    assert register.list() == [] and audit.entries(target_type="recruiter") == []


def test_csv_import_creates_updates_and_round_trips(register, audit):
    register.save(entry(status="authorised"), actor="eva")
    text = (HEADER + f"empleos quimera ficticia s.a.,FICT-1,fraudulent,{SOURCE},2026-02-01,reportada\n"
            + f"Viajes Espejismo Inventado,,suspended,{SOURCE},2026-02-02,\n")
    assert register.import_csv(text, actor="rosa") == {"created": 1, "updated": 1, "unchanged": 0}
    assert [(r.name, r.status, r.checked_on) for r in register.list()] == [
        ("empleos quimera ficticia s.a.", "fraudulent", dt.date(2026, 2, 1)),
        ("Viajes Espejismo Inventado", "suspended", dt.date(2026, 2, 2))]
    exported = register.export_csv()
    assert exported == (HEADER + f"empleos quimera ficticia s.a.,FICT-1,fraudulent,{SOURCE},2026-02-01,reportada\n"
                        + f"Viajes Espejismo Inventado,,suspended,{SOURCE},2026-02-02,\n")
    assert register.import_csv(exported, actor="rosa") == {"created": 0, "updated": 0, "unchanged": 2}
    assert len(audit.entries(action="recruiter.import")) == 2


@pytest.mark.parametrize("message, expected", [
    ("¿la agencia Empleos Quimera Ficticia es legal?", "Empleos Quimera Ficticia S.A."),
    ("is agency empleos kimera ficticia legit?", "Empleos Quimera Ficticia S.A."),
    ("me ofrecen trabajo con EMPLEOS QUIMERA FICTICIA, es confiable?", "Empleos Quimera Ficticia S.A."),
    ("la agencia Viajes Espejismo Inventado me pide dinero", "Viajes Espejismo Inventado"),
    ("¿la agencia Trabajos Nube Azul es legal?", None),
    ("¿la agencia Empleos Sol es legal?", None),
    ("¿cómo sé si una agencia es legal?", None),
])
def test_check_finds_registered_names_fuzzily_and_nothing_else(register, message, expected):
    register.save(entry(), actor="eva")
    register.save(entry(name="Viajes Espejismo Inventado", status="fraudulent"), actor="eva")
    match = register.check(message)
    assert (match.recruiter.name if match else None) == expected
    if match:
        assert 88 <= match.score <= 100


def test_check_ignores_retired_entries(register):
    created = register.save(entry(), actor="eva")
    register.set_active(created.id, False, actor="rosa")
    assert register.check("¿la agencia Empleos Quimera Ficticia es legal?") is None


@pytest.mark.parametrize("message, name", [
    ("¿la agencia Trabajos Nube Azul es legal?", "Trabajos Nube Azul"),
    ("is agency Blue Fields Labor legit?", "Blue Fields Labor"),
    ("la agencia de empleo llamada Sol Naciente me pide dinero", "Sol Naciente"),
    ("el reclutador Juan Ficticio me cobra", "Juan Ficticio"),
    ("hay que pagarle a la agencia para trabajar en el extranjero?", None),
    ("la agencia esta registrada?", None),
    ("reclutador de canada me pide dinero", None),
    ("me cobran por la h2b es legal", None),
])
def test_the_name_after_agencia_or_recruiter_is_what_the_person_typed(message, name):
    from bot.staff.recruiters import named_agency

    assert named_agency(message) == name


@pytest.mark.parametrize("message", [
    "agencia falsa",
    "a recruiter asked for my bank details, is it a scam",
    "donde denuncio a un reclutador falso x fraude",
    "¿Existe un registro oficial de agencias de reclutamiento autorizadas?",
    "La empresa retiene nuestros pasaportes, ¿qué podemos hacer?",
    "como se si esa agencia existe de verdad",
    "i paid the recruiter 3000 dollars, can i get it back",
])
def test_descriptions_of_an_agency_are_not_taken_for_its_name(message):
    from bot.staff.recruiters import named_agency

    assert named_agency(message) is None


def test_a_short_one_word_name_is_found_only_when_the_message_names_an_agency(register):
    register.save(entry(name="Agencia Norte S.A."), actor="eva")
    assert register.check("quiero trabajar en el norte de México") is None
    assert register.check("¿la agencia Norte es legal?").recruiter.name == "Agencia Norte S.A."
