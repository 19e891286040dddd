"""Every number, e-mail and web address shown to people must be written in one of its sources.

A *source entry* is one entry of the pack's sources registry (its title, URL and quotes) or one line of the
reference files in `content/sources/reference/` (the checked emergency numbers, sourced facts and the IOM
strategy; a table row is a line). A text passes when each number it shows ("110", "1-866-487-9243", "Q100",
"2025") stands, as written and as a whole number, in one entry among the text's own sources or the reference
lines; each e-mail and web address likewise. Numbers of one or two digits are not checked (list markers,
"3 de cada 4"), except amounts of money ("Q15", "US$50").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from bot.content.models import LANGUAGES

# A number as people read it: digits, maybe grouped by spaces, dashes or dots ("800 911 2000", "1-866-487-9243").
_NUMBER = re.compile(r"(?<![\w.])\+?\d+(?:[ .\-]\d+)*(?![\w])")
_MONEY = re.compile(r"(?:US\$|\$|Q|€|MXN\s?)\s?\d+(?:[.,]\d+)*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://)?(?:[\w-]+\.)+(?:gob\.gt|gob\.mx|gov|org|com|gt|mx|ca|es|int|net)(?:/[^\s,;)]*)?",
                  re.IGNORECASE)


@dataclass(frozen=True)
class ShownText:
    what: str  # "labour.h2a [es]", "FAQ labour.h2a/family [en]", "service point capmir-peten"
    text: str
    sources: tuple  # as cited in the pack: registry ids, or {name, url, ...} dicts

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(str(s if isinstance(s, str) else s.get("id") or "") for s in self.sources if s)


def _entry_text(entry: dict) -> str:
    parts = [str(entry.get(k) or "") for k in ("title", "url", "publisher")]
    parts += [str(q) for q in entry.get("quotes") or []]
    return " \n ".join(parts)


def reference_lines(reference_dir: Path) -> list[str]:
    lines: list[str] = []
    for path in sorted(reference_dir.glob("*")):
        if path.is_file():
            lines.extend(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return lines


def _languages_of(*by_language) -> list[str]:
    """Spanish and English, then every other language a text is written in (a K'iche' text is checked too)."""
    found = [lang for texts in by_language if isinstance(texts, dict) for lang in texts]
    return list(dict.fromkeys([*LANGUAGES, *map(str, found)]))


def shown_texts(pack) -> list[ShownText]:
    """What the pack shows people, with the ids of the sources each text cites."""
    texts: list[ShownText] = []
    for topic in pack.topics:
        for lang in _languages_of(topic.get("answers")):
            answer = (topic.get("answers") or {}).get(lang) or {}
            body = " \n ".join(str(answer.get(k) or "") for k in ("title", "short", "body", "details"))
            texts.append(ShownText(f"{topic.get('id')} [{lang}]", body, tuple(answer.get("sources") or ())))
    for faq in pack.faqs:
        for lang in _languages_of(faq.get("question"), faq.get("answer")):
            body = f"{(faq.get('question') or {}).get(lang) or ''} \n {(faq.get('answer') or {}).get(lang) or ''}"
            texts.append(ShownText(f"FAQ {faq.get('id')} [{lang}]", body, tuple(faq.get("sources") or ())))
    for point in pack.service_points:
        body = " \n ".join(str(point.get(k) or "") for k in ("phone", "address", "hours"))
        texts.append(ShownText(f"service point {point.get('slug')}", body,
                               (str(point["source_id"]),) if point.get("source_id") else ()))
    return texts


def facts_in(text: str) -> list[str]:
    """The numbers, amounts, e-mails and web addresses in a text, as written."""
    text = _typed(text)
    emails = _EMAIL.findall(text)
    without_emails = _EMAIL.sub(" ", text)
    urls = [u.rstrip(".") for u in _URL.findall(without_emails)]
    plain = _URL.sub(" ", without_emails)
    money = _MONEY.findall(plain)
    numbers = [n for n in _NUMBER.findall(_MONEY.sub(" ", plain)) if sum(ch.isdigit() for ch in n) >= 3]
    return emails + urls + money + numbers


_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                         "\u00a0": " ", "\u202f": " "})


def _typed(text: str) -> str:
    """Typographic dashes and no-break spaces as people type them: "1‑800" and "1-800" are the same number."""
    return text.translate(_DASHES)


def _written_in(fact: str, entry: str) -> bool:
    fact, entry = _typed(fact), _typed(entry)
    if "@" in fact or "." in fact and not fact[0].isdigit() and fact[0] not in "$Q€+":
        return fact.lower().removeprefix("https://").removeprefix("http://") in entry.lower()
    pattern = r"(?<![\d\w])" + re.escape(fact).replace(r"\ ", r"\s") + r"(?![\d])"
    return re.search(pattern, entry) is not None


def unsourced(pack, reference_dir: Optional[Path]) -> list[str]:
    """One line per number, e-mail or web address that no single source entry of its text shows."""
    reference = reference_lines(reference_dir) if reference_dir and reference_dir.exists() else []
    problems: list[str] = []
    for shown in shown_texts(pack):
        entries = [_entry_text(pack.sources[i]) for i in shown.source_ids if i in pack.sources] + reference
        for fact in facts_in(shown.text):
            if not any(_written_in(fact, entry) for entry in entries):
                problems.append(f"{shown.what}: {fact!r} is in no source entry of this text")
    return problems
