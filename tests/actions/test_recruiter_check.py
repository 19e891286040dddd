"""The recruiter register check in the bot: a labour question naming an agency starts with what the register
says about it, then the normal answer follows. The agencies here are fictional, in each test's own database."""
from __future__ import annotations

import pytest

from actions import understanding
from actions.actions import ActionAnswerTopic
from actions.turn import Turn
from tests.actions.test_actions import make_tracker, message, run  # noqa: F401 - `run` is a fixture

SOURCE = "https://registro.example.org/agencias"


@pytest.fixture(autouse=True)
def register(sqlite_content):
    from bot.staff.recruiters import RecruiterRepository

    repo = RecruiterRepository(sqlite_content.database_url)
    repo.save({"name": "Empleos Quimera Ficticia S.A.", "licence_number": "FICT-001", "status": "authorised",
               "source_url": SOURCE, "checked_on": "2026-01-15"}, actor="test")
    repo.save({"name": "Viajes Espejismo Inventado", "status": "fraudulent", "source_url": SOURCE,
               "checked_on": "2026-02-20"}, actor="test")
    repo.save({"name": "Colocaciones Humo Irreal", "status": "suspended", "source_url": SOURCE,
               "checked_on": "2026-03-10"}, actor="test")
    return repo


def normal_answer(text_: str, intent: str, lang: str = "es") -> list[dict]:
    """The topic answer the message gets without any register check."""
    tracker = make_tracker(text_, intent, {"language": lang})
    reply = understanding._answer_topic(Turn.read(tracker), intent)
    return [message(m["text"], **{k: v for k, v in m.items() if k != "text"}) for m in reply.messages]


def ask(run, text_: str, intent: str = "labour.scams", lang: str = "es"):  # noqa: F811
    messages, _events = run(ActionAnswerTopic(), make_tracker(text_, intent, {"language": lang}))
    return messages


def test_a_registered_authorised_agency_is_named_with_its_date_and_source_before_the_answer(run):  # noqa: F811
    text_ = "¿la agencia Empleos Quimera Ficticia es legal?"
    assert ask(run, text_) == [
        message("Empleos Quimera Ficticia S.A. aparece como autorizada en el registro (verificado el 15/01/2026). "
                f"Fuente: {SOURCE}"),
        *normal_answer(text_, "labour.scams"),
    ]


def test_the_match_is_fuzzy_and_works_in_english(run):  # noqa: F811
    text_ = "is agency empleos kimera ficticia legit?"
    assert ask(run, text_, "labour.scams", "en")[0] == message(
        "Empleos Quimera Ficticia S.A. appears as authorised in the register (checked on 2026-01-15). "
        f"Source: {SOURCE}")


def test_a_fraudulent_agency_gets_a_warning_not_to_pay_and_where_to_report(run):  # noqa: F811
    text_ = "me ofrecen visa con Viajes Espejismo Inventado, me piden 5000"
    assert ask(run, text_, "labour.fees") == [
        message("¡Cuidado! Viajes Espejismo Inventado fue reportada como fraudulenta (registro verificado el "
                "20/02/2026). No le pague ni le entregue nada. Si ya pagó, guarde recibos y mensajes y denúncielo "
                f"en el Ministerio Público o en el MINTRAB. Fuente: {SOURCE}"),
        *normal_answer(text_, "labour.fees"),
    ]


def test_a_suspended_agency_is_said_to_be_suspended(run):  # noqa: F811
    messages = ask(run, "la reclutadora Colocaciones Humo Irreal es confiable?")
    assert messages[0] == message(
        "Colocaciones Humo Irreal aparece como suspendida en el registro (verificado el 10/03/2026). No pague ni "
        f"firme nada con esa agencia. Fuente: {SOURCE}")


def test_an_unknown_agency_is_not_found_with_how_to_check_report_and_the_fees_rule(run):  # noqa: F811
    text_ = "¿la agencia Trabajos Nube Azul es legal?"
    assert ask(run, text_) == [
        message("No encuentro Trabajos Nube Azul en el registro. Antes de pagar o firmar, pregunte al MINTRAB si la "
                "agencia está inscrita y autorizada. Nadie puede cobrarle comisión ni pago por colocarlo en un "
                "trabajo H-2A o H-2B, en ningún momento. Si le piden dinero, no pague y denúncielo en el "
                "Ministerio Público o en el MINTRAB. Fuente: U.S. Department of Labor; USCIS"),
        *normal_answer(text_, "labour.scams"),
    ]


def test_a_retired_entry_is_no_longer_found(run, register):  # noqa: F811
    entry = register.list(name="Quimera")[0]
    register.set_active(entry.id, False, actor="test")
    assert ask(run, "¿la agencia Empleos Quimera Ficticia es legal?")[0]["text"].startswith(
        "No encuentro Empleos Quimera Ficticia en el registro.")


@pytest.mark.parametrize("text_, intent", [
    ("¿cómo sé si una agencia es legal?", "labour.scams"),
    ("hay que pagarle a la agencia para trabajar en el extranjero?", "labour.fees"),
    ("me cobran por la h2b es legal", "labour.h2b"),
])
def test_a_labour_question_naming_no_agency_gets_the_usual_answer(run, text_, intent):  # noqa: F811
    assert ask(run, text_, intent) == normal_answer(text_, intent)


def test_other_topics_and_buttons_are_never_checked(run):  # noqa: F811
    text_ = "la agencia Viajes Espejismo Inventado me quiere cruzar por el desierto"
    assert ask(run, text_, "risks.smugglers") == normal_answer(text_, "risks.smugglers")
    assert ask(run, "/labour.scams", "labour.scams") == normal_answer("/labour.scams", "labour.scams")
