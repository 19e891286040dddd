"""Spelling normalisation and danger phrases: the rule half of the emergency detector.

People in danger write fast, on a cracked phone, often while hiding: "aiuda nos tienen ensrrados x fa",
"me kieren matar", "stoy perdido sin agua". Before anything is compared, `normalise` folds the text
(`bot.language.fold`: lower case, no accents) and then undoes the commonest spelling shortcuts, so that
every way of typing a word lands on one form:

- shorthand words: "x" -> "por", "xq"/"pq" -> "porque", "q"/"k"/"ke" -> "que", "xfa" -> "por favor",
  "pls"/"plz" -> "please", "pa" -> "para", ...;
- repeated letters squeezed ("ayudaaaa" -> "ayuda", "carro" -> "caro");
- letters with the same sound: "k"/"q" before e, i -> "qu"; "v" -> "b"; "z" and "c" before e, i -> "s";
  "j" before e, i -> "g";
  a silent "h" dropped; a final "y" -> "i" ("estoy"/"estoi"); a word starting "s" + consonant gets its "e"
  back ("stoy" -> "estoy");
- apostrophes and punctuation dropped ("i'm" -> "im", "can't" -> "cant").

The result is only for comparing (phrases here, character n-grams in `bot.safety.detector`); it is never
shown. English words are changed by the same rules ("kill" -> "quil"), which does no harm: the training
examples, the phrases and the message all go through the same function.

Phrases (`bot.safety.phrases`) are matched on the normalised words; a word of 5 letters or more also
matches with one letter dropped or two neighbouring letters swapped ("auxlio", "persigiendo"). A negated
phrase does not count ("no me quiero matar"); nor does an emergency phrase that reads as a question about
what could happen or what happened long ago ("si me quieren matar ...", "me secuestraron en 2019") or as a
joke ("me quiere matar jaja"); otherwise a crisis phrase always counts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Iterable, Optional

from bot.language.folding import fold
from bot.safety.phrases import CRISIS_PHRASES, EMERGENCY_PHRASES, LONG_AGO_PHRASES, NOT_URGENT_PHRASES

EMERGENCY = "emergency"
CRISIS = "crisis"

_SEPARATORS = re.compile(r"[^\w']+|_")
# Whole-word shortcuts, looked up after folding and before the letter rules.
SHORTHAND = {
    "x": "por", "xq": "porque", "xk": "porque", "pq": "porque", "porq": "porque", "pk": "porque",
    "q": "que", "k": "que", "ke": "que", "qe": "que", "xfa": "por favor", "xfavor": "por favor",
    "xfis": "por favor", "fa": "favor", "porfa": "por favor", "porfis": "por favor", "porfavor": "por favor",
    "pa": "para", "pal": "para el", "d": "de", "tmb": "tambien", "tb": "tambien", "toy": "estoy", "toi": "estoy",
    "tamos": "estamos", "ta": "esta", "aca": "aqui", "aki": "aqui", "ahorita": "ahora", "orita": "ahora",
    "horita": "ahora",
    "pls": "please", "plz": "please", "plis": "please", "pliz": "please", "plss": "please", "u": "you",
    "r": "are", "ur": "your", "bc": "because", "cuz": "because", "cause": "because", "rn": "right now",
    "n": "en", "hlp": "help", "wont": "will not", "dont": "do not", "cant": "can not", "cannot": "can not",
    "doesnt": "does not", "didnt": "did not", "isnt": "is not", "arent": "are not", "im": "i am",
    "ive": "i have", "theyre": "they are", "youre": "you are", "hes": "he is",
    "shes": "she is", "gonna": "going to", "wanna": "want to",
}
_CONSONANTS = "bcdfgjklmnpqrstvwxz"


def _spell(word: str) -> str:
    """The sound-alike form of one folded word."""
    if word.isdigit():
        return word
    word = re.sub(r"([a-z])\1+", r"\1", word)  # squeeze: "ayudaaa" -> "ayuda"
    word = re.sub(r"k(?=[ei])", "qu", word)  # "kiero" -> "quiero"
    word = re.sub(r"q(?!u)", "qu", word)  # "qiero" -> "quiero"
    word = re.sub(r"c(?=[ei])", "s", word)  # "suicida" / "suisida"
    word = re.sub(r"j(?=[ei])", "g", word)  # "urjente" / "urgente"
    word = word.replace("v", "b").replace("z", "s")
    word = re.sub(r"(?<![cspgtwk])h", "", word)  # silent h: "ermano" / "hermano"; keeps ch, sh, th ...
    if len(word) > 2 and word[0] == "s" and word[1] in _CONSONANTS:
        word = "e" + word  # "stoy" -> "estoy"
    if len(word) > 1 and word.endswith("y"):
        word = word[:-1] + "i"  # "estoy" / "estoi"
    return word


@lru_cache(maxsize=4096)
def _normal_word(word: str) -> tuple[str, ...]:
    word = word.replace("'", "")
    if not word:
        return ()
    expanded = SHORTHAND.get(word, word)
    return tuple(_spell(part) for part in expanded.split())


def normal_words(text: str) -> list[str]:
    """The normalised words of a message: fold, split, expand shorthand, spell by sound."""
    out: list[str] = []
    for word in _SEPARATORS.split(fold(text or "")):
        out.extend(_normal_word(word))
    return out


def normalise(text: str) -> str:
    """The normalised text, words joined by single spaces ("Me kieren matar x fa!!" ->
    "me quieren matar por fa")."""
    return " ".join(normal_words(text))


# ---------------------------------------------------------------------------------------------------------
# Phrase patterns. Syntax (see bot/safety/phrases.py): words separated by spaces; "a|b" alternatives;
# "a_b" a two-word alternative; "word*" any word starting so; "[a|b]" an optional slot; "~" up to two
# words of anything; "~N" up to N words.


@dataclass(frozen=True)
class _Slot:
    alternatives: tuple[tuple[str, ...], ...]  # each a sequence of normalised words ("*" suffix: prefix)
    optional: bool = False
    gap: int = 0  # > 0: a gap of 0..gap arbitrary words


@dataclass(frozen=True)
class Phrase:
    source: str
    kind: str
    slots: tuple[_Slot, ...]


def _compile_word(word: str) -> tuple[str, ...]:
    prefix = word.endswith("*")
    parts = _normal_word(word.rstrip("*"))
    if prefix and parts:
        parts = parts[:-1] + (parts[-1] + "*",)
    return parts


def compile_phrase(source: str, kind: str) -> Phrase:
    slots = []
    for raw in source.split():
        if raw.startswith("~"):
            slots.append(_Slot((), gap=int(raw[1:] or 2)))
            continue
        optional = raw.startswith("[") and raw.endswith("]")
        raw = raw.strip("[]")
        alternatives = []
        for alternative in raw.split("|"):
            words: tuple[str, ...] = ()
            for part in alternative.split("_"):
                words += _compile_word(part)
            if words:
                alternatives.append(words)
        if not alternatives:
            raise ValueError(f"empty slot in danger phrase {source!r}")
        slots.append(_Slot(tuple(alternatives), optional=optional))
    if not slots or all(s.optional or s.gap for s in slots):
        raise ValueError(f"danger phrase {source!r} has no required word")
    return Phrase(source, kind, tuple(slots))


def _one_letter_dropped(token: str, word: str) -> bool:
    if len(token) != len(word) - 1:
        return False
    i = 0
    while i < len(token) and token[i] == word[i]:
        i += 1
    return token[i:] == word[i + 1:]


def _swapped(token: str, word: str) -> bool:
    if len(token) != len(word):
        return False
    diff = [i for i in range(len(word)) if token[i] != word[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and token[diff[0]] == word[diff[1]] \
        and token[diff[1]] == word[diff[0]]


def word_matches(token: str, word: str) -> bool:
    """A normalised message word against a phrase word (prefix when it ends in "*"), allowing one dropped
    letter or one swap of neighbouring letters in words of 5 letters or more."""
    if word.endswith("*"):
        stem = word[:-1]
        if token.startswith(stem):
            return True
        if len(stem) < 5:
            return False
        return _one_letter_dropped(token[: len(stem) - 1], stem) or _swapped(token[: len(stem)], stem)
    if token == word:
        return True
    if len(word) < 5:
        return False
    return _one_letter_dropped(token, word) or _swapped(token, word)


def _match_from(slots: tuple[_Slot, ...], tokens: list[str], i: int) -> Optional[int]:
    """The end of a match of `slots` starting at token i, or None."""
    if not slots:
        return i
    slot, rest = slots[0], slots[1:]
    if slot.gap:
        for skip in range(slot.gap + 1):
            if i + skip > len(tokens):
                break
            end = _match_from(rest, tokens, i + skip)
            if end is not None:
                return end
        return None
    for alternative in slot.alternatives:
        n = len(alternative)
        if i + n <= len(tokens) and all(word_matches(tokens[i + k], alternative[k]) for k in range(n)):
            end = _match_from(rest, tokens, i + n)
            if end is not None:
                return end
    if slot.optional:
        return _match_from(rest, tokens, i)
    return None


# Words that make what follows a question about what could happen ("qué hago si me secuestran").
HYPOTHETICAL_WORDS = ("si", "if", "cuando", "when", "whether", "caso", "supongamos", "imagine")
NEGATION_WORDS = ("no", "not", "nunca", "never", "ni")
HYPOTHETICAL_WINDOW = 5  # words before an emergency phrase looked at for HYPOTHETICAL_WORDS
_YEAR = re.compile(r"^(19[5-9]\d|20\d\d)$")
_BEFORE_YEAR = frozenset({"en", "in", "since", "desde", "del", "de", "el", "ano", "year", "from"})
_LAUGHTER = re.compile(r"^(?:[jg][aei]){2,}[jg]?$|^(?:h[ae]){2,}h?$|^(lol|lmao|xd|jk|jsjs)$")


def _word_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(part for word in words for part in _normal_word(word))


@lru_cache(maxsize=1)
def _guards() -> tuple[frozenset[str], frozenset[str], "_Index", "_Index"]:
    long_ago = _Index.build(compile_phrase(p, "long_ago") for p in LONG_AGO_PHRASES)
    calm = _Index.build(compile_phrase(p, "not_urgent") for p in NOT_URGENT_PHRASES)
    return _word_set(HYPOTHETICAL_WORDS), _word_set(NEGATION_WORDS), long_ago, calm


def _any_match(index: "_Index", tokens: list[str]) -> bool:
    return any(next(iter(_starts(p, tokens)), None) is not None for p in index.candidates(tokens))


def _starts(phrase: Phrase, tokens: list[str]) -> Iterable[int]:
    """The starts of every match of the phrase in the tokens."""
    return (i for i in range(len(tokens)) if _match_from(phrase.slots, tokens, i) is not None)


def _long_ago(tokens: list[str]) -> bool:
    """The message dates what it tells to a past year or to years ago ("en 2019", "hace 3 años", "when i was
    a kid"). A number alone is not a year ("piden 2000 de rescate")."""
    this_year = date.today().year
    for i, token in enumerate(tokens):
        if _YEAR.match(token) and int(token) < this_year and i > 0 and tokens[i - 1] in _BEFORE_YEAR:
            return True
    return _any_match(_guards()[2], tokens)


def not_now(text: str) -> bool:
    """The message says what it tells is not happening now: dated years ago, or "no es urgente"."""
    tokens = normal_words(text)
    return _long_ago(tokens) or _any_match(_guards()[3], tokens)


def _counts(phrase: Phrase, tokens: list[str], start: int, long_ago: bool) -> bool:
    """Whether a match at `start` counts. Not when negated ("no me quiero matar"); for an emergency phrase,
    not when it reads as hypothetical ("qué hago si me secuestran"), long past or a joke ("jaja")."""
    hypothetical, negation = _guards()[:2]
    if start > 0 and tokens[start - 1] in negation:
        return False
    if phrase.kind == CRISIS:
        return True
    if any(t in hypothetical for t in tokens[max(0, start - HYPOTHETICAL_WINDOW): start]):
        return False
    return not long_ago and not any(_LAUGHTER.match(t) for t in tokens)


@lru_cache(maxsize=1)
def compiled_phrases() -> tuple[Phrase, ...]:
    crisis = [compile_phrase(p, CRISIS) for p in CRISIS_PHRASES]
    emergency = [compile_phrase(p, EMERGENCY) for p in EMERGENCY_PHRASES]
    return tuple(crisis + emergency)  # crisis first: a message showing both gets the crisis answer


def _variants(word: str) -> set[str]:
    """The word and, from 5 letters, every form with one letter dropped or two neighbours swapped: exactly
    the tokens `word_matches` accepts (for a prefix, the token's beginnings it accepts)."""
    out = {word}
    if len(word) >= 5:
        out |= {word[:i] + word[i + 1:] for i in range(len(word))}
        out |= {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
    return out


@dataclass(frozen=True)
class _Index:
    """Which phrases can possibly match, from the message's words: each phrase is filed under the variants
    of the words of its most selective required slot, so only a handful of phrases are tried per message."""

    exact: dict[str, frozenset[Phrase]]
    prefix: dict[str, frozenset[Phrase]]

    @classmethod
    def build(cls, phrases: Iterable[Phrase]) -> "_Index":
        exact: dict[str, set[Phrase]] = {}
        prefix: dict[str, set[Phrase]] = {}
        for phrase in phrases:
            required = [s for s in phrase.slots if not s.optional and not s.gap]
            # the most selective required slot: the one whose shortest word is longest
            anchor = max(required, key=lambda s: min(len(a[0].rstrip("*")) for a in s.alternatives))
            for alternative in anchor.alternatives:
                first = alternative[0]
                table, word = (prefix, first[:-1]) if first.endswith("*") else (exact, first)
                for key in _variants(word):
                    table.setdefault(key, set()).add(phrase)
        return cls({k: frozenset(v) for k, v in exact.items()}, {k: frozenset(v) for k, v in prefix.items()})

    def candidates(self, tokens: list[str]) -> set[Phrase]:
        found: set[Phrase] = set()
        for token in set(tokens):
            found |= self.exact.get(token, frozenset())
            for end in range(1, len(token) + 1):
                found |= self.prefix.get(token[:end], frozenset())
        return found


@lru_cache(maxsize=1)
def _phrase_index() -> _Index:
    return _Index.build(compiled_phrases())


def matching_phrases(text: str, phrases: Optional[Iterable[Phrase]] = None) -> list[Phrase]:
    """Every phrase that counts in the message, in list order (crisis first)."""
    tokens = normal_words(text)
    if not tokens:
        return []
    if phrases is None:
        candidates = _phrase_index().candidates(tokens)
        phrases = [p for p in compiled_phrases() if p in candidates]
    found = [p for p in phrases if any(True for _ in _starts(p, tokens))]
    if not found:
        return []
    long_ago = _long_ago(tokens)
    return [p for p in found if any(_counts(p, tokens, start, long_ago) for start in _starts(p, tokens))]


def phrase_danger(text: str) -> Optional[str]:
    """"crisis" or "emergency" when a danger phrase counts in the message (crisis wins), else None."""
    found = matching_phrases(text)
    if not found:
        return None
    return CRISIS if any(p.kind == CRISIS for p in found) else EMERGENCY


def shows_immediate_danger(text: str) -> bool:
    """True when the message describes danger happening now (an emergency or a crisis phrase)."""
    return bool(text) and phrase_danger(text) is not None
