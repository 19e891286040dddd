"""The recruiter register: list and filter (status, active, name), create and edit (editors), retire / restore and
CSV import (reviewers), CSV export. Entries are never invented: each names its official source and the day it
was checked (bot.staff.recruiters). Every change is audited by the repository."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from bot.content.registers import RegisterError
from bot.staff.models import EDITOR, RECRUITER_STATUSES, REVIEWER
from bot.staff.recruiters import CSV_COLUMNS, RecruiterRepository
from console import repos
from console.i18n import register, t
from console.permissions import requires
from console.services import problem_lines

bp = Blueprint("recruiters", __name__, url_prefix="/recruiters")
FORM_FIELDS = ("name", "licence_number", "status", "source_url", "checked_on", "notes")


def recruiters() -> RecruiterRepository:
    return RecruiterRepository(repos.database_url())


def _filters() -> dict[str, str]:
    return {k: request.args.get(k, "") for k in ("status", "active", "name")}


def _filtered(filters: dict[str, str]):
    active = {"yes": True, "no": False}.get(filters["active"])
    return recruiters().list(status=filters["status"] or None, active=active, name=filters["name"] or None)


@bp.route("/")
@requires(EDITOR)
def index():
    filters = _filters()
    return render_template("recruiters/index.html", entries=_filtered(filters), filters=filters,
                           statuses=RECRUITER_STATUSES)


def _form(entry=None, values=None, errors=(), status=200):
    if values is None:
        values = {name: "" for name in FORM_FIELDS}
        if entry is not None:
            values.update({name: "" if getattr(entry, name) is None else str(getattr(entry, name))
                           for name in FORM_FIELDS})
    return render_template("recruiters/form.html", entry=entry, form=values, errors=errors,
                           statuses=RECRUITER_STATUSES), status


def _posted() -> dict[str, str]:
    return {name: request.form.get(name, "") for name in FORM_FIELDS}


@bp.route("/new", methods=["GET", "POST"])
@requires(EDITOR)
def create():
    if request.method == "GET":
        return _form()
    values = _posted()
    try:
        recruiters().save(values, actor=current_user.username)
    except RegisterError as error:
        return _form(values=values, errors=problem_lines(error), status=400)
    flash(t("common.saved"))
    return redirect(url_for("recruiters.index"))


@bp.route("/<int:recruiter_id>/edit", methods=["GET", "POST"])
@requires(EDITOR)
def edit(recruiter_id: int):
    entry = recruiters().get(recruiter_id)
    if entry is None:
        return render_template("error.html", message=t("error.not_found")), 404
    if request.method == "GET":
        return _form(entry)
    values = _posted()
    try:
        recruiters().save(values, actor=current_user.username, recruiter_id=recruiter_id)
    except RegisterError as error:
        return _form(entry, values=values, errors=problem_lines(error), status=400)
    flash(t("common.saved"))
    return redirect(url_for("recruiters.index"))


@bp.route("/<int:recruiter_id>/retire", methods=["POST"])
@requires(REVIEWER)
def retire(recruiter_id: int):
    return _set_active(recruiter_id, False)


@bp.route("/<int:recruiter_id>/restore", methods=["POST"])
@requires(REVIEWER)
def restore(recruiter_id: int):
    return _set_active(recruiter_id, True)


def _set_active(recruiter_id: int, active: bool):
    try:
        recruiters().set_active(recruiter_id, active, actor=current_user.username)
    except RegisterError:
        return render_template("error.html", message=t("error.not_found")), 404
    flash(t("recruiters.restored") if active else t("recruiters.retired"))
    return redirect(url_for("recruiters.index"))


@bp.route("/export.csv")
@requires(EDITOR)
def export():
    return Response(recruiters().export_csv(_filtered(_filters())), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=recruiters.csv"})


@bp.route("/import", methods=["GET", "POST"])
@requires(REVIEWER)
def import_csv():
    if request.method == "GET":
        return render_template("recruiters/import.html", columns=CSV_COLUMNS)
    upload = request.files.get("file")
    text = upload.read().decode("utf-8", errors="replace") if upload else ""
    try:
        counts = recruiters().import_csv(text, actor=current_user.username)
    except RegisterError as error:
        return render_template("recruiters/import.html", columns=CSV_COLUMNS, errors=problem_lines(error)), 400
    flash(t("csv.imported", **{k: str(v) for k, v in counts.items()}))
    return redirect(url_for("recruiters.index"))


register({
    "recruiters.title": {"es": "Registro de agencias de reclutamiento", "en": "Recruiter register"},
    "recruiters.intro": {"es": "Solo agencias que aparecen en una fuente oficial. Nunca invente datos. El bot "
                               "responde con este registro a «¿la agencia X es legal?».",
                         "en": "Only agencies found in an official source. Never invent entries. The bot answers "
                               "“is agency X legit?” from this register."},
    "recruiters.new": {"es": "Nueva agencia", "en": "New agency"},
    "recruiters.edit": {"es": "Editar agencia", "en": "Edit agency"},
    "recruiters.name": {"es": "Nombre de la agencia", "en": "Agency name"},
    "recruiters.licence": {"es": "Número de registro o licencia", "en": "Registration or licence number"},
    "recruiters.status": {"es": "Estado", "en": "Status"},
    "recruiters.source_url": {"es": "Fuente oficial (URL)", "en": "Official source (URL)"},
    "recruiters.checked_on": {"es": "Verificado el", "en": "Checked on"},
    "recruiters.notes": {"es": "Notas", "en": "Notes"},
    "recruiters.active": {"es": "En el registro", "en": "In the register"},
    "recruiters.search": {"es": "Buscar nombre", "en": "Search name"},
    "recruiters.retired": {"es": "Agencia retirada: el bot ya no la encuentra.",
                           "en": "Agency retired: the bot no longer finds it."},
    "recruiters.restored": {"es": "Agencia restaurada.", "en": "Agency restored."},
    "status.authorised": {"es": "autorizada", "en": "authorised"},
    "status.suspended": {"es": "suspendida", "en": "suspended"},
    "status.fraudulent": {"es": "reportada como fraudulenta", "en": "reported as fraudulent"},
})
