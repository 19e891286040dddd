"""Service points: list and filter (department, who they serve, walk-in, active), create and edit (editors),
retire / restore and CSV import (reviewers), CSV export. Every change is audited by the repository
(bot.content.service_points)."""
from __future__ import annotations

from typing import Optional

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from bot.content.models import REVIEW_STATUSES
from bot.content.service_points import (
    CSV_COLUMNS,
    KINDS,
    PRECISIONS,
    SERVES,
    RegisterError,
    ServicePointRepository,
)
from bot.staff.models import EDITOR, REVIEWER
from console import repos
from console.i18n import register, t
from console.permissions import requires

bp = Blueprint("services", __name__, url_prefix="/services")
FORM_FIELDS = ("slug", "name", "kind", "department", "municipality", "address", "latitude", "longitude",
               "location_precision", "phone", "hours", "languages", "services", "source", "source_id",
               "last_verified", "review_status", "review_note")


def points() -> ServicePointRepository:
    return ServicePointRepository(repos.database_url())


def _yes_no(value: Optional[str]) -> Optional[bool]:
    return {"yes": True, "no": False}.get(value or "")


def problem_lines(error: RegisterError) -> list[str]:
    """Each problem as a sentence in the page's language, naming the row when there is one."""
    lines = []
    for problem in error.problems:
        reason = t(f"csv.{problem.code}", column=problem.column, value=problem.value)
        lines.append(t("csv.row", row=problem.row, reason=reason) if problem.row else reason)
    return lines


def _filters() -> dict[str, str]:
    return {k: request.args.get(k, "") for k in ("department", "serves", "walk_in", "active")}


def _filtered(filters: dict[str, str]):
    return points().list(department=filters["department"] or None, serves=filters["serves"] or None,
                         walk_in=_yes_no(filters["walk_in"]), active=_yes_no(filters["active"]))


@bp.route("/")
@requires(EDITOR)
def index():
    filters = _filters()
    rows = _filtered(filters)
    return render_template("services/index.html", points=rows, filters=filters,
                           departments=points().departments(), serves=SERVES)


def _form_values() -> dict:
    values = {name: request.form.get(name, "") for name in FORM_FIELDS}
    values["serves"] = request.form.getlist("serves")
    values["walk_in"] = request.form.get("walk_in") == "yes"
    return values


def _form(point=None, values=None, errors=(), status=200):
    """The form, filled from what was posted (after an error), else from the stored point, else defaults."""
    if values is not None:
        form = {k: (v if isinstance(v, (list, bool)) else str(v or "")) for k, v in values.items()}
    elif point is not None:
        form = {name: "" if getattr(point, name) is None else str(getattr(point, name)) for name in FORM_FIELDS}
        form.update(languages=";".join(point.languages), services=";".join(point.services),
                    serves=list(point.serves), walk_in=point.walk_in)
    else:
        form = {name: "" for name in FORM_FIELDS}
        form.update(languages="es", serves=[], walk_in=True, review_status="improve")
    return render_template("services/form.html", point=point, form=form, errors=errors, kinds=KINDS,
                           serves=SERVES, precisions=PRECISIONS, review_statuses=REVIEW_STATUSES), status


@bp.route("/new", methods=["GET", "POST"])
@requires(EDITOR)
def create():
    if request.method == "GET":
        return _form()
    values = _form_values()
    try:
        created = points().save(values, actor=current_user.username)
    except RegisterError as error:
        return _form(values=values, errors=problem_lines(error), status=400)
    flash(t("common.saved"))
    return redirect(url_for("services.edit", slug=created.slug))


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@requires(EDITOR)
def edit(slug: str):
    point = points().get(slug)
    if point is None:
        return render_template("error.html", message=t("error.not_found")), 404
    if request.method == "GET":
        return _form(point)
    values = _form_values()
    values.pop("slug", None)
    try:
        points().save(values, actor=current_user.username, slug=slug)
    except RegisterError as error:
        return _form(point, values=values, errors=problem_lines(error), status=400)
    flash(t("common.saved"))
    return redirect(url_for("services.edit", slug=slug))


@bp.route("/<slug>/retire", methods=["POST"])
@requires(REVIEWER)
def retire(slug: str):
    return _set_active(slug, False)


@bp.route("/<slug>/restore", methods=["POST"])
@requires(REVIEWER)
def restore(slug: str):
    return _set_active(slug, True)


def _set_active(slug: str, active: bool):
    try:
        points().set_active(slug, active, actor=current_user.username)
    except RegisterError:
        return render_template("error.html", message=t("error.not_found")), 404
    flash(t("services.restored") if active else t("services.retired"))
    return redirect(url_for("services.index"))


@bp.route("/export.csv")
@requires(EDITOR)
def export():
    return Response(points().export_csv(_filtered(_filters())), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=service_points.csv"})


@bp.route("/import", methods=["GET", "POST"])
@requires(REVIEWER)
def import_csv():
    if request.method == "GET":
        return render_template("services/import.html", columns=CSV_COLUMNS)
    upload = request.files.get("file")
    text = upload.read().decode("utf-8", errors="replace") if upload else ""
    try:
        counts = points().import_csv(text, actor=current_user.username)
    except RegisterError as error:
        return render_template("services/import.html", columns=CSV_COLUMNS, errors=problem_lines(error)), 400
    flash(t("csv.imported", **{k: str(v) for k, v in counts.items()}))
    return redirect(url_for("services.index"))


register({
    "services.title": {"es": "Puntos de servicio", "en": "Service points"},
    "services.new": {"es": "Nuevo punto", "en": "New point"},
    "services.edit": {"es": "Editar punto", "en": "Edit point"},
    "services.department": {"es": "Departamento", "en": "Department"},
    "services.municipality": {"es": "Municipio", "en": "Municipality"},
    "services.serves": {"es": "A quién atiende", "en": "Who it serves"},
    "services.walk_in": {"es": "Se puede llegar sin cita ni referencia", "en": "People can walk in"},
    "services.walk_in_short": {"es": "Sin cita", "en": "Walk-in"},
    "services.active": {"es": "Estado", "en": "Status"},
    "services.is_active": {"es": "Activo", "en": "Active"},
    "services.is_retired": {"es": "Retirado", "en": "Retired"},
    "services.name": {"es": "Nombre", "en": "Name"},
    "services.slug": {"es": "Identificador (minúsculas y guiones)", "en": "Id (lower case and hyphens)"},
    "services.kind": {"es": "Tipo", "en": "Kind"},
    "services.address": {"es": "Dirección (solo si una fuente la da)", "en": "Address (only if a source gives it)"},
    "services.latitude": {"es": "Latitud", "en": "Latitude"},
    "services.longitude": {"es": "Longitud", "en": "Longitude"},
    "services.precision": {"es": "Precisión del lugar", "en": "Location precision"},
    "services.phone": {"es": "Teléfono (solo si una fuente lo da)", "en": "Phone (only if a source gives it)"},
    "services.hours": {"es": "Horario", "en": "Hours"},
    "services.languages": {"es": "Idiomas (separados por ;)", "en": "Languages (separated by ;)"},
    "services.services": {"es": "Servicios (códigos separados por ;)", "en": "Services (codes separated by ;)"},
    "services.source": {"es": "Fuente (quién, título — URL)", "en": "Source (who, title — URL)"},
    "services.source_id": {"es": "Id de la fuente en el registro", "en": "Source id in the registry"},
    "services.last_verified": {"es": "Verificado el", "en": "Last verified"},
    "services.review_status": {"es": "Revisión", "en": "Review"},
    "services.review_note": {"es": "Nota de revisión", "en": "Review note"},
    "services.retire": {"es": "Retirar", "en": "Retire"},
    "services.restore": {"es": "Restaurar", "en": "Restore"},
    "services.retired": {"es": "Punto retirado: el bot ya no lo muestra.", "en": "Point retired: the bot no "
                                                                               "longer shows it."},
    "services.restored": {"es": "Punto restaurado: el bot lo muestra otra vez.",
                          "en": "Point restored: the bot shows it again."},
    "services.import": {"es": "Importar CSV", "en": "Import CSV"},
    "services.export": {"es": "Exportar CSV", "en": "Export CSV"},
    "services.yes": {"es": "Sí", "en": "Yes"},
    "services.no": {"es": "No", "en": "No"},
    "serves.returnees": {"es": "personas retornadas", "en": "returnees"},
    "serves.in_transit": {"es": "personas en tránsito", "en": "people in transit"},
    "serves.children": {"es": "niñas, niños y adolescentes", "en": "children"},
    "serves.families": {"es": "familias", "en": "families"},
    "serves.everyone": {"es": "todas las personas", "en": "everyone"},
    "csv.file": {"es": "Archivo CSV (UTF-8)", "en": "CSV file (UTF-8)"},
    "csv.columns": {"es": "Columnas", "en": "Columns"},
    "csv.all_or_nothing": {"es": "Se revisan todas las filas antes de guardar. Si una fila tiene un error, no se "
                                 "importa nada y se indica la fila (la fila 1 es el encabezado).",
                           "en": "Every row is checked before saving. If one row has an error, nothing is "
                                 "imported and the row is named (row 1 is the header)."},
    "csv.failed": {"es": "No se importó nada. Corrija estas filas y vuelva a intentar:",
                   "en": "Nothing was imported. Fix these rows and try again:"},
    "csv.imported": {"es": "Importado: {created} nuevos, {updated} cambiados, {unchanged} sin cambios.",
                     "en": "Imported: {created} new, {updated} changed, {unchanged} unchanged."},
    "csv.row": {"es": "Fila {row}: {reason}", "en": "Row {row}: {reason}"},
    "csv.required": {"es": "falta «{column}».", "en": "“{column}” is missing."},
    "csv.missing_column": {"es": "falta la columna «{column}».", "en": "the column “{column}” is missing."},
    "csv.unknown_column": {"es": "columna desconocida «{column}».", "en": "unknown column “{column}”."},
    "csv.no_rows": {"es": "el archivo no tiene filas.", "en": "the file has no rows."},
    "csv.duplicate": {"es": "«{value}» ya está en otra fila del archivo.",
                      "en": "“{value}” is already in another row of the file."},
    "csv.taken": {"es": "«{value}» ya existe.", "en": "“{value}” already exists."},
    "csv.not_found": {"es": "«{value}» no existe.", "en": "“{value}” does not exist."},
    "csv.bad_slug": {"es": "identificador no válido «{value}» (minúsculas, números y guiones).",
                     "en": "invalid id “{value}” (lower case, digits and hyphens)."},
    "csv.unknown_kind": {"es": "tipo desconocido «{value}».", "en": "unknown kind “{value}”."},
    "csv.not_a_number": {"es": "«{column}» no es un número: «{value}».",
                         "en": "“{column}” is not a number: “{value}”."},
    "csv.out_of_range": {"es": "«{column}» fuera de rango: «{value}».", "en": "“{column}” out of range: “{value}”."},
    "csv.coordinates_pair": {"es": "latitud y longitud van juntas.", "en": "latitude and longitude go together."},
    "csv.unknown_precision": {"es": "precisión desconocida «{value}».", "en": "unknown precision “{value}”."},
    "csv.unknown_serves": {"es": "grupo desconocido en «serves»: «{value}».",
                           "en": "unknown group in “serves”: “{value}”."},
    "csv.not_yes_no": {"es": "«{column}» debe ser yes o no, no «{value}».",
                       "en": "“{column}” must be yes or no, not “{value}”."},
    "csv.bad_date": {"es": "fecha no válida en «{column}»: «{value}» (use AAAA-MM-DD).",
                     "en": "invalid date in “{column}”: “{value}” (use YYYY-MM-DD)."},
    "csv.future_date": {"es": "la fecha de «{column}» está en el futuro: «{value}».",
                        "en": "the date in “{column}” is in the future: “{value}”."},
    "csv.unknown_review_status": {"es": "estado de revisión desconocido «{value}».",
                                  "en": "unknown review status “{value}”."},
    "csv.unknown_status": {"es": "estado desconocido «{value}» (authorised, suspended o fraudulent).",
                           "en": "unknown status “{value}” (authorised, suspended or fraudulent)."},
    "csv.bad_url": {"es": "la fuente debe ser una dirección web (http…): «{value}».",
                    "en": "the source must be a web address (http…): “{value}”."},
})
