"""What an action needs to know about the current message, read once per turn (lazily where it costs)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from bot.content.faq import FaqRepository
from bot.content.matching import Match, matcher_for
from bot.content.repository import ContentRepository
from bot.language import SUPPORTED, detect_language
from bot.language.places import Place, find_place
from bot.safety import phrase_danger
from bot.settings import get_settings


@dataclass
class Turn:
    tracker: Tracker
    lang: str
    text: str
    intent: Optional[str]
    repo: ContentRepository
    faq: FaqRepository = field(default_factory=FaqRepository)
    ranked: Optional[list[Match]] = None  # the FAQ matcher's ranking, once asked (the turn log reads it)

    @classmethod
    def read(cls, tracker: Tracker) -> "Turn":
        message = tracker.latest_message or {}
        user_text = message.get("text") or ""
        current = tracker.get_slot("language") or get_settings().default_language
        # Detection tells Spanish from English only: it never overrides another language the person chose.
        detected = detect_language(user_text) if current in SUPPORTED else None
        lang = detected or current
        intent = (message.get("intent") or {}).get("name")
        return cls(tracker, lang, user_text, intent, ContentRepository())

    @property
    def is_payload(self) -> bool:
        """A button press or command ("/labour.h2a"), not words the person typed."""
        return self.text.startswith("/")

    @property
    def prefer_audio(self) -> bool:
        """The person chose to hear every answer that can be heard ("Siempre con audio")."""
        return self.tracker.get_slot("prefer_audio") is True

    @property
    def confidence(self) -> float:
        return float(((self.tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)

    def ranking(self) -> List[Dict[str, Any]]:
        return (self.tracker.latest_message or {}).get("intent_ranking") or []

    def guesses(self, n: int = 3) -> List[Dict[str, Any]]:
        return [g for g in self.ranking() if g.get("name") not in ("nlu_fallback", None)][:n]

    @cached_property
    def danger(self) -> Optional[str]:
        """"emergency" or "crisis" when the emergency detector (in the NLU pipeline) or the danger phrases
        found danger happening now; None otherwise."""
        if self.is_payload:
            return None
        found = (self.tracker.latest_message or {}).get("danger")
        if isinstance(found, dict) and found.get("kind") in ("emergency", "crisis"):
            return found["kind"]
        return phrase_danger(self.text)

    @cached_property
    def place(self) -> Optional[Place]:
        return None if self.is_payload else find_place(self.text)

    def matches(self) -> list[Match]:
        """FAQ entries and topics ranked for this message (every label, best first); ranked once per turn."""
        if self.ranked is None:
            self.ranked = matcher_for(self.repo.database_url).rank(self.text, limit=10_000)
        return self.ranked
