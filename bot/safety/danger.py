"""Recognising messages that show immediate danger, whatever the model predicted.

The NLU model is trained to recognise `help.emergency`, but a safety net of plain phrases makes sure that
a message like "me quieren matar" gets the emergency answer first even when the model thinks it is about
another topic. Phrases are specific to danger happening now, to avoid alarming people who ask in general.
"""
from __future__ import annotations

import re

from bot.language.folding import fold

_DANGER_PHRASES = [
    # Spanish (accents removed before matching)
    r"\bauxilio\b", r"\bsocorro\b", r"\bme quieren matar\b", r"\bme van a matar\b", r"\bnos van a matar\b",
    r"\bnos quieren matar\b", r"\bme estan siguiendo\b", r"\bnos estan siguiendo\b", r"\bme tienen secuestrad",
    r"\bnos tienen secuestrad", r"\bme secuestraron\b", r"\bnos secuestraron\b", r"\bestoy secuestrad",
    r"\bestamos secuestrad", r"\bme estoy muriendo\b", r"\bnos estamos muriendo\b",
    r"\bme abandonaron en el desierto\b", r"\bnos abandonaron en el desierto\b", r"\bestoy en peligro\b",
    r"\bestamos en peligro\b", r"\bme estan golpeando\b", r"\bme violaron\b", r"\bme acaban de violar\b",
    r"\bsin agua en el desierto\b", r"\bme estoy ahogando\b", r"\bno nos dejan salir\b", r"\bno me dejan salir\b",
    r"\b(estoy|estamos) encerrad", r"\bnos tienen encerrad", r"\bme tienen encerrad",
    r"\bno (podemos|puedo) respirar\b",
    # English
    r"\bhelp me\b.*\b(danger|kill|kidnap|dying)", r"\bi am in danger\b", r"\bi'?m in danger\b",
    r"\bwe are in danger\b", r"\bthey want to kill\b", r"\bgoing to kill (me|us)\b", r"\bi was kidnapped\b",
    r"\bi'?ve been kidnapped\b", r"\bwe were kidnapped\b", r"\bsomeone is following me\b",
    r"\bi'?m being followed\b", r"\bi am dying\b", r"\bi'?m dying\b", r"\blost in the desert\b",
    r"\bno water in the desert\b", r"\b(we are|we're|i am|i'm) locked (in|up)\b", r"\bcan'?t breathe\b",
    r"\bthey (won'?t|do not|don'?t) let (us|me) (out|leave)\b",
]
_DANGER = re.compile("|".join(_DANGER_PHRASES))


def shows_immediate_danger(text: str) -> bool:
    """True when the message describes danger happening now."""
    return bool(text) and _DANGER.search(fold(text)) is not None
