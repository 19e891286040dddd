"""How an answer names its sources in a message, shared by the bot's replies (actions/replies.py) and the
console's preview (console/content.py), so staff see exactly what people will get."""
from __future__ import annotations

from typing import Iterable, Mapping

from bot.language import text

MAX_SOURCES_SHOWN = 3


def short_source_name(name: str) -> str:
    """The organisation part of a citation: "U.S. Department of Labor — H-2A workers" -> "U.S. Department of Labor"."""
    for separator in (" — ", " – ", " - ", " ("):
        name = name.split(separator)[0]
    return name.strip()


def source_line(sources: Iterable[Mapping] | None, lang: str) -> str:
    """Who says so, short enough for a phone: up to three organisations (full citations stay in the database)."""
    names: list[str] = []
    for source in sources or ():
        short = short_source_name(str(source.get("name") or ""))
        if short and short not in names:
            names.append(short)
    if not names:
        return ""
    shown = names[:MAX_SOURCES_SHOWN]
    if len(names) > MAX_SOURCES_SHOWN:
        shown.append(text("more_sources", lang, count=str(len(names) - MAX_SOURCES_SHOWN)))
    return f"{text('source', lang)}: {'; '.join(shown)}"
