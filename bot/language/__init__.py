"""Language: folding user text, detecting Spanish or English, option numbers, and every interface text."""
from bot.language.detection import (
    MAYAN_ANY,
    MAYAN_NAMES,
    SUPPORTED,
    detect_language,
    named_mayan_language,
    requested_language,
)
from bot.language.folding import fold, has_words, words
from bot.language.options import mentioned_number, option_number
from bot.language.texts import (
    AREA_LABELS,
    BUTTON_LABELS,
    MAIN_MENU_AREAS,
    SEED_TEXTS,
    TEXTS,
    area_label,
    button_label,
    cached_text,
    text,
)

__all__ = [
    "AREA_LABELS", "BUTTON_LABELS", "MAIN_MENU_AREAS", "MAYAN_ANY", "MAYAN_NAMES", "SEED_TEXTS", "SUPPORTED", "TEXTS",
    "area_label", "button_label", "cached_text", "named_mayan_language",
    "detect_language", "fold", "has_words", "mentioned_number", "option_number", "requested_language", "text",
    "words",
]
