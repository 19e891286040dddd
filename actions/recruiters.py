"""The recruiter register check: a labour question that names an agency ("¿la agencia X es legal?") is answered
first with what the register says about X (authorised, suspended, reported as fraudulent, or not found, with
how to check and report and the fees rule), then with the normal answer to the question.

No intent of its own: the classifier files such questions under a labour topic; `with_register_check()` is
called by actions.understanding.answer_topic.
"""
from __future__ import annotations

from typing import Optional

from actions.replies import Reply
from actions.turn import Turn
from bot.language import text
from bot.staff.models import AUTHORISED, FRAUDULENT, SUSPENDED
from bot.staff.recruiters import RecruiterRepository, named_agency

LABOUR_PREFIX = "labour."
STATUS_TEXTS = {AUTHORISED: "recruiter_authorised", SUSPENDED: "recruiter_suspended",
                FRAUDULENT: "recruiter_fraudulent"}


def register_message(turn: Turn, topic_id: str) -> Optional[str]:
    """What the register says about the agency the message names, or None (not a labour question, a button,
    or no agency named)."""
    if not topic_id.startswith(LABOUR_PREFIX) or turn.is_payload:
        return None
    match = RecruiterRepository(turn.repo.database_url).check(turn.text)
    if match is not None:
        entry = match.recruiter
        date = entry.checked_on.strftime("%d/%m/%Y") if turn.lang == "es" else entry.checked_on.isoformat()
        return text(STATUS_TEXTS[entry.status], turn.lang, name=entry.name, date=date, url=entry.source_url)
    typed = named_agency(turn.text)
    if typed:
        return text("recruiter_not_found", turn.lang, name=typed)
    return None


def with_register_check(turn: Turn, topic_id: str, reply: Reply) -> Reply:
    """`reply`, preceded by the register's answer when the message names an agency."""
    found = register_message(turn, topic_id)
    if found is None:
        return reply
    return Reply().say(found).extend(reply)
