"""The audit log page: every change, filtered by who, what kind, target and dates (admins and reviewers)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask import Blueprint, render_template, request

from bot.staff.models import REVIEWER
from console import repos
from console.i18n import register
from console.permissions import requires

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50


def _date(value: Optional[str]) -> Optional[dt.datetime]:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m-%d")
    except ValueError:
        return None


@bp.route("/")
@requires(REVIEWER)
def index():
    args = request.args
    page = max(1, args.get("page", 1, type=int) or 1)
    until = _date(args.get("until"))
    entries = repos.audit_log().entries(
        actor=args.get("actor") or None, action=args.get("action") or None,
        target_type=args.get("target_type") or None, target=args.get("target") or None,
        since=_date(args.get("since")), until=until + dt.timedelta(days=1) if until else None,
        limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template("audit.html", entries=entries[:PAGE_SIZE], page=page,
                           has_next=len(entries) > PAGE_SIZE, filters=args)


register({
    "audit.title": {"es": "Registro de cambios", "en": "Audit log"},
    "audit.when": {"es": "Cuándo (UTC)", "en": "When (UTC)"},
    "audit.who": {"es": "Quién", "en": "Who"},
    "audit.what": {"es": "Qué", "en": "What"},
    "audit.target": {"es": "Sobre", "en": "Target"},
    "audit.before": {"es": "Antes", "en": "Before"},
    "audit.after": {"es": "Después", "en": "After"},
    "audit.since": {"es": "Desde", "en": "From"},
    "audit.until": {"es": "Hasta", "en": "Until"},
    "audit.kind": {"es": "Tipo", "en": "Type"},
    "audit.next": {"es": "Más antiguos", "en": "Older"},
    "audit.previous": {"es": "Más recientes", "en": "Newer"},
})
