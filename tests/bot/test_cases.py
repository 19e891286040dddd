"""The case repository (bot.handoff.cases) on SQLite and PostgreSQL: one open case per person, the transcript in
order, the statuses a caseworker sees, every staff action in the audit log, deletion and retention."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from bot.db import session_scope, utcnow
from bot.handoff.cases import PERSON_LEFT_NOTE, CaseError, CaseRepository, pseudonym_of
from bot.handoff.models import ASKED, BOT, FAILED_TWICE, SENSITIVE, STAFF, SYSTEM, USER, Case, CaseMessage
from bot.staff.audit import AuditLog

TRANSCRIPT = [(USER, "hola"), (BOT, "Hola, soy Brújula."), (USER, "busco a mi hijo, se perdió en la ruta")]


@pytest.fixture
def cases(database_url) -> CaseRepository:
    from bot.cli import db_upgrade

    db_upgrade(database_url)
    return CaseRepository(database_url)


def lines(case) -> list[tuple]:
    return [(m.author, m.staff_username, m.text) for m in case.messages]


def count(url: str, model) -> int:
    with session_scope(url) as s:
        return int(s.scalar(select(func.count()).select_from(model)))


def test_a_case_opens_new_with_its_transcript_and_a_person_has_one_open_case(cases):
    case = cases.open_case("sender-a", "webchat", "es", "help.missing", SENSITIVE, TRANSCRIPT)
    assert (case.status, case.channel, case.lang, case.topic_id, case.reason) == (
        "new", "webchat", "es", "help.missing", "sensitive")
    assert case.assigned_to is None and case.closed_at is None and case.last_user_at is not None
    stored = cases.get(case.id)
    assert lines(stored) == [(USER, None, "hola"), (BOT, None, "Hola, soy Brújula."),
                             (USER, None, "busco a mi hijo, se perdió en la ruta")]

    again = cases.open_case("sender-a", "telegram", "en", None, ASKED, [(USER, "otra vez")])
    assert again.id == case.id and lines(cases.get(case.id)) == lines(stored), "the open case, unchanged"
    assert cases.active_case("sender-a").id == case.id
    assert cases.active_case("sender-b") is None
    assert count(cases.database_url, Case) == 1


def test_caseworkers_see_a_short_stable_pseudonym_never_the_sender_id(cases):
    case = cases.open_case("whatsapp-3f9a1c0b77", "whatsapp", "es", None, ASKED)
    assert re.fullmatch(r"P-[0-9A-F]{6}", case.pseudonym)
    assert case.pseudonym == cases.get(case.id).pseudonym == pseudonym_of("whatsapp-3f9a1c0b77")
    assert pseudonym_of("whatsapp-3f9a1c0b78") != case.pseudonym
    assert "3f9a1c" not in case.pseudonym.lower()


def test_staff_actions_change_the_status_and_are_audited_without_message_text(cases):
    url = cases.database_url
    case = cases.open_case("sender-a", "webchat", "es", None, FAILED_TWICE, TRANSCRIPT)

    assigned = cases.assign(case.id, "rosa", actor="ada")
    assert (assigned.status, assigned.assigned_to) == ("assigned", "rosa")
    replied = cases.reply(case.id, "eli", "  Hola, soy Eli. ¿En qué país está?  ")
    assert (replied.status, replied.assigned_to) == ("waiting_user", "rosa"), "assigned to rosa stays rosa's"
    assert replied.last_staff_at is not None
    assert lines(replied)[-1] == (STAFF, "eli", "Hola, soy Eli. ¿En qué país está?")
    back = cases.set_status(case.id, "assigned", actor="rosa")
    assert back.status == "assigned"
    closed = cases.close(case.id, actor="rosa")
    assert closed.status == "closed" and closed.closed_at is not None

    entries = list(reversed(AuditLog(url).entries(target_type="case")))
    assert [(e.actor, e.action, e.target_id) for e in entries] == [
        ("ada", "case.assign", str(case.id)), ("eli", "case.reply", str(case.id)),
        ("rosa", "case.status", str(case.id)), ("rosa", "case.close", str(case.id))]
    assert entries[0].before == {"status": "new", "assigned_to": None}
    assert entries[0].after == {"status": "assigned", "assigned_to": "rosa"}
    assert entries[1].after == {"status": "waiting_user", "assigned_to": "rosa",
                                "message_id": replied.messages[-1].id}
    assert entries[3].before == {"status": "assigned", "assigned_to": "rosa"}
    assert entries[3].after == {"status": "closed", "assigned_to": "rosa"}
    assert all("Eli" not in str(e.before) + str(e.after) for e in entries), "no message text in the audit log"


def test_a_first_reply_takes_the_case_and_the_persons_answer_puts_it_back_in_the_queue(cases):
    case = cases.open_case("sender-a", "webchat", "es", None, ASKED, TRANSCRIPT)
    assert cases.reply(case.id, "eli", "Hola").assigned_to == "eli"
    before = cases.get(case.id).last_user_at
    cases.add_message(case.id, USER, "estoy en Tapachula")
    after = cases.get(case.id)
    assert after.status == "assigned" and after.last_user_at >= before
    assert lines(after)[-1] == (USER, None, "estoy en Tapachula")
    cases.add_message(case.id, SYSTEM, "nota")
    assert cases.get(case.id).status == "assigned"


def test_a_closed_case_frees_the_person_and_refuses_changes(cases):
    case = cases.open_case("sender-a", "webchat", "es", None, ASKED)
    cases.close(case.id, actor="rosa")
    assert cases.active_case("sender-a") is None
    for change in (lambda: cases.reply(case.id, "eli", "hola"), lambda: cases.close(case.id, "eli"),
                   lambda: cases.assign(case.id, "eli", "ada"), lambda: cases.set_status(case.id, "new", "ada")):
        with pytest.raises(CaseError):
            change()
    with pytest.raises(CaseError):
        cases.close(9999, "rosa")
    with pytest.raises(CaseError):
        cases.add_message(9999, USER, "hola")
    with pytest.raises(CaseError):
        cases.set_status(case.id, "lost", "rosa")
    with pytest.raises(CaseError):
        cases.queue(["lost"])
    assert cases.get(9999) is None
    new_case = cases.open_case("sender-a", "webchat", "es", None, ASKED)
    assert new_case.id != case.id and new_case.status == "new", "asking again opens a new case"


def test_setting_closed_as_a_status_closes_and_is_audited_as_a_close(cases):
    case = cases.open_case("sender-a", "webchat", "es", None, ASKED)
    assert cases.set_status(case.id, "closed", "rosa").closed_at is not None
    assert [e.action for e in AuditLog(cases.database_url).entries(target_type="case")] == ["case.close"]


def test_the_person_stopping_the_wait_closes_the_case_with_a_note_and_no_staff_audit(cases):
    case = cases.open_case("sender-a", "webchat", "es", None, ASKED, TRANSCRIPT)
    closed = cases.close_by_person(case.id)
    assert closed.status == "closed" and lines(closed)[-1] == (SYSTEM, None, PERSON_LEFT_NOTE)
    assert cases.active_case("sender-a") is None
    assert AuditLog(cases.database_url).entries(target_type="case") == []


def test_the_queue_lists_the_longest_waiting_first_by_status(cases):
    first = cases.open_case("sender-a", "webchat", "es", None, ASKED)
    second = cases.open_case("sender-b", "telegram", "es", None, SENSITIVE)
    third = cases.open_case("sender-c", "whatsapp", "en", None, FAILED_TWICE)
    cases.reply(second.id, "eli", "Hola")
    cases.close(third.id, "eli")
    assert [c.id for c in cases.queue()] == [first.id, second.id]
    assert [c.id for c in cases.queue(["waiting_user"])] == [second.id]
    assert [c.id for c in cases.queue(["closed"])] == [third.id]
    assert [c.id for c in cases.queue(limit=1)] == [first.id]
    assert all(c.messages == () for c in cases.queue()), "lists carry no transcript"


def test_holding_messages_are_due_once_for_cases_nobody_answered(cases):
    waiting = cases.open_case("sender-a", "webchat", "es", None, ASKED)
    answered = cases.open_case("sender-b", "webchat", "es", None, ASKED)
    cases.reply(answered.id, "eli", "Hola")
    assert cases.due_for_holding(dt.timedelta(hours=1)) == [], "not waited long enough"
    assert [c.id for c in cases.due_for_holding(dt.timedelta(0))] == [waiting.id]
    cases.mark_holding_sent(waiting.id)
    assert cases.due_for_holding(dt.timedelta(0)) == []
    assert cases.get(waiting.id).holding_sent_at is not None
    cases.mark_alerted(waiting.id)
    assert cases.get(waiting.id).alerted_at is not None
    with pytest.raises(CaseError):
        cases.mark_alerted(9999)


def test_deleting_a_person_removes_every_case_and_line_of_theirs_only(cases):
    url = cases.database_url
    first = cases.open_case("sender-a", "webchat", "es", None, ASKED, TRANSCRIPT)
    cases.close(first.id, "rosa")
    cases.open_case("sender-a", "webchat", "es", None, ASKED, TRANSCRIPT)
    other = cases.open_case("sender-b", "webchat", "es", None, ASKED, [(USER, "hola")])
    assert cases.delete_person("sender-a") == 2
    assert cases.person_cases("sender-a") == [] and cases.active_case("sender-a") is None
    assert count(url, Case) == 1 and count(url, CaseMessage) == 1
    assert lines(cases.get(other.id)) == [(USER, None, "hola")]
    assert cases.delete_person("sender-a") == 0


def test_retention_purges_closed_cases_closed_before_the_cutoff_and_is_safe_twice(cases):
    url = cases.database_url
    old = cases.open_case("sender-a", "webchat", "es", None, ASKED, TRANSCRIPT)
    cases.close(old.id, "rosa")
    recent = cases.open_case("sender-b", "webchat", "es", None, ASKED, TRANSCRIPT)
    cases.close(recent.id, "rosa")
    still_open = cases.open_case("sender-c", "webchat", "es", None, ASKED, TRANSCRIPT)
    with session_scope(url) as s:
        s.get(Case, old.id).closed_at = utcnow() - dt.timedelta(days=200)
    cutoff = utcnow() - dt.timedelta(days=180)
    assert cases.purge_older_than(cutoff) == 1
    assert cases.purge_older_than(cutoff) == 0
    assert cases.get(old.id) is None and cases.get(recent.id) is not None and cases.get(still_open.id) is not None
    assert count(url, CaseMessage) == 2 * len(TRANSCRIPT)


def test_a_transcript_line_needs_a_known_author(cases):
    with pytest.raises(CaseError):
        cases.open_case("sender-a", "webchat", "es", None, ASKED, [("caseworker", "hola")])
    assert count(cases.database_url, Case) == 0


# --- office hours (bot.handoff.policy) ------------------------------------------------------------------------
GT_HOURS = "de lunes a viernes, de 8:00 a 17:00, hora de Guatemala"


@pytest.mark.parametrize("utc_now, es, en", [
    # Tuesday 10:00 in Guatemala (UTC-6)
    (dt.datetime(2026, 12, 1, 16, 0), f"Ahora estamos en horario de atención: {GT_HOURS}.",
     "We are in office hours now: Monday to Friday, 8:00 to 17:00, Guatemala time."),
    # Monday 04:00 in Guatemala: later today
    (dt.datetime(2026, 11, 30, 10, 0), f"Ahora estamos fuera del horario de atención ({GT_HOURS}). Espere una "
     "respuesta hoy desde las 8:00.", "We are outside office hours now (Monday to Friday, 8:00 to 17:00, Guatemala "
     "time). Expect an answer today from 8:00."),
    # Monday 19:00 in Guatemala (already Tuesday in UTC): tomorrow
    (dt.datetime(2026, 12, 1, 1, 0), f"Ahora estamos fuera del horario de atención ({GT_HOURS}). Espere una "
     "respuesta mañana martes desde las 8:00.", "We are outside office hours now (Monday to Friday, 8:00 to 17:00, "
     "Guatemala time). Expect an answer tomorrow (Tuesday) from 8:00."),
    # Friday 17:00 in Guatemala: closed, Monday
    (dt.datetime(2026, 11, 27, 23, 0), f"Ahora estamos fuera del horario de atención ({GT_HOURS}). Espere una "
     "respuesta el lunes desde las 8:00.", "We are outside office hours now (Monday to Friday, 8:00 to 17:00, "
     "Guatemala time). Expect an answer on Monday from 8:00."),
])
def test_people_are_told_when_to_expect_an_answer_in_guatemala_time(utc_now, es, en):
    from bot.handoff.policy import OfficeHours, when_to_expect
    from bot.settings import get_settings

    hours = OfficeHours.from_settings(get_settings())
    assert when_to_expect(hours, "es", utc_now) == es
    assert when_to_expect(hours, "en", utc_now.replace(tzinfo=dt.timezone.utc)) == en


@pytest.mark.parametrize("variable, value, reason", [
    ("HANDOFF_OFFICE_DAYS", "0-5", "HANDOFF_OFFICE_DAYS: weekdays are 1 (Monday) to 7 (Sunday), got '0-5'"),
    ("HANDOFF_OFFICE_DAYS", "", "HANDOFF_OFFICE_DAYS: at least one weekday is needed"),
    ("HANDOFF_OFFICE_HOURS", "17:00-08:00", "HANDOFF_OFFICE_HOURS: the office must open before it closes"),
    ("HANDOFF_OFFICE_HOURS", "8 to 5", "HANDOFF_OFFICE_HOURS: write the hours as HH:MM-HH:MM"),
    ("HANDOFF_TIME_ZONE", "Mars/Olympus", "HANDOFF_TIME_ZONE: unknown time zone 'Mars/Olympus'"),
])
def test_bad_office_hours_stop_the_process_with_a_one_line_reason(variable, value, reason):
    from bot.settings import SettingsError, load_settings

    with pytest.raises(SettingsError) as error:
        load_settings({"BRUJULA_ENV": "test", variable: value})
    assert str(error.value) == reason


def test_office_days_can_be_a_list_and_hours_any_time():
    from bot.handoff.policy import OfficeHours, describe, parse_days, parse_hours, parse_zone

    assert parse_days("1-3,6") == frozenset({1, 2, 3, 6})
    assert parse_hours("09:30-13:00") == (dt.time(9, 30), dt.time(13, 0))
    hours = OfficeHours(parse_zone("America/Mexico_City"), parse_days("1,3,5"), dt.time(9, 30), dt.time(13, 0))
    assert describe(hours, "es") == "lunes, miércoles y viernes, de 9:30 a 13:00, America/Mexico_City"
