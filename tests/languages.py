"""A language made ready for the menu in tests, with placeholder texts ("[quc:greeting]"), never real Mayan text:
every interface text and every safety answer published, and offered."""
from __future__ import annotations

import re

from bot.content.interface import LanguageRepository
from bot.content.repository import ContentRepository
from bot.content.topics import SAFETY_TOPICS
from bot.language import SEED_TEXTS


def placeholder_text(code: str, key: str) -> str:
    """"[quc:consent] {days}": names the text and keeps the Spanish text's placeholders."""
    fields = re.findall(r"{\w+}", SEED_TEXTS[key]["es"])
    return " ".join([f"[{code}:{key}]", *fields])


def translate_interface(url: str, code: str, by: str = "eva", publisher: str = "rosa") -> None:
    languages = LanguageRepository(url)
    languages.save_drafts(code, {key: placeholder_text(code, key) for key in SEED_TEXTS}, by=by)
    languages.publish_drafts(code, by=publisher)


def publish_safety_answers(url: str, code: str, topics: tuple[str, ...] = SAFETY_TOPICS) -> None:
    content = ContentRepository(url)
    for topic_id in topics:
        draft = content.save_draft(topic_id, code, {"title": f"[{code}:{topic_id}]",
                                                    "body": f"[{code}:{topic_id}] body"}, created_by="eva")
        content.publish(topic_id, code, draft.version, published_by="rosa")


def ready_language(url: str, code: str = "quc") -> None:
    """`code` (defined by the migration, or added before) with everything the language menu needs, offered."""
    translate_interface(url, code)
    publish_safety_answers(url, code)
    LanguageRepository(url).set_offered(code, True, by="ada")
