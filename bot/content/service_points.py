"""Service points as staff keep them in the console: list and filter, create, edit, retire and restore, and
CSV export / import. Every change writes an audit entry in the same transaction.

    points = ServicePointRepository(url)
    points.list(department="Guatemala", serves="returnees", walk_in=True, active=True)
    points.save({"slug": "...", "name": "...", ...}, actor="ana")      # create or edit
    points.set_active("slug", False, actor="rosa")                     # retire (True: restore)
    text = points.export_csv()
    points.import_csv(text, actor="rosa")   # CsvImportError (every bad row, with its row number): nothing saved

CSV format (UTF-8, comma-separated, a header row; the row numbers in error reports count the header as row 1,
as a spreadsheet shows them). Columns, in the order of CSV_COLUMNS; lists are separated by ";":
slug, name, kind, department, municipality, address, latitude, longitude, location_precision, phone, hours,
languages, services, serves, walk_in (yes/no), source, source_id, last_verified (YYYY-MM-DD), review_status,
review_note, active (yes/no). Only slug, name, kind and source are required; a missing column keeps its default
for a new point and its stored value for an existing one. Import creates new slugs and updates known ones.

Retired points (active = no) stay in the database but the bot never shows them. The bot's own read path is
bot.content.repository.ContentRepository (active points only).
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import func, select

from bot.content.models import REVIEW_STATUSES, ServicePoint
from bot.content.registers import Problem, RegisterError, validated_rows
from bot.db import session_scope
from bot.staff import audit

KINDS = ("reception_centre", "migrant_resource_centre", "shelter", "health", "jobs", "documents", "iom_office")
SERVES = ("returnees", "in_transit", "children", "families", "everyone")
PRECISIONS = ("exact", "municipality", "department")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
LIST_FIELDS = ("languages", "services", "serves")
BOOL_FIELDS = ("walk_in", "active")
CSV_COLUMNS = ("slug", "name", "kind", "department", "municipality", "address", "latitude", "longitude",
               "location_precision", "phone", "hours", "languages", "services", "serves", "walk_in", "source",
               "source_id", "last_verified", "review_status", "review_note", "active")
REQUIRED = ("slug", "name", "kind", "source")
TRUE_WORDS = {"yes", "si", "sí", "true", "1", "y", "s"}
FALSE_WORDS = {"no", "false", "0", "n"}


@dataclass(frozen=True)
class StaffServicePoint:
    id: int
    slug: str
    name: str
    kind: str
    department: Optional[str]
    municipality: Optional[str]
    address: Optional[str]
    latitude: Optional[float]
    longitude: Optional[float]
    location_precision: Optional[str]
    phone: Optional[str]
    hours: Optional[str]
    languages: tuple[str, ...]
    services: tuple[str, ...]
    serves: tuple[str, ...]
    walk_in: bool
    source: str
    source_id: Optional[str]
    last_verified: Optional[dt.date]
    review_status: str
    review_note: str
    needs_review: bool
    active: bool


FIELDS = [f.name for f in dataclasses.fields(StaffServicePoint) if f.name != "id"]


def _view(row: ServicePoint) -> StaffServicePoint:
    values = {name: getattr(row, name) for name in FIELDS}
    for name in LIST_FIELDS:
        values[name] = tuple(values[name] or ())
    return StaffServicePoint(id=row.id, **values)


def _record(view: StaffServicePoint) -> dict[str, Any]:
    return audit.jsonable({k: v for k, v in dataclasses.asdict(view).items() if k != "id"})


def _text(value: Any) -> Optional[str]:
    text = ("" if value is None else str(value)).strip()
    return text or None


def _split(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = re.split(r"[;,]", str(value or ""))
    return [str(item).strip() for item in items if str(item).strip()]


def _bool(value: Any) -> Optional[bool]:
    if isinstance(value, bool):
        return value
    word = str(value or "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def clean(values: dict[str, Any], row: int = 0, partial: bool = False) -> tuple[dict[str, Any], list[Problem]]:
    """Check and convert one service point's fields (from a form or a CSV row). Returns the clean values and
    the problems; with `partial`, fields not given are left out (an edit or an update keeps them)."""
    problems: list[Problem] = []
    out: dict[str, Any] = {}

    def bad(column: str, code: str, value: Any = "") -> None:
        problems.append(Problem(row, column, code, "" if value is None else str(value)[:80]))

    for column in REQUIRED:
        if column in values or not partial:
            if not _text(values.get(column)):
                bad(column, "required")
    given = {k: v for k, v in values.items() if k in CSV_COLUMNS}
    for column, raw in given.items():
        text = _text(raw) if not isinstance(raw, (list, tuple, bool)) else raw
        if column == "slug":
            if text and not SLUG.match(str(text)):
                bad(column, "bad_slug", text)
            out[column] = text
        elif column == "kind":
            if text and text not in KINDS:
                bad(column, "unknown_kind", text)
            out[column] = text
        elif column in ("latitude", "longitude"):
            if text is None:
                out[column] = None
                continue
            limit = 90 if column == "latitude" else 180
            try:
                number = float(str(text).replace(",", "."))
            except ValueError:
                bad(column, "not_a_number", text)
                continue
            if not -limit <= number <= limit:
                bad(column, "out_of_range", text)
            out[column] = number
        elif column == "location_precision":
            if text and text not in PRECISIONS:
                bad(column, "unknown_precision", text)
            out[column] = text
        elif column in LIST_FIELDS:
            items = _split(raw)
            if column == "serves":
                unknown = [i for i in items if i not in SERVES]
                if unknown:
                    bad(column, "unknown_serves", ", ".join(unknown))
            out[column] = items
        elif column in BOOL_FIELDS:
            if not isinstance(raw, bool) and not str(raw or "").strip():
                continue  # not given: a new point gets the default (yes), an existing one keeps its value
            flag = _bool(raw)
            if flag is None:
                bad(column, "not_yes_no", raw)
            out[column] = flag
        elif column == "last_verified":
            if text is None:
                out[column] = None
                continue
            try:
                out[column] = dt.date.fromisoformat(str(text))
            except ValueError:
                bad(column, "bad_date", text)
        elif column == "review_status":
            status = text or "improve"
            if status not in REVIEW_STATUSES:
                bad(column, "unknown_review_status", text)
            out[column] = status
        elif column == "review_note":
            out[column] = text or ""
        else:
            out[column] = text
    if "review_status" in out:
        out["needs_review"] = out["review_status"] != "ok"
    if "latitude" in out and "longitude" in out and (out["latitude"] is None) != (out["longitude"] is None):
        bad("latitude", "coordinates_pair")
    return out, problems


def _to_csv_value(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in LIST_FIELDS:
        return ";".join(value)
    if name in BOOL_FIELDS:
        return "yes" if value else "no"
    return str(value)


class ServicePointRepository:
    def __init__(self, database_url: Optional[str] = None) -> None:
        self._url = database_url

    def list(self, department: Optional[str] = None, serves: Optional[str] = None,
             walk_in: Optional[bool] = None, active: Optional[bool] = None,
             kind: Optional[str] = None) -> list[StaffServicePoint]:
        """By name. `serves` keeps the points for that group or for everyone; None means any value."""
        with session_scope(self._url) as s:
            query = select(ServicePoint).order_by(ServicePoint.name)
            if department:
                query = query.where(func.lower(ServicePoint.department) == department.lower())
            if walk_in is not None:
                query = query.where(ServicePoint.walk_in.is_(walk_in))
            if active is not None:
                query = query.where(ServicePoint.active.is_(active))
            if kind:
                query = query.where(ServicePoint.kind == kind)
            rows = [_view(r) for r in s.scalars(query)]
        if serves:
            rows = [r for r in rows if serves in r.serves or "everyone" in r.serves]
        return rows

    def departments(self) -> list[str]:
        with session_scope(self._url) as s:
            rows = s.scalars(select(ServicePoint.department).where(ServicePoint.department.is_not(None))
                             .distinct().order_by(ServicePoint.department))
            return [r for r in rows if r]

    def get(self, slug: str) -> Optional[StaffServicePoint]:
        with session_scope(self._url) as s:
            row = s.scalars(select(ServicePoint).where(ServicePoint.slug == slug)).first()
            return _view(row) if row is not None else None

    def save(self, values: dict[str, Any], actor: str, slug: Optional[str] = None) -> StaffServicePoint:
        """Create a point (slug None) or edit the point `slug` (only the fields given change)."""
        data, problems = clean(values, partial=slug is not None)
        if problems:
            raise RegisterError(problems)
        with session_scope(self._url) as s:
            if slug is None:
                if s.scalars(select(ServicePoint).where(ServicePoint.slug == data["slug"])).first():
                    raise RegisterError([Problem(0, "slug", "taken", data["slug"])])
                row = ServicePoint(**data)
                s.add(row)
                s.flush()
                audit.record(s, actor, "service_point.create", "service_point", row.slug, None, _record(_view(row)))
                return _view(row)
            row = s.scalars(select(ServicePoint).where(ServicePoint.slug == slug)).first()
            if row is None:
                raise RegisterError([Problem(0, "slug", "not_found", slug)])
            data.pop("slug", None)  # the slug is the point's stable id
            return self._update(s, row, data, actor, "service_point.edit")

    @staticmethod
    def _update(s, row: ServicePoint, data: dict[str, Any], actor: str, action: str) -> StaffServicePoint:
        before = _view(row)
        for key, value in data.items():
            setattr(row, key, value)
        s.flush()
        after = _view(row)
        if after != before:
            audit.record(s, actor, action, "service_point", row.slug, _record(before), _record(after))
        return after

    def set_active(self, slug: str, active: bool, actor: str) -> StaffServicePoint:
        """Retire (False: the bot stops showing it) or restore (True) a point."""
        with session_scope(self._url) as s:
            row = s.scalars(select(ServicePoint).where(ServicePoint.slug == slug)).first()
            if row is None:
                raise RegisterError([Problem(0, "slug", "not_found", slug)])
            action = "service_point.restore" if active else "service_point.retire"
            return self._update(s, row, {"active": active}, actor, action)

    def export_csv(self, points: Optional[list[StaffServicePoint]] = None) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for point in points if points is not None else self.list():
            writer.writerow([_to_csv_value(c, getattr(point, c)) for c in CSV_COLUMNS])
        return buffer.getvalue()

    def import_csv(self, text: str, actor: str) -> dict[str, int]:
        """Check every row first; with any problem raise RegisterError (all of them) and save nothing.
        Else create or update each point in one transaction. Returns {"created": n, "updated": n, "unchanged": n}."""
        cleaned = validated_rows(text, CSV_COLUMNS, REQUIRED, lambda raw, number: clean(raw, row=number),
                                 unique=("slug", lambda data: data.get("slug") or "", lambda data: data["slug"]))
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        with session_scope(self._url) as s:
            for data in cleaned:
                row = s.scalars(select(ServicePoint).where(ServicePoint.slug == data["slug"])).first()
                if row is None:
                    row = ServicePoint(**data)
                    s.add(row)
                    s.flush()
                    audit.record(s, actor, "service_point.import", "service_point", row.slug, None,
                                 _record(_view(row)), note="created")
                    counts["created"] += 1
                    continue
                before = _view(row)
                after = self._update(s, row, {k: v for k, v in data.items() if k != "slug"}, actor,
                                     "service_point.import")
                counts["updated" if after != before else "unchanged"] += 1
        return counts
