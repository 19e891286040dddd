"""Safety: recognising people in danger, whatever else the understanding layer decided.

- `shows_immediate_danger(text)` / `phrase_danger(text)`: the danger phrases (`bot.safety.phrases`), on
  spelling-normalised text (`normalise`); light, no Rasa import (the action server uses them).
- `EmergencyDetector` (`bot.safety.detector`): the Rasa NLU component of config.yml, phrases plus a small
  classifier; it sets `danger` in the parse data and overrides the intent. Imported lazily, since it
  loads Rasa.
"""
from typing import Any

from bot.safety.danger import CRISIS, EMERGENCY, normalise, phrase_danger, shows_immediate_danger

__all__ = [
    "CRISIS", "CRISIS_INTENT", "DANGER", "EMERGENCY", "EMERGENCY_INTENT", "EmergencyDetector", "normalise",
    "phrase_danger", "shows_immediate_danger",
]
_DETECTOR_NAMES = {"EmergencyDetector", "DANGER", "EMERGENCY_INTENT", "CRISIS_INTENT"}


def __getattr__(name: str) -> Any:
    if name in _DETECTOR_NAMES:
        from bot.safety import detector

        return getattr(detector, name)
    raise AttributeError(f"module 'bot.safety' has no attribute {name!r}")
