"""What the voice of an audio answer says: the answer, then its numbered options read aloud, in the order the
reply shows them (a person who cannot read the list can still choose by number), and 0 for the main menu.

The same option lists build the reply's buttons (actions/replies.py), so what is heard is what is shown.
"""
from __future__ import annotations

import hashlib
from typing import Optional, Sequence

from bot.language import button_label, text

MAIN_MENU_NUMBER = 0


def without_links(body: str) -> str:
    """The lines a voice can say: a line with a web address is left out (it is in the written answer)."""
    return "\n".join(line for line in (body or "").splitlines()
                     if "http://" not in line and "https://" not in line).strip()


def answer_option_titles(follow_up_titles: Sequence[str], has_details: bool, lang: str) -> list[str]:
    """An answer's options before the main menu: "More information" (when it has details), then its follow-ups."""
    return ([button_label("ask_more", lang)] if has_details else []) + list(follow_up_titles)


def faq_option_titles(overview_title: Optional[str], lang: str) -> list[str]:
    """A FAQ entry's options before the main menu, when heard: its topic's overview."""
    return [text("about_topic", lang, title=overview_title)] if overview_title else []


def script(title: str, body: str, option_titles: Sequence[str], lang: str) -> str:
    """The title, the answer without its links, then "Option 1: ..." for each option and "Option 0: Main menu"."""
    options = [text("audio_option", lang, number=str(number), title=option)
               for number, option in enumerate(option_titles, start=1)]
    options.append(text("audio_option", lang, number=str(MAIN_MENU_NUMBER), title=button_label("main_menu", lang)))
    return "\n\n".join([f"{title}.", without_links(body), text("audio_options_intro", lang), "\n".join(options)])


def script_sha(spoken: str) -> str:
    return hashlib.sha256(spoken.encode("utf-8")).hexdigest()
