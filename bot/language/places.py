"""Where a person says they are: "Estoy en Huehuetenango", "ando en tapachula", "I'm in El Paso".

`find_place(text)` returns a `Place` (name, kind, department or state, country, approximate coordinates and
their precision) or None. The names come from the gazetteer in `content/places/` (every row has its source;
see `content/places/README.md`): Guatemala's 22 departments and 340 municipalities, the main cities on the
route through Mexico and at both sides of the border, and a few sourced aliases ("Xela", "Guate", "Juárez").

How it works: a blank spaCy `es` pipeline with an `EntityRuler` whose phrase patterns are the folded names
(`bot.language.folding.fold`: lower case, no accents), run on the folded message, so "Cobán", "coban" and
"COBAN" are the same and multi-word names ("ciudad juarez", "san pedro la laguna") match as one span. The
longest name wins where names overlap ("Nuevo Laredo" over "Laredo", "Santa Cruz del Quiché" over "Quiché").
Nothing is downloaded; the pipeline is built once per process, on first use.

Coordinates: a department or a municipality gets its department capital's coordinates (precision
"department"), except a municipality that *is* the department capital (Cobán, Flores, Guatemala...), whose
coordinates are its own (precision "city"); cities abroad have their own (precision "city").

Rules, in order (predictable on purpose; tests in tests/bot/test_places.py):

1. Qualifiers. A department, state or country written right after a name ("San José, Petén", "Nogales
   Arizona", "El Paso Texas", "Mixco, Guatemala") narrows that name to the places it fits and is not itself
   taken as the place. A region named elsewhere in the message narrows ambiguous names the same way.
2. Common words. Names made only of everyday words, first names, surnames or saints' names ("Flores",
   "La Libertad", "Concepción", "El Paso", "Del Rio", "San José", "Morales", "Esquipulas"...; see
   `is_common_name`) count only when (a) a location cue comes right before them ("estoy en", "ando en",
   "vivo en", "soy de", "vengo de", "voy a", "cerca de", "municipio de", "I'm in", "from"...) and the name
   ends the phrase (end of message, punctuation, "y", "con", "pero", a gerund...), or (b) a qualifier follows
   them, or (c) the message is little more than the name ("Flores", "en La Libertad, Petén"). Distinctive
   names (Huehuetenango, Mixco, Tapachula, Ciudad Juárez) count anywhere.
3. "Guatemala" (and "Guate") alone is the country, not a place ("mandar pisto a Guate", "salir de
   Guatemala"), unless it follows a presence cue ("estoy en / vivo en Guatemala", "I'm in Guatemala", "ando en
   Guate") or a place noun ("departamento de", "zona 1 de", "cerca de"); then "Guatemala" is the department
   of Guatemala (coordinates: the capital's) and "Guate" the capital. "Ciudad de Guatemala" and "Guatemala
   City" are always the capital.
4. A name that is both a department and a municipality (Huehuetenango, Quetzaltenango, El Progreso, San
   Marcos...) is the department.
5. A name shared by places in different countries ("San Diego": Zacapa and California; "Nogales": Sonora and
   Arizona) goes to Guatemala first, then Mexico, then the United States, unless a qualifier says otherwise.
6. A name shared by municipalities of different departments ("San José": Escuintla and Petén; "La
   Libertad", "La Democracia", "Santa Bárbara", "San Lorenzo", "San Pedro Sacatepéquez") with no qualifier
   is not resolved: `find_place` returns None rather than guess (the caller can ask for the department).
7. Several places in one message: one after a presence cue ("estoy en", "I'm in") wins, then one with no cue,
   then origins and destinations ("soy de", "voy a"); ties go to the first mentioned.
"""
from __future__ import annotations

import csv
import logging
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from bot.language.folding import fold

logger = logging.getLogger(__name__)

PLACES_DIR = Path(__file__).resolve().parents[2] / "content" / "places"
COUNTRY_ORDER = ("GT", "MX", "US")

# Words that make a name "common" (rule 2): everyday words, first names, surnames, saints, foreign places.
_FUNCTION_WORDS = frozenset("el la los las de del y san santa santo".split())
_COMMON_WORDS = frozenset(
    """
    flores concepcion libertad democracia union reforma esperanza progreso paso rio cruces dolores morales
    granados pastores palencia zaragoza jerez genova oratorio casillas monjas cabanas esquipulas blanca
    gomera quetzal adelanto palmar tejar chal amates nogales juarez acuna matamoros saltillo palenque phoenix
    morazan livingston quesada agua blanco bravo hondo piedras negras nuevo nueva pueblo laguna golfo villa
    nueva canales vieja antigua milpas altas aguas calientes duenas paz minas arada ermita rodeo pie cuesta
    palo gordo naranjo lima vinas visitacion idolo maquina bautista independencia tinta tactic chiche canilla
    quiche palestina altos seca casas rosa cruz maria jesus chaparron
    """.split()
)
_FIRST_NAMES = frozenset(
    """
    jose diego antonio luis andres benito jorge pablo lorenzo sebastian mateo felipe gabriel bernardino barbara
    ana francisco bartolo bartolome jacinto jeronimo marcos pedro juan miguel lucas cristobal carlos manuel
    martin rafael vicente raymundo lucia catarina clara tomas domingo agustin gaspar ildefonso eulalia
    apolonia magdalena fray asuncion
    """.split()
)
_EXTRA_COMMON_NAMES = frozenset({"ciudad vieja"})

# Location cues, matched at the end of the folded text before a name (rule 2 and rule 7).
_PRESENCE = re.compile(
    r"(?:\b(?:estoy|estamos|esta|estan|ando|andamos|anda|andan|vivo|vivimos|vive|viven|quedo|quede|quedamos|"
    r"sigo|seguimos|trabajo|trabajamos|llegue|llegamos|encuentro|encontramos|aqui|aca|ahorita|ahora)\s+(?:en|a)|"
    r"\b(?:i'?m|i\s+am|we'?re|we\s+are|i\s+live|we\s+live|staying|stuck|currently|living|arrived|now|here)"
    r"\s+(?:in|at))\s*$"
)
_ORIGIN = re.compile(
    r"(?:\b(?:soy|somos|vengo|venimos|viene|vienen|sali|salimos|salgo|regrese|regresamos|originario|originaria|"
    r"nativo|nativa)\s+de|\b(?:i'?m|i\s+am|we'?re|we\s+are|come|came|coming)\s+from|\bdesde|\bfrom)\s*$"
)
_DESTINATION = re.compile(
    r"(?:\b(?:voy|vamos|va|van|ir|ire|iremos|llegar|viajar|viajo|viajamos|rumbo|camino|regresar|volver|cruzar|"
    r"irme|irnos)\s+(?:a|para|hacia|hasta)|\bhacia|\bhasta|\b(?:going|go|headed|heading|travel|traveling|moving|get)"
    r"\s+to)\s*$"
)
_NEAR = re.compile(
    r"(?:\b(?:ciudad|municipio|departamento|depto|pueblo|cerca|cerquita|zona\s+\d{1,2})\s+(?:de|del)|"
    r"\b(?:near|city\s+of|town\s+of|close\s+to))\s*$"
)
_FOLLOW_OK = frozenset(
    """
    y e pero con ahorita ahora hoy ya todavia aun desde hace porque pues entonces por para mas and but with now
    today right still since because so for here aqui aca
    """.split()
)
_FILLER = frozenset(
    """
    hola buenas buenos dias tardes noches estoy estamos ando andamos vivo vivimos en de soy somos aqui aca
    ahorita ahora desde cerca hi hello i'm im i am we're we are in at from near the now here
    """.split()
)
_GERUND = re.compile(r"(?:ando|iendo|yendo)$")
_QUALIFIER_GAP = re.compile(r"\s*(?:,|-|/|\(|\bde\b|\bdel\b|\ben\b)?\s*")
_WORD = re.compile(r"[a-z0-9']+")
_APOSTROPHES = frozenset("\u2019\u2018`\u00b4")

# Regions that only qualify names (rule 1): countries, Mexican and US states, abbreviations.
_REGIONS: dict[str, str] = {
    "guatemala": "guatemala", "mexico": "mexico", "estados unidos": "estados unidos", "eeuu": "estados unidos",
    "ee uu": "estados unidos", "usa": "estados unidos", "united states": "estados unidos",
    "chiapas": "chiapas", "tabasco": "tabasco", "veracruz": "veracruz", "oaxaca": "oaxaca",
    "nuevo leon": "nuevo leon", "tamaulipas": "tamaulipas", "coahuila": "coahuila", "chihuahua": "chihuahua",
    "sonora": "sonora", "baja california": "baja california", "texas": "texas", "tx": "texas",
    "arizona": "arizona", "az": "arizona", "california": "california", "new mexico": "new mexico",
    "nuevo mexico": "new mexico", "cdmx": "ciudad de mexico",
}
_COUNTRY_NAMES = {"GT": "guatemala", "MX": "mexico", "US": "estados unidos"}
_COUNTRY_WORDS = frozenset({"guatemala", "guate"})  # rule 3: also the country


@dataclass(frozen=True)
class Place:
    """A place named in a message, with approximate coordinates.

    `department` is the Guatemalan department (for a department, its own name) or, abroad, the state.
    `precision` says what the coordinates stand for: "city" (the place itself) or "department" (the capital
    of the place's department, for municipalities other than the capital).
    """

    name: str
    kind: str  # "department" | "municipality" | "city"
    department: str
    country: str  # "GT" | "MX" | "US"
    latitude: float
    longitude: float
    precision: str  # "department" | "city"


@dataclass
class _Mention:
    key: str
    start: int
    end: int
    candidates: list[Place]
    is_region: bool = False
    regions: set[str] = field(default_factory=set)
    qualified: bool = False
    consumed: bool = False


def is_common_name(key: str) -> bool:
    """True when a folded name is made only of everyday words or personal/saints' names (rule 2)."""
    if key in _EXTRA_COMMON_NAMES:
        return True
    tokens = key.split()
    content = [t for t in tokens if t not in _FUNCTION_WORDS]
    return all(t in _COMMON_WORDS or t in _FIRST_NAMES for t in content) and bool(tokens)


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if any(row.values())]


class Gazetteer:
    """The places of content/places/ and the spaCy pipeline that finds their names in folded text."""

    def __init__(self, places_dir: Path = PLACES_DIR) -> None:
        self.places: list[Place] = []
        self.index: dict[str, list[Place]] = {}
        capitals: dict[str, tuple[str, float, float]] = {}
        for row in _read_tsv(places_dir / "departments.tsv"):
            lat, lon = float(row["latitude"]), float(row["longitude"])
            capitals[row["department"]] = (row["capital"], lat, lon)
            self._add(Place(row["department"], "department", row["department"], "GT", lat, lon, "department"))
        for row in _read_tsv(places_dir / "guatemala.tsv"):
            capital, lat, lon = capitals[row["department"]]
            precision = "city" if fold(capital) == fold(row["municipality"]) else "department"
            self._add(Place(row["municipality"], "municipality", row["department"], "GT", lat, lon, precision))
        for row in _read_tsv(places_dir / "border_cities.tsv"):
            self._add(Place(row["city"], "city", row["state"], row["country"], float(row["latitude"]),
                            float(row["longitude"]), "city"))
        for row in _read_tsv(places_dir / "aliases.tsv"):
            targets = [p for p in self.index.get(fold(row["name"]), [])
                       if p.kind == row["kind"] and fold(p.department) == fold(row["region"])]
            if len(targets) != 1:
                raise ValueError(f"alias {row['alias']!r}: no single {row['kind']} {row['name']!r}")
            self.index.setdefault(fold(row["alias"]), []).append(targets[0])
        self.nlp = self._pipeline()

    def _add(self, place: Place) -> None:
        self.places.append(place)
        self.index.setdefault(fold(place.name), []).append(place)

    def _pipeline(self) -> Any:
        spacy = import_spacy()
        nlp = spacy.blank("es")
        ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
        patterns = [{"label": "PLACE", "pattern": key, "id": key} for key in self.index]
        patterns += [{"label": "REGION", "pattern": key, "id": key} for key in _REGIONS if key not in self.index]
        ruler.add_patterns(patterns)
        return nlp

    def mentions(self, folded: str) -> list[_Mention]:
        found = []
        for ent in self.nlp(folded).ents:
            key = ent.ent_id_ or ent.text
            if ent.label_ == "REGION":
                found.append(_Mention(key, ent.start_char, ent.end_char, [], True, {key, _REGIONS[key]}))
            else:
                candidates = list(self.index.get(key, []))
                regions = {key} | {fold(p.name) for p in candidates if p.kind == "department"}
                regions |= {_REGIONS[key]} if key in _REGIONS else set()
                found.append(_Mention(key, ent.start_char, ent.end_char, candidates, False, regions))
        return found


def import_spacy() -> Any:
    """Import spaCy without letting thinc import TensorFlow (seconds and hundreds of MB we do not need).

    thinc probes for TensorFlow at import time; when the process has not loaded TensorFlow itself (the action
    server), the probe is answered "not installed". A process that already uses TensorFlow (Rasa) is untouched.
    """
    with _IMPORT_LOCK:  # two threads' first answers at once: one imports, the other waits for the whole module
        if "spacy" in sys.modules:
            import spacy  # waits if another thread is still initialising it (sys.modules has it half-made)

            return spacy
        blocked = "tensorflow" not in sys.modules
        if blocked:
            sys.modules["tensorflow"] = None  # type: ignore[assignment]
        try:
            import spacy
        finally:
            if blocked and sys.modules.get("tensorflow", 0) is None:
                del sys.modules["tensorflow"]
        return spacy


_IMPORT_LOCK = threading.Lock()


_GAZETTEER: Optional[Gazetteer] = None
_LOCK = threading.Lock()


def gazetteer() -> Gazetteer:
    """The process-wide gazetteer, built on first use."""
    global _GAZETTEER
    if _GAZETTEER is None:
        with _LOCK:
            if _GAZETTEER is None:
                _GAZETTEER = Gazetteer()
    return _GAZETTEER


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """`fold(text)` and, for each character of the result, the index of the original character."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text or ""):
        folded = "'" if char in _APOSTROPHES else fold(char)
        chars.append(folded)
        origin.extend([index] * len(folded))
    return "".join(chars), origin


def place_spans(text: str) -> list[tuple[int, int]]:
    """Character spans (in `text`) of every gazetteer or region name, whatever the context (for redaction)."""
    folded, origin = fold_with_offsets(text)
    if not folded:
        return []
    return [(origin[m.start], origin[m.end - 1] + 1) for m in gazetteer().mentions(folded) if m.end > m.start]


def _qualifier_names(place: Place) -> set[str]:
    names = {_COUNTRY_NAMES[place.country]}
    if place.kind != "department":
        names.add(fold(place.department))
    return names


def _fits(place: Place, regions: Iterable[str]) -> bool:
    return bool(_qualifier_names(place) & set(regions))


def _cue(prefix: str) -> Optional[str]:
    if _PRESENCE.search(prefix):
        return "presence"
    if _NEAR.search(prefix):
        return "near"
    if _ORIGIN.search(prefix):
        return "origin"
    if _DESTINATION.search(prefix):
        return "destination"
    return None


def _ends_phrase(folded: str, end: int) -> bool:
    rest = folded[end:]
    if not rest.strip() or re.match(r"\s*[^\w\s']", rest):
        return True
    word = _WORD.match(rest.lstrip())
    return bool(word) and (word.group() in _FOLLOW_OK or bool(_GERUND.search(word.group())))


def _link_qualifiers(folded: str, mentions: list[_Mention]) -> None:
    for current, following in zip(mentions, mentions[1:], strict=False):
        if current.is_region or current.consumed:
            continue
        if not _QUALIFIER_GAP.fullmatch(folded[current.end:following.start]):
            continue
        fitting = [p for p in current.candidates if _fits(p, following.regions)]
        if fitting:
            current.candidates = fitting
            current.qualified = True
            following.consumed = True


def _resolve(candidates: list[Place]) -> Optional[Place]:
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    departments = [p for p in candidates if p.kind == "department"]
    if departments:
        return departments[0]
    best_country = min(COUNTRY_ORDER.index(p.country) for p in candidates)
    remaining = [p for p in candidates if COUNTRY_ORDER.index(p.country) == best_country]
    return remaining[0] if len(remaining) == 1 else None


def find_place(text: str) -> Optional[Place]:
    """The place a message says the person is in (or, failing that, names), or None; see the module rules."""
    folded, _ = fold_with_offsets(text)
    if not folded.strip():
        return None
    mentions = gazetteer().mentions(folded)
    _link_qualifiers(folded, mentions)
    words = _WORD.findall(folded)
    ranked: list[tuple[int, int, Optional[Place]]] = []
    for mention in mentions:
        if mention.is_region or mention.consumed:
            continue
        prefix = folded[:mention.start]
        cue = _cue(prefix)
        if mention.key in _COUNTRY_WORDS and not mention.qualified:
            if cue not in ("presence", "near"):
                continue  # rule 3: the country
        elif is_common_name(mention.key) and not mention.qualified:
            covered = set(_WORD.findall(folded[mention.start:mention.end]))
            short = len(words) <= 6 and all(w in covered or w in _FILLER for w in words)
            if not short and not (cue and _ends_phrase(folded, mention.end)):
                continue  # rule 2: an everyday word here
        candidates = mention.candidates
        if len(candidates) > 1:
            elsewhere = set().union(*(m.regions for m in mentions if m is not mention))
            fitting = [p for p in candidates if _fits(p, elsewhere)]
            candidates = fitting or candidates
        rank = {"presence": 0, "near": 1, None: 1}.get(cue, 2)
        ranked.append((rank, mention.start, _resolve(candidates)))
    if not ranked:
        return None
    return min(ranked, key=lambda item: (item[0], item[1]))[2]


__all__ = ["Gazetteer", "PLACES_DIR", "Place", "find_place", "fold_with_offsets", "gazetteer", "import_spacy",
           "is_common_name", "place_spans"]
