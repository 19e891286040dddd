"""Keeping personal data out of logs and analytics.

`redact` removes personal data from free text before it is stored (e.g. the unanswered-questions log):

- phone numbers -> "[teléfono]", e-mail addresses -> "[correo]", self-introduced names ("me llamo ...",
  "my name is ...") -> "[nombre]" (regular expressions, always);
- street-level places -> "[lugar]": street addresses ("5a avenida 3-21 zona 1", "calle Real 23", "123 Main
  Street"), road kilometres ("km 18"), neighbourhoods and villages with their name ("colonia El Milagro",
  "aldea San Juan", "caserío ..."), house, lot and flat numbers ("casa 12", "lote 5", "apto 3B");
- names after a relation or title ("mi hermano Julio César", "la señora Ana López", "don Pedro")
  -> "[nombre]";
- other person names -> "[nombre]": the PER entities of spaCy's Spanish model (es_core_news_sm), except
  greetings the model mistakes for names ("Hola") and names that are places of the gazetteer
  (`bot.language.places`), since departments, municipalities and cities are useful and not personal.

The model is loaded once per process, on first use, with only its NER component. If spaCy or the model cannot
be loaded, `redact` keeps working with the regular expressions alone and logs one warning; it never raises.

`pseudonym` turns a channel's user id (phone number, Telegram id) into a stable keyed pseudonym, so Rasa never
sees the real id.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import threading
from typing import Any

from bot.language.folding import fold

logger = logging.getLogger(__name__)

PHONE_PLACEHOLDER = "[teléfono]"
EMAIL_PLACEHOLDER = "[correo]"
NAME_PLACEHOLDER = "[nombre]"
PLACE_PLACEHOLDER = "[lugar]"
SPACY_MODEL = "es_core_news_sm"

# 7+ digits, optionally with a leading + and spaces, dots or dashes between groups.
_PHONE = re.compile(r"(?<![\w])\+?\d(?:[\s.\-()]*\d){6,}(?![\w])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "me llamo Ana Lucía", "mi nombre es ...", "my name is ...": up to three capitalised or plain words.
_NAME = re.compile(
    r"(?i)\b(me llamo|mi nombre es|my name is|i am called|soy el señor|soy la señora)\s+"
    r"([^\W\d_]+(?:\s+[^\W\d_]+){0,2})"
)
# "mi hermano Julio César", "la señora Ana López": a relation or title, then capitalised words.
_RELATIVE = re.compile(
    r"(?i:\b(?:mi|mis|tu|tus|su|sus|el|la|al|del)\s+(?:hermano|hermana|esposo|esposa|marido|mujer|hijo|hija|"
    r"pap[aá]|mam[aá]|padre|madre|t[ií]o|t[ií]a|primo|prima|sobrino|sobrina|abuelo|abuela|nieto|nieta|novio|"
    r"novia|amigo|amiga|cu[nñ]ado|cu[nñ]ada|suegro|suegra|pareja|patr[oó]n|patrona|jefe|jefa|vecino|vecina|"
    r"se[nñ]or|se[nñ]ora|licenciado|licenciada|abogado|abogada)|\b(?:don|do[nñ]a|sr\.|sra\.|lic\.))"
    r"\s+([A-ZÁÉÍÓÚÑ][a-záéíóúñü]+(?:\s+[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+){0,3})"
)

# --- street-level places -------------------------------------------------------------------------------
_UPPER = "A-ZÁÉÍÓÚÑÜ"
_HOUSE = r"(?:\s*(?:#|[Nn][oº°]\.?)?\s*\d{1,5}(?:\s*-\s*\d{1,4})?[A-Za-z]?\b)"
_ZONE = r"(?:\s*,?\s*(?i:zona)\s+\d{1,2}\b)"
_CONNECTOR = r"(?:(?i:de|del|la|las|los|el)\s+)"
_STREET_WORD = r"(?i:avenida|avda\.?|av\.?|ave\.?|calle|calzada|callej[oó]n|boulevard|bulevar|blvd\.?|diagonal)(?!\w)"
# "5a avenida 3-21 zona 1", "4a. calle 10-20", "12 calle A 5-33 zona 18"
_ORDINAL_STREET = re.compile(
    rf"\b\d{{1,2}}\s*(?i:a|o|ra|da|er|ta|va|ma|na)?\.?\s*{_STREET_WORD}(?:\s+[A-Za-z]\b)?"
    rf"(?:{_HOUSE})?{_ZONE}?"
)
# "calle Real 23", "avenida Las Américas", "calle 5 #12-34", "Calzada Roosevelt km 14"
_NAMED_STREET = re.compile(
    rf"\b{_STREET_WORD}\s+{_CONNECTOR}*(?:[{_UPPER}][\wáéíóúñü]*|\d{{1,3}}\b)"
    rf"(?:\s+{_CONNECTOR}*[{_UPPER}][\wáéíóúñü]*){{0,3}}{_HOUSE}?{_ZONE}?"
)
_ENGLISH_STREET = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?i:street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|way|"
    r"court|ct)\b\.?(?:\s*,?\s*(?i:apt|apartment|unit|#)\s*\w+)?"
)
_KILOMETRE = re.compile(r"(?i)\b(?:km|kil[oó]metro)s?\.?\s*\d{1,3}(?:[.,]\d{1,2})?\b")
_HOUSE_NUMBER = re.compile(
    r"(?i)\b(?:casa|lote|lt|manzana|mz|mza|apartamento|apto|apt|interior|int)\.?\s*"
    r"(?:#|n[oº°]\.?|n[uú]mero)?\s*[a-z]?\d{1,4}[a-z]?\b"
)
_HASH_NUMBER = re.compile(r"#\s*\d{1,3}\s*-\s*\d{1,3}")
_SETTLEMENT = re.compile(
    r"(?i)\b(?:colonia|col\.|aldea|caser[ií]o|cant[oó]n|barrio|residencial(?:es)?|lotificaci[oó]n|condominio|"
    r"asentamiento|parcelamiento)(?=\s)"
)
_NAME_WORD = re.compile(r"\s+([^\W\d_]+|\d{1,4})")
_CONNECTORS = frozenset("de del la las los el san santa santo".split())
# Words that end a settlement name: "en la aldea hay trabajo" keeps "aldea".
_NOT_NAME = frozenset(
    """
    a al ante con contra cuando como donde que quien y o u e pero porque pues si no ni ya muy mas menos tan
    es son era eran fue fueron esta estan estaba estaban hay habia hubo tiene tienen tenia tenian hace hacen
    queda quedan vive viven vivo vivimos estoy estamos llegan llego llegaron dicen dice paso pasa pasan
    me mi mis te tu tus se su sus nos le les lo un una unos unas este esta estos estas ese esa eso esos esas
    aquel aquella mucho mucha muchos muchas poco poca todo toda todos todas otro otra otros otras
    para por en sin sobre desde hasta entre hacia tambien ahi aqui alla aca cerca lejos
    donde cual cuales cuanto cuanta cuantos mismo misma nuevo nueva nuestra nuestro mio mia
    """.split()
)
_VERB_ENDING = re.compile(r"(?:aron|ieron|aban|ando|iendo|ian)$")

# Words the model tags as PER that are not people.
_NOT_PERSON = frozenset(
    "hola holi buenas buenos buen dia dias tardes noches gracias dios senor senora ok oki si saludos "
    "bendiciones brujula jesus cristo amen".split()
)


def _settlement_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _SETTLEMENT.finditer(text):
        end, named, position = match.end(), False, match.end()
        for _ in range(5):
            word = _NAME_WORD.match(text, position)
            if not word:
                break
            token = word.group(1)
            folded = fold(token)
            capitalised = token[0].isupper() or token.isdigit()
            if folded in _CONNECTORS:
                position = word.end()
                continue
            if not capitalised and (folded in _NOT_NAME or _VERB_ENDING.search(folded)):
                break
            named, position, end = True, word.end(), word.end()
        if named:
            tail = re.compile(rf"{_HOUSE}?{_ZONE}?").match(text, end)
            spans.append((match.start(), tail.end() if tail else end))
    return spans


def _address_spans(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for pattern in (_ORDINAL_STREET, _NAMED_STREET, _ENGLISH_STREET, _KILOMETRE,
                                       _HOUSE_NUMBER, _HASH_NUMBER) for m in pattern.finditer(text)]
    return spans + _settlement_spans(text)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _replace(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    for start, end in reversed(_merge(spans)):
        text = text[:start] + placeholder + text[end:]
    return text


# --- spaCy ---------------------------------------------------------------------------------------------
_NLP: Any = None
_NLP_FAILED = False
_NLP_LOCK = threading.Lock()


def _load_model() -> Any:
    from bot.language.places import import_spacy

    spacy = import_spacy()
    nlp = spacy.load(SPACY_MODEL, exclude=["tok2vec", "morphologizer", "parser", "attribute_ruler",
                                          "lemmatizer", "senter"])
    if "ner" not in nlp.pipe_names:
        raise RuntimeError(f"{SPACY_MODEL} has no NER component")
    return nlp


def _model() -> Any:
    """The NER pipeline, loaded once; None (after one warning) when spaCy or the model is unavailable."""
    global _NLP, _NLP_FAILED
    if _NLP is not None or _NLP_FAILED:
        return _NLP
    with _NLP_LOCK:
        if _NLP is None and not _NLP_FAILED:
            try:
                _NLP = _load_model()
            except Exception as error:  # noqa: BLE001 - any failure means: regular expressions only
                _NLP_FAILED = True
                logger.warning("spaCy model %s unavailable (%s); redaction uses regular expressions only",
                               SPACY_MODEL, error)
    return _NLP


def _place_spans(text: str) -> list[tuple[int, int]]:
    try:
        from bot.language.places import place_spans

        return place_spans(text)
    except Exception as error:  # noqa: BLE001 - the gazetteer is an optimisation here, never a failure
        logger.debug("place spans unavailable: %s", error)
        return []


def _is_place(words: str) -> bool:
    spans = _place_spans(words)
    return bool(spans) and spans[0][0] == 0 and spans[-1][1] == len(words)


def _person_spans(text: str, nlp: Any) -> list[tuple[int, int]]:
    doc = nlp(text)
    people = [ent for ent in doc.ents if ent.label_ == "PER" and "[" not in ent.text]
    if not people:
        return []
    places = _place_spans(text)
    spans = []
    for ent in people:
        tokens = [t for t in ent if t.text[:1].isalpha() and fold(t.text) not in _NOT_PERSON
                  and fold(t.text) not in _NOT_NAME]
        if not tokens or not any(t.text[:1].isupper() for t in tokens):
            continue
        if all(any(p_start <= t.idx and t.idx + len(t.text) <= p_end for p_start, p_end in places)
               for t in tokens):
            continue  # departments, municipalities, cities ("Flores Petén"): kept
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        spans.append((start, end))
    return spans


def redact(text: str) -> str:
    """Replace phone numbers, e-mails, person names and street-level places with placeholders."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = _EMAIL.sub(EMAIL_PLACEHOLDER, text)
    text = _PHONE.sub(PHONE_PLACEHOLDER, text)
    text = _replace(text, _address_spans(text), PLACE_PLACEHOLDER)
    text = _NAME.sub(lambda m: f"{m.group(1)} {NAME_PLACEHOLDER}", text)
    text = _replace(text, [m.span(1) for m in _RELATIVE.finditer(text) if not _is_place(m.group(1))],
                    NAME_PLACEHOLDER)
    nlp = _model()
    if nlp is None:
        return text
    try:
        return _replace(text, _person_spans(text, nlp), NAME_PLACEHOLDER)
    except Exception as error:  # noqa: BLE001 - redaction must never fail; the regex result stands
        logger.warning("spaCy redaction failed (%s); regular expressions only for this text", error)
        return text


def warm_up() -> bool:
    """Load the redaction model now (e.g. at process start) instead of on the first message; True if loaded."""
    return _model() is not None


def pseudonym(secret: str, channel: str, user_id: str) -> str:
    """Stable, keyed, non-reversible sender id for a channel user (HMAC-SHA256, 32 hex chars)."""
    digest = hmac.new(secret.encode(), f"{channel}:{user_id}".encode(), hashlib.sha256)
    return f"{channel}-{digest.hexdigest()[:32]}"
