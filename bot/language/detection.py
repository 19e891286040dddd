"""Which language to answer in: Spanish (default) or English.

Detection is deliberately simple and predictable: count common function words of each language. Only a
clear majority switches language, so short or mixed messages ("visa h2b?", "ok") keep the current one.
"""
from __future__ import annotations

import re
from typing import Optional

from bot.language.folding import fold

SUPPORTED = ("es", "en")

_SPANISH = set(
    """
    a al algo alla aqui aca ahi como con cual cuando cuanto cuanta de del donde el ella ellos en entre era
    es esa ese eso esta estan estas este esto estoy fue hay hacer hago la las le les lo los mas me mi mis
    muy nada ni no nos o para pa pero por porque puedo pueden puede q que quien quiero se ser si sin sobre
    son soy su sus tambien tengo tiene tienen todo un una uno unos usted ustedes voy xq ya yo hola buenas
    gracias necesito ayuda trabajo trabajar visa pais papeles mio hijo hija esposo esposa cuesta cobran
    """.split()
)
_ENGLISH = set(
    """
    a about am an and any are as at be been but by can could do does did for from get got have has he her
    him his how i if im in is it its me my no not of on or our please she should so than that the their
    them there they this to want was we what when where which who why will with would you your hi hello
    thanks thank work job need help money country family wife husband son daughter
    """.split()
)
_WORD = re.compile(r"[a-z']+")


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def detect_language(text: str) -> Optional[str]:
    """'es' or 'en' when the text clearly is that language, else None."""
    if not text or text.startswith("/"):
        return None
    if any(ch in text for ch in "ñ¿¡áéíóú"):
        return "es"
    words = _words(text)
    es = sum(w in _SPANISH for w in words)
    en = sum(w in _ENGLISH for w in words)
    # "a", "me", "no" are in both lists; require a margin.
    if en >= 2 and en > 2 * es:
        return "en"
    if es >= 2 and es > 2 * en:
        return "es"
    if len(words) <= 3:
        if en > es and en >= 1 and not es:
            return "en" if any(w in _ENGLISH - _SPANISH for w in words) else None
        if es > en and es >= 1 and not en:
            return "es" if any(w in _SPANISH - _ENGLISH for w in words) else None
    return None


def requested_language(text: str) -> Optional[str]:
    """Language named in a switch request ("English", "en español por favor"), if any."""
    words = set(_words(text))
    if words & {"english", "ingles", "inglish", "engl"}:
        return "en"
    if words & {"espanol", "spanish", "castellano", "espaniol"}:
        return "es"
    return None


# Mayan languages of Guatemala by the names people write (folded, without apostrophes): the matcher below
# offers the language menu for them, without retraining the classifier.
MAYAN_NAMES = {
    "quc": {"kiche", "quiche", "kiiche"},
    "mam": {"mam"},
    "kek": {"qeqchi", "kekchi", "qekchi", "quekchi"},
}
# Greetings in those languages, folded and without apostrophes or spaces ("Ma sa laa ch'ool" and "ma sa laach'ool"
# are both "masalaachool"), so a greeting in a Mayan language also offers the language menu. Only greetings found
# written on a public page are listed, none guessed; every form is a whole run of words, never a Spanish word.
# Sources, read 2026-11-29:
#   quc: https://lanoj.com/lessons/greetings "El saludo" (Saqirik, Xeq'ij, Xokaq'ab', La utz awach?,
#        La utz wach la?); https://tzij.coerll.utexas.edu/es/leccion-3/ "Tïjonïk 3 Rutzil wachaj (Saludos)"
#        (Saqirik!, Xb'e q'ij!, Xok aq'ab'!); https://popol-mayab.org/2015/09/06/in-lakech/ "In lak'ech o los
#        saludos mayas" (¿La utz wach lal?, ¿Jas kub'ij k'ux la?, ¿Jas b'anom lal?).
#   mam: http://sarainguate.blogspot.com/2007/11/mam.html "Mam" (Se'nta'ye, ¿Cómo está?);
#        https://mexicanisimo.com.mx/2018/02/dia-internacional-la-lengua-materna/amp "Día Internacional de la
#        Lengua Materna", data from INALI (B'ants q'ij, hola o buenos días).
#   kek: https://ja.scribd.com/document/385907162/Li-Sahil-ch "Li Sahil ch'oolejil" (chan xawil, ma sa laa ch'ool,
#        ma sa laach'ool, chan xeril, ma sa leech'ool); popol-mayab.org above (¿Ma sa sa' lach'ool laa'at?);
#        https://panamericangladiators.blogspot.com/2015/02/ma-sa-laachool-guatemala.html (Ma sa laach'ool).
MAYAN_GREETINGS = {
    "quc": {"saqirik", "xeqij", "xbeqij", "xokaqab", "lautzawach", "lautzwachla", "lautzwachlal",
            "jaskubijkuxla", "jasbanomlal"},
    "mam": {"sentaye", "bantsqij"},
    "kek": {"chanxawil", "chanxeril", "masalaachool", "masaleechool", "masasalachoollaaat"},
}
_LONGEST_GREETING_WORDS = 5  # "ma sa sa' lach'ool laa'at"
MAYAN_ANY = "maya"  # "idioma maya", "hablo maya": a Mayan language, not which one
_MAX_WORDS_NAMING_A_LANGUAGE = 6
# Straight, curly and accent apostrophes, and the modifier letter apostrophe of Mayan orthography ("qʼij").
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")


def _greeted_language(words: list[str]) -> Optional[str]:
    """The code of the Mayan language whose greeting is a run of these words, spaces ignored, else None."""
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + _LONGEST_GREETING_WORDS) + 1):
            joined = "".join(words[start:end])
            for code, greetings in MAYAN_GREETINGS.items():
                if joined in greetings:
                    return code
    return None


def named_mayan_language(text: str) -> Optional[str]:
    """The code of the Mayan language a short message names ("k'iche'", "hablo quiché", "kekchi") or greets in
    ("Saqirik", "ma sa laa ch'ool"), MAYAN_ANY for "idioma maya", else None."""
    if not text or text.startswith("/"):
        return None
    # Apostrophes go before folding: NFKD turns "´" into a space plus an accent, which would split "q´eqchi´".
    found = re.findall(r"[a-z]+", fold(_APOSTROPHES.sub("", text)))
    if not found or len(found) > _MAX_WORDS_NAMING_A_LANGUAGE:
        return None
    for code, names in MAYAN_NAMES.items():
        if names & set(found):
            return code
    greeted = _greeted_language(found)
    if greeted:
        return greeted
    return MAYAN_ANY if {"maya", "mayas", "mayense"} & set(found) else None
