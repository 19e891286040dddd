"""Language: folding user text, detecting Spanish or English, option numbers, and every interface text."""
from bot.language.detection import SUPPORTED, detect_language, requested_language
from bot.language.folding import fold, has_words, words
from bot.language.options import mentioned_number, option_number
from bot.language.texts import AREA_LABELS, BUTTON_LABELS, MAIN_MENU_AREAS, TEXTS, area_label, button_label, text

__all__ = [
    "AREA_LABELS", "BUTTON_LABELS", "MAIN_MENU_AREAS", "SUPPORTED", "TEXTS", "area_label", "button_label",
    "detect_language", "fold", "has_words", "mentioned_number", "option_number", "requested_language", "text",
    "words",
]
