"""Topic ids: what the assistant answers from the content database.

A topic id has an area and a name ("labour.h2a"); the understanding layer predicts it as an intent. The
other intents (greet, main_menu, select_option...) steer the conversation and have no answer of their own.
"""
from __future__ import annotations

OUT_OF_SCOPE = "out_of_scope"
EMERGENCY_TOPIC = "help.emergency"
CRISIS_TOPIC = "help.crisis"
HUMAN_TOPIC = "help.human"
CAPMIR_TOPIC = "reintegration.capmir"
TRAFFICKING_TOPIC = "risks.trafficking"
REPORT_TOPIC = "help.report"
# Answers a language needs before it is offered: what to do in danger, in a crisis, and about trafficking.
SAFETY_TOPICS = (EMERGENCY_TOPIC, CRISIS_TOPIC, TRAFFICKING_TOPIC, REPORT_TOPIC)


def is_topic_intent(intent: str | None) -> bool:
    """True for intents answered from the content database: "area.name" ids and out_of_scope."""
    return bool(intent) and ("." in intent or intent == OUT_OF_SCOPE)
