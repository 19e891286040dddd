"""The recruiter register: recruitment agencies as staff found them in an official list, and the bot's check
of an agency named in a message.

    register = RecruiterRepository(url)
    register.create({"name": ..., "status": "authorised", "source_url": ..., "checked_on": "2026-01-31"}, actor="ana")
    register.check("¿la agencia Empleos Ficticios es legal?")   # RecruiterMatch(recruiter, score) or None
    named_agency("is agency Foo Bar legit?")                    # "Foo Bar": the name the person wrote

Entries are never invented: each row names the official source it was read from (`source_url`) and the day a
person checked it (`checked_on`). The status is "authorised" only when that source says so.

Starting content: the register ships EMPTY. No public official list of agencies authorised to recruit
Guatemalan workers was found (2026): MINTRAB keeps an electronic register of recruiters (Acuerdo Gubernativo
50-2022) but publishes no list or lookup, and the U.S. Department of Labor's "Foreign Labor Recruiter List"
names the recruiters employers declared, stating that it does not endorse or vouch for them, so it cannot
mark anyone as authorised. Staff fill the register from the console (one by one or by CSV import).

CSV format (UTF-8, comma-separated, header row first; error reports count the header as row 1):

    name,licence_number,status,source_url,checked_on,notes
    Agencia Ejemplo S.A.,REG-000,authorised,https://www.mintrabajo.gob.gt/...,2026-01-31,

    name            the agency's name as the source writes it (required)
    licence_number  registration or licence number in that source (optional)
    status          authorised | suspended | fraudulent   ("reported as fraudulent")
    source_url      http(s) address of the official source the row was read from (required)
    checked_on      YYYY-MM-DD, the day a person checked the source (required, not in the future)
    notes           for staff (optional)

Import is all or nothing: every row is checked first, and one bad row (or a name twice in the file) imports
nothing and names the row. A row whose name (folded: case and accents ignored) is already in the register
updates that entry; other rows create entries. Every change is audited in its own transaction.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import asdict, dataclass
from typing import Any, Optional

from rapidfuzz import fuzz
from sqlalchemy import select

from bot.content.registers import Problem, RegisterError, validated_rows
from bot.db import session_scope
from bot.language import fold
from bot.staff import audit
from bot.staff.models import RECRUITER_STATUSES, Recruiter

CSV_COLUMNS = ("name", "licence_number", "status", "source_url", "checked_on", "notes")
REQUIRED = ("name", "status", "source_url", "checked_on")
URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.IGNORECASE)
# A name typed after one of these words is the agency the person asks about.
TRIGGERS = {"agencia", "agencias", "reclutador", "reclutadora", "reclutadores", "empresa", "agency", "recruiter",
            "reclutamiento"}
# Words between the trigger and the name ("la agencia de empleo llamada X", "the recruitment agency X").
FILLERS = {"la", "el", "los", "las", "llamada", "llamado", "called", "named", "the", "a", "an", "agency", "agencia",
           "empresa", "reclutadora", "reclutador", "intermediaria", "intermediario", "privada", "privado",
           "recruitment", "recruiting", "employment", "extranjera", "extranjero", "internacional", "oficial",
           "falsa", "falso", "fraudulenta", "fraudulento", "supuesta", "supuesto", "nueva", "nuevo", "fake",
           "foreign", "private", "official", "new", "«", '"'}
# Generic nouns skipped after "de" / "of" ("agencia de empleo X").
AFTER_DE = {"empleo", "empleos", "trabajo", "trabajos", "reclutamiento", "colocacion", "recruitment", "employment"}
# Words that end the name ("la agencia X es legal", "is agency X legit").
STOPS = {"es", "esta", "son", "sea", "seria", "era", "fue", "is", "are", "was", "legit", "legal", "legales",
         "autorizada", "autorizado", "registrada", "registrado", "real", "confiable", "segura", "para", "por",
         "en", "con", "y", "o", "pero", "me", "le", "les", "nos", "te", "a", "al", "que", "si", "no", "for", "to",
         "in", "with", "and", "or", "my", "asks", "wants", "pide", "piden", "cobra", "cobran", "quiere",
         "ofrece", "dice", "tiene", "trustworthy", "safe", "authorised", "authorized", "registered", "ok",
         "verdad", "una", "un", "estafa", "scam", "fraud", "fraude", "from", "charges", "charging", "se", "lo",
         "q", "k", "x", "pa", "xq", "porque", "pq", "dicen", "existe", "exists", "funciona", "sirve",
         "must", "should", "can", "may", "will", "has", "have", "does", "do", "puede", "pueden", "debe", "deben"}
MAX_NAME_WORDS = 5
NAME_MIN_SCORE = 88.0  # the name the person typed against a registered name
TEXT_MIN_SCORE = 92.0  # a registered name found inside the message without a trigger word
MIN_KEY_LENGTH = 4
DISTINCT_LENGTH = 10  # a one-word name this long is distinctive enough to be found without "agencia" before it
# Legal forms and generic words that do not tell agencies apart.
_GENERIC = re.compile(r"\b(s\.? ?a\.?|s\.? de r\.? ?l\.?|ltda|inc|llc|corp|agencia|empresa|agency|de|del|la|el|"
                      r"the|y|and)\b")
# Words, and the punctuation that ends a name (a comma, a question mark...).
_TOKEN = re.compile(r"[\w&'.\-]+|[,;:!?¿¡()\"«»]", re.UNICODE)
# "... es legal?", "... legit?": what people ask about an agency; a lower-case name counts only before these.
_BE = {"es", "esta", "son", "sea", "is", "are"}
_ARTICLES = {"una", "un", "a", "de"}
_LEGIT = {"legal", "legales", "confiable", "confiables", "real", "autorizada", "autorizado", "registrada",
          "registrado", "legit", "legitimate", "registered", "authorised", "authorized", "trustworthy", "estafa",
          "fraude", "scam", "fraud", "verdad", "confianza", "seria", "safe"}


@dataclass(frozen=True)
class RecruiterView:
    id: int
    name: str
    licence_number: Optional[str]
    status: str
    source_url: str
    checked_on: dt.date
    notes: str
    active: bool


@dataclass(frozen=True)
class RecruiterMatch:
    recruiter: RecruiterView
    score: float


def name_key(name: str) -> str:
    """The folded name used to match and to find duplicates: "Agencia Sol, S.A." -> "agencia sol s a"."""
    return " ".join(re.sub(r"[^\w]", " ", fold(name or "")).split())


def _core(name: str) -> str:
    """A folded name without legal forms and generic words, for fuzzy comparison."""
    key = re.sub(r"[^\w&\s]", " ", fold(name or ""))
    return " ".join(_GENERIC.sub(" ", key).split())


def _asks_if_legit(folded: list[str], position: int) -> bool:
    """True when the words from `position` ask whether it is legal ("es legal", "es una estafa", "legit")."""
    words = folded[position:position + 3]
    if words and words[0] in _BE:
        words = words[1:]
    if words and words[0] in _ARTICLES:
        words = words[1:]
    return bool(words) and words[0] in _LEGIT


def named_agency(text: str) -> Optional[str]:
    """The agency name a message gives after "agencia", "reclutador(a)", "empresa", "agency", "recruiter"
    (as typed, up to five words), or None. The name must look like one: written with a capital letter
    ("la agencia Sol Naciente me pide dinero"), or followed by the question whether it is legal
    ("is agency sol naciente legit?"). Descriptions ("la agencia falsa", "a recruiter asked me") are not names."""
    tokens = _TOKEN.findall(text or "")
    folded = [fold(t).strip(".'-") for t in tokens]
    for index, word in enumerate(folded):
        if word not in TRIGGERS:
            continue
        position = index + 1
        while position < len(tokens):
            if folded[position] in FILLERS:
                position += 1
            elif folded[position] in ("de", "of") and position + 1 < len(tokens) and folded[position + 1] in AFTER_DE:
                position += 2
            elif folded[position:position + 3] == ["que", "se", "llama"]:
                position += 3
            else:
                break
        if position < len(tokens) and folded[position] in ("de", "del", "of", "from"):
            continue  # "el reclutador de Canadá": a place or a person, not a name we can look up
        start = position
        name: list[str] = []
        while (position < len(tokens) and len(name) < MAX_NAME_WORDS and folded[position] not in STOPS
               and folded[position] not in _LEGIT and (folded[position][:1].isalnum() or folded[position] == "")):
            name.append(tokens[position])
            position += 1
        candidate = " ".join(name).strip(" .'-")
        if not candidate or not _core(candidate):
            continue
        if tokens[start][:1].isupper() or _asks_if_legit(folded, position):
            return candidate
    return None


def _view(row: Recruiter) -> RecruiterView:
    return RecruiterView(row.id, row.name, row.licence_number, row.status, row.source_url, row.checked_on,
                         row.notes or "", bool(row.active))


def clean(values: dict[str, Any], row: int = 0, today: Optional[dt.date] = None) -> tuple[dict[str, Any],
                                                                                      list[Problem]]:
    """Check and convert one entry's fields (from a form or a CSV row)."""
    today = today or dt.date.today()
    problems: list[Problem] = []

    def text(column: str) -> str:
        return str(values.get(column) or "").strip()

    def bad(column: str, code: str, value: str = "") -> None:
        problems.append(Problem(row, column, code, value[:80]))

    out: dict[str, Any] = {"name": text("name"), "licence_number": text("licence_number") or None,
                           "status": text("status").lower(), "source_url": text("source_url"),
                           "notes": text("notes")}
    for column in REQUIRED:
        if not text(column):
            bad(column, "required")
    if out["name"] and not name_key(out["name"]):
        bad("name", "required")
    if out["status"] and out["status"] not in RECRUITER_STATUSES:
        bad("status", "unknown_status", out["status"])
    if out["source_url"] and not URL.match(out["source_url"]):
        bad("source_url", "bad_url", out["source_url"])
    if text("checked_on"):
        try:
            checked = dt.date.fromisoformat(text("checked_on"))
        except ValueError:
            bad("checked_on", "bad_date", text("checked_on"))
        else:
            if checked > today:
                bad("checked_on", "future_date", text("checked_on"))
            out["checked_on"] = checked
    out["name_key"] = name_key(out["name"])
    return out, problems


def _record(view: RecruiterView) -> dict[str, Any]:
    return audit.jsonable({k: v for k, v in asdict(view).items() if k != "id"})


class RecruiterRepository:
    def __init__(self, database_url: Optional[str] = None) -> None:
        self._url = database_url

    def list(self, status: Optional[str] = None, active: Optional[bool] = None,
             name: Optional[str] = None) -> list[RecruiterView]:
        """By name; `name` keeps the entries whose folded name contains the folded text."""
        with session_scope(self._url) as s:
            query = select(Recruiter).order_by(Recruiter.name_key)
            if status:
                query = query.where(Recruiter.status == status)
            if active is not None:
                query = query.where(Recruiter.active.is_(active))
            if name and name_key(name):
                query = query.where(Recruiter.name_key.contains(name_key(name)))
            return [_view(r) for r in s.scalars(query)]

    def get(self, recruiter_id: int) -> Optional[RecruiterView]:
        with session_scope(self._url) as s:
            row = s.get(Recruiter, recruiter_id)
            return _view(row) if row is not None else None

    def save(self, values: dict[str, Any], actor: str, recruiter_id: Optional[int] = None) -> RecruiterView:
        """Create an entry (no id) or edit entry `recruiter_id`. Names are unique (case and accents ignored)."""
        data, problems = clean(values)
        if problems:
            raise RegisterError(problems)
        with session_scope(self._url) as s:
            same = s.scalars(select(Recruiter).where(Recruiter.name_key == data["name_key"])).first()
            if same is not None and same.id != recruiter_id:
                raise RegisterError([Problem(0, "name", "taken", data["name"])])
            if recruiter_id is None:
                row = Recruiter(**data, active=True)
                s.add(row)
                s.flush()
                audit.record(s, actor, "recruiter.create", "recruiter", str(row.id), None, _record(_view(row)))
                return _view(row)
            row = s.get(Recruiter, recruiter_id)
            if row is None:
                raise RegisterError([Problem(0, "id", "not_found", str(recruiter_id))])
            return self._update(s, row, data, actor, "recruiter.edit")

    @staticmethod
    def _update(s, row: Recruiter, data: dict[str, Any], actor: str, action: str, note: str = "") -> RecruiterView:
        before = _view(row)
        for key, value in data.items():
            setattr(row, key, value)
        s.flush()
        after = _view(row)
        if after != before:
            audit.record(s, actor, action, "recruiter", str(row.id), _record(before), _record(after), note=note)
        return after

    def set_active(self, recruiter_id: int, active: bool, actor: str) -> RecruiterView:
        """Retire (False: the bot no longer finds it) or restore (True) an entry."""
        with session_scope(self._url) as s:
            row = s.get(Recruiter, recruiter_id)
            if row is None:
                raise RegisterError([Problem(0, "id", "not_found", str(recruiter_id))])
            return self._update(s, row, {"active": active}, actor,
                                "recruiter.restore" if active else "recruiter.retire")

    def export_csv(self, entries: Optional[list[RecruiterView]] = None) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for entry in entries if entries is not None else self.list():
            writer.writerow([entry.name, entry.licence_number or "", entry.status, entry.source_url,
                             entry.checked_on.isoformat(), entry.notes])
        return buffer.getvalue()

    def import_csv(self, text: str, actor: str, today: Optional[dt.date] = None) -> dict[str, int]:
        """All or nothing: RegisterError with every problem (row numbers) and nothing saved, or every row
        created / updated in one transaction. Returns {"created": n, "updated": n, "unchanged": n}."""
        cleaned = validated_rows(text, CSV_COLUMNS, REQUIRED, lambda raw, number: clean(raw, row=number, today=today),
                                 unique=("name", lambda data: data["name_key"], lambda data: data["name"]))
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        with session_scope(self._url) as s:
            for data in cleaned:
                row = s.scalars(select(Recruiter).where(Recruiter.name_key == data["name_key"])).first()
                if row is None:
                    row = Recruiter(**data, active=True)
                    s.add(row)
                    s.flush()
                    audit.record(s, actor, "recruiter.import", "recruiter", str(row.id), None, _record(_view(row)),
                                 note="created")
                    counts["created"] += 1
                    continue
                before = _view(row)
                after = self._update(s, row, {**data, "active": True}, actor, "recruiter.import")
                counts["updated" if after != before else "unchanged"] += 1
        return counts

    def check(self, text: str) -> Optional[RecruiterMatch]:
        """The registered (active) agency a message names, with the fuzzy score (0-100), or None.

        The name typed after "agencia", "agency"... is compared with every registered name (legal forms such as
        "S.A." ignored); without such a word, a registered name written inside the message is looked for."""
        entries = self.list(active=True)
        if not entries:
            return None
        best: Optional[RecruiterMatch] = None
        typed = named_agency(text)
        if typed:
            core = _core(typed)
            for entry in entries:
                score = float(fuzz.WRatio(core, _core(entry.name))) if _core(entry.name) else 0.0
                if score >= NAME_MIN_SCORE and (best is None or score > best.score):
                    best = RecruiterMatch(entry, round(score, 1))
        if best is None:
            message = name_key(text)
            for entry in entries:
                key = name_key(entry.name)
                core = _core(entry.name)
                if len(core) < MIN_KEY_LENGTH or (" " not in core and len(core) < DISTINCT_LENGTH):
                    continue  # a short one-word name ("Norte") is an ordinary word in most messages
                score = max(fuzz.partial_ratio(key, message), fuzz.partial_ratio(core, message))
                if score >= TEXT_MIN_SCORE and (best is None or score > best.score):
                    best = RecruiterMatch(entry, round(float(score), 1))
        return best
