"""The caseworker queue: people who asked for a person. Caseworkers (editors and up) see the open cases, oldest
first, by pseudonym, never by phone number, chat id or name; they take a case, read its transcript, answer (the
reply goes out on the person's own channel through the outbox) and close it (the person is told the bot is back).
Only an admin can reveal a person's contact, for a stated reason, and that is audited (the contact is not).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from bot.handoff.cases import CaseError, CaseRepository, CaseView
from bot.handoff.delivery import NO_TEMPLATE, OPEN, TEMPLATE, close_case, reply_window, reveal_contact, send_reply
from bot.handoff.models import ASSIGNED, CASE_STATUSES, CLOSED, NEW, OPEN_CASE_STATUSES, WAITING_USER
from bot.staff.models import ADMIN, EDITOR
from console import background, repos
from console.i18n import current_language, register, t
from console.permissions import requires

bp = Blueprint("cases", __name__, url_prefix="/cases")
SETTABLE_STATUSES = (NEW, ASSIGNED, WAITING_USER)  # closing has its own button: the person must be told


def _start_background() -> None:
    """The handoff timer runs in the console process (not under the test client)."""
    if not current_app.testing and current_app.config.get("HANDOFF_BACKGROUND", True):
        background.start(current_app.config["DATABASE_URL"])


# First of all before_request hooks, so even a redirected request (not logged in) starts the timer.
bp.record_once(lambda state: state.app.before_request_funcs.setdefault(None, []).insert(0, _start_background))


def _cases() -> CaseRepository:
    return CaseRepository(repos.database_url())


def _case(case_id: int) -> CaseView:
    case = _cases().get(case_id)
    if case is None:
        abort(404)
    return case


def _titles(cases: list[CaseView]) -> dict[str, str]:
    topic_ids = sorted({c.topic_id for c in cases if c.topic_id})
    return repos.content().titles(topic_ids, current_language()) if topic_ids else {}


@bp.route("/")
@requires(EDITOR)
def index():
    shown = request.args.get("status") or "open"
    if shown == "open":
        statuses = OPEN_CASE_STATUSES
    elif shown in CASE_STATUSES:
        statuses = (shown,)
    else:
        abort(404)
    cases = _cases().queue(statuses)
    return render_template("cases/index.html", cases=cases, titles=_titles(cases), shown=shown,
                           filters=("open", *CASE_STATUSES))


def _render_case(case: CaseView, revealed: object = None):
    window = reply_window(case, repos.database_url()) if case.status != CLOSED else OPEN
    return render_template("cases/case.html", case=case, title=_titles([case]).get(case.topic_id or "", ""),
                           window=window, OPEN=OPEN, TEMPLATE=TEMPLATE, NO_TEMPLATE=NO_TEMPLATE, CLOSED=CLOSED,
                           statuses=SETTABLE_STATUSES, revealed=revealed)


@bp.route("/<int:case_id>")
@requires(EDITOR)
def show(case_id: int):
    return _render_case(_case(case_id))


@bp.route("/<int:case_id>/transcript")
@requires(EDITOR)
def transcript(case_id: int):
    """The transcript alone, for the case page to refresh while a caseworker is on it (console/static/cases.js)."""
    return render_template("cases/_transcript.html", case=_case(case_id))


def _back(case_id: int):
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/<int:case_id>/assign", methods=["POST"])
@requires(EDITOR)
def assign(case_id: int):
    try:
        _cases().assign(case_id, current_user.username, actor=current_user.username)
    except CaseError as error:
        flash(f"{t('cases.not_done')} {error}", "error")
    else:
        flash(t("cases.assigned_to_you"))
    return _back(case_id)


@bp.route("/<int:case_id>/status", methods=["POST"])
@requires(EDITOR)
def status(case_id: int):
    wanted = request.form.get("status") or ""
    if wanted not in SETTABLE_STATUSES:
        abort(400)
    try:
        _cases().set_status(case_id, wanted, actor=current_user.username)
    except CaseError as error:
        flash(f"{t('cases.not_done')} {error}", "error")
    else:
        flash(t("common.saved"))
    return _back(case_id)


@bp.route("/<int:case_id>/reply", methods=["POST"])
@requires(EDITOR)
def reply(case_id: int):
    case = _case(case_id)
    text = request.form.get("text") or ""
    window = reply_window(case, repos.database_url())
    if case.status == CLOSED:
        flash(t("cases.closed_no_reply"), "error")
    elif window == NO_TEMPLATE:
        flash(t("cases.no_template"), "error")
    else:
        try:
            send_reply(_cases(), case_id, current_user.username, text)
        except CaseError as error:
            flash(f"{t('cases.not_done')} {error}", "error")
        else:
            flash(t("cases.sent_template") if window == TEMPLATE else t("cases.sent"))
    return _back(case_id)


@bp.route("/<int:case_id>/close", methods=["POST"])
@requires(EDITOR)
def close(case_id: int):
    try:
        close_case(_cases(), case_id, current_user.username)
    except CaseError as error:
        flash(f"{t('cases.not_done')} {error}", "error")
        return _back(case_id)
    flash(t("cases.closed_done", case_id=case_id))
    return redirect(url_for("cases.index"))


@bp.route("/<int:case_id>/reveal", methods=["POST"])
@requires(ADMIN)
def reveal(case_id: int):
    """Shown on this response only (never flashed: the session cookie is signed, not encrypted)."""
    case = _case(case_id)
    reason = request.form.get("reason") or ""
    try:
        address = reveal_contact(case_id, current_user.username, reason, repos.database_url())
    except CaseError:
        flash(t("cases.reason_required"), "error")
        return _back(case_id)
    return _render_case(case, revealed=address or t("cases.no_contact"))


register({
    "nav.cases": {"es": "Casos", "en": "Cases"},
    "cases.title": {"es": "Casos: personas que pidieron hablar con alguien",
                    "en": "Cases: people who asked to talk to someone"},
    "cases.intro": {"es": "Los que esperan hace más tiempo están arriba. Mientras un caso está abierto, el bot no "
                          "le responde a esa persona: respóndale usted.",
                    "en": "Whoever has waited longest is on top. While a case is open the bot does not answer that "
                          "person: you do."},
    "cases.filter.open": {"es": "Abiertos", "en": "Open"},
    "cases.status": {"es": "Estado", "en": "Status"},
    "cases.status.new": {"es": "Nuevo", "en": "New"},
    "cases.status.assigned": {"es": "Asignado", "en": "Assigned"},
    "cases.status.waiting_user": {"es": "Esperando a la persona", "en": "Waiting for the person"},
    "cases.status.closed": {"es": "Cerrado", "en": "Closed"},
    "cases.number": {"es": "Caso", "en": "Case"},
    "cases.person": {"es": "Persona", "en": "Person"},
    "cases.topic": {"es": "Tema", "en": "Topic"},
    "cases.channel": {"es": "Canal", "en": "Channel"},
    "cases.language": {"es": "Idioma", "en": "Language"},
    "cases.opened": {"es": "Abierto (UTC)", "en": "Opened (UTC)"},
    "cases.assignee": {"es": "Atiende", "en": "Handled by"},
    "cases.nobody": {"es": "nadie todavía", "en": "nobody yet"},
    "cases.reason": {"es": "Por qué", "en": "Why"},
    "cases.reason.asked": {"es": "Pidió una persona", "en": "Asked for a person"},
    "cases.reason.failed_twice": {"es": "El bot no le entendió dos veces", "en": "The bot failed to understand twice"},
    "cases.reason.sensitive": {"es": "Tema delicado", "en": "Sensitive topic"},
    "cases.open": {"es": "Abrir", "en": "Open"},
    "cases.transcript": {"es": "Conversación", "en": "Conversation"},
    "cases.author.user": {"es": "Persona", "en": "Person"},
    "cases.author.bot": {"es": "Bot", "en": "Bot"},
    "cases.author.staff": {"es": "Equipo", "en": "Staff"},
    "cases.author.system": {"es": "Aviso", "en": "Notice"},
    "cases.take": {"es": "Tomar el caso", "en": "Take this case"},
    "cases.assigned_to_you": {"es": "El caso es suyo.", "en": "The case is yours."},
    "cases.change_status": {"es": "Cambiar estado", "en": "Change status"},
    "cases.reply": {"es": "Responder", "en": "Reply"},
    "cases.reply_label": {"es": "Su respuesta (le llega a la persona por su mismo canal)",
                          "en": "Your reply (it reaches the person on their own channel)"},
    "cases.send": {"es": "Enviar", "en": "Send"},
    "cases.sent": {"es": "Respuesta enviada a la persona.", "en": "Reply sent to the person."},
    "cases.window_template": {"es": "La persona escribió hace más de 24 horas. En WhatsApp su respuesta saldrá dentro "
                                    "de la plantilla aprobada.",
                              "en": "The person last wrote more than 24 hours ago. On WhatsApp your reply will go out "
                                    "inside the approved template."},
    "cases.window_no_template": {"es": "La persona escribió hace más de 24 horas y no hay plantilla aprobada "
                                       "configurada: WhatsApp no dejará enviar la respuesta.",
                                 "en": "The person last wrote more than 24 hours ago and no approved template is "
                                       "configured: WhatsApp will not let the reply through."},
    "cases.sent_template": {"es": "Respuesta enviada como plantilla aprobada de WhatsApp (fuera de las 24 horas).",
                            "en": "Reply sent as the approved WhatsApp template (outside the 24 hours)."},
    "cases.no_template": {"es": "No se envió: fuera de las 24 horas de WhatsApp y sin plantilla configurada.",
                          "en": "Not sent: outside WhatsApp's 24 hours and no template configured."},
    "cases.closed_no_reply": {"es": "El caso está cerrado: ya responde el bot.",
                              "en": "The case is closed: the bot answers again."},
    "cases.close": {"es": "Cerrar el caso y devolverlo al bot", "en": "Close the case and hand back to the bot"},
    "cases.close_help": {"es": "Se le avisa a la persona, en su idioma, que el bot le responde otra vez.",
                         "en": "The person is told, in their language, that the bot answers again."},
    "cases.closed_done": {"es": "Caso #{case_id} cerrado. Se le avisó a la persona.",
                          "en": "Case #{case_id} closed. The person was told."},
    "cases.reveal": {"es": "Ver el contacto", "en": "Reveal contact"},
    "cases.reveal_help": {"es": "Solo si hace falta. Queda en el registro de cambios quién lo vio, cuándo y por qué.",
                          "en": "Only when needed. Who saw it, when and why is written to the audit log."},
    "cases.reveal_reason": {"es": "Motivo (obligatorio)", "en": "Reason (required)"},
    "cases.reason_required": {"es": "Escriba el motivo para ver el contacto.",
                              "en": "Write the reason to reveal the contact."},
    "cases.revealed": {"es": "Contacto (solo se muestra esta vez):", "en": "Contact (shown this once):"},
    "cases.no_contact": {"es": "No hay contacto guardado (chat web, o la persona borró sus datos).",
                         "en": "No contact is kept (web chat, or the person deleted their data)."},
    "cases.not_done": {"es": "No se hizo:", "en": "Not done:"},
    "channel.webchat": {"es": "Chat web", "en": "Web chat"},
    "channel.whatsapp": {"es": "WhatsApp", "en": "WhatsApp"},
    "channel.telegram": {"es": "Telegram", "en": "Telegram"},
})
