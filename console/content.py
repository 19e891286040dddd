"""Answers and FAQ entries: list and filter them, edit them with a preview per channel, review and publish,
history with differences and rollback, FAQ entries and their phrasings.

Both kinds of text go through the same workflow of the core (bot.content.workflow): editors save drafts (a save
based on an older version than the latest is refused: nobody overwrites a colleague silently) and submit them;
reviewers approve and publish, or send them back with a comment; nobody publishes their own draft. The bot reads
the database on every message, so a published text is live at once.

Languages are data (bot.content.interface, the console's languages page): every page here takes its languages
from the languages table, so a language added there is listed, filtered and edited here with no code change.
Editing a text in any language but Spanish shows the published Spanish text above the form: translators work
from it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from bot.content.interface import FALLBACK_LANGUAGE, LanguageRepository, LanguageView
from bot.content.models import PUBLISHED, REVIEW_STATUSES
from bot.content.rendering import source_line
from bot.content.repository import ConflictError, ContentError, OwnDraftError
from bot.content.workflow import diff
from bot.language import button_label, text
from bot.messaging.formatting import split_text, with_options
from bot.settings import get_settings
from bot.staff.models import EDITOR, REVIEWER
from console import repos
from console.i18n import register, t
from console.permissions import requires

bp = Blueprint("content", __name__, url_prefix="/content")

# What each channel takes in one message (channels/whatsapp BODY_LIMIT: Twilio's 1,600 characters; Telegram's
# 4,096). Longer texts are split into several messages by bot.messaging.formatting.split_text, as the channels
# do. The web chat shows any length in one bubble, with the options as buttons.
CHANNEL_LIMITS = {"whatsapp": 1600, "telegram": 4096, "webchat": None}


@dataclass(frozen=True)
class Kind:
    name: str  # "answer" | "faq"
    repo: Callable[[], Any]
    endpoint: str
    fields: tuple[str, ...]

    def url(self, key: str, lang: str, **args: Any) -> str:
        return url_for(self.endpoint, lang=lang, **({"topic_id": key} if self.name == "answer" else {"slug": key}),
                       **args)


KINDS = {
    "answer": Kind("answer", repos.content, "content.edit_answer",
                   ("title", "short", "body", "details", "follow_ups", "sources", "valid_as_of", "review_status",
                    "review_note")),
    "faq": Kind("faq", repos.faq, "content.edit_faq",
                ("question", "answer", "sources", "valid_as_of", "review_status", "review_note")),
}


def _kind(name: Optional[str]) -> Kind:
    if name not in KINDS:
        abort(404)
    return KINDS[name]


def _languages() -> list[LanguageView]:
    """Every defined language, Spanish first, then in the order they were added (the languages page's order)."""
    return LanguageRepository(repos.database_url()).languages()


def _check_lang(lang: str) -> None:
    """A language of the languages table (its texts are written here); any other is not found."""
    if not LanguageRepository(repos.database_url()).is_defined(lang):
        abort(404)


# --- the list ----------------------------------------------------------------------------------------------
@bp.route("/")
@requires(EDITOR)
def index():
    languages = _languages()
    codes = [language.code for language in languages]
    args = request.args.to_dict()
    if args.get("lang") and args["lang"] not in codes:  # an old bookmark, a language code mistyped by hand
        flash(t("content.unknown_language", code=args.pop("lang")), "warning")
    max_age = get_settings().content_max_age_months
    topics = {topic.id: topic for topic in repos.content().list_topics()}
    texts: dict[tuple[str, str], dict[str, Any]] = {}
    for topic in topics.values():
        texts[("answer", topic.id)] = {"kind": "answer", "key": topic.id, "topic_id": topic.id, "cells": {}}
    for slug, topic_id in repos.faq().entries():
        texts[("faq", slug)] = {"kind": "faq", "key": slug, "topic_id": topic_id, "cells": {}}
    written = set()
    for state in repos.content().answer_states() + repos.faq().faq_states():
        written.add(state.lang)
        if (state.kind, state.key) in texts:
            texts[(state.kind, state.key)]["cells"][state.lang] = state
    columns = _columns(languages, written, args.get("lang"))
    rows = []
    for row in texts.values():
        topic = topics.get(row["topic_id"])
        row["area"] = topic.area if topic else ""
        row["missing"] = [lang for lang in columns if not (row["cells"].get(lang) and
                                                           row["cells"][lang].published_version)]
        row["stale"] = {lang: cell.stale(max_age) for lang, cell in row["cells"].items()}
        if _shown(row, args, columns):
            row["url"] = {lang: KINDS[row["kind"]].url(row["key"], lang) for lang in columns}
            rows.append(row)
    missing = {}
    for row in texts.values():
        if row["kind"] == "answer" and row["missing"]:
            missing[row["key"]] = row["missing"]
    areas = sorted({topic.area for topic in topics.values()})
    return render_template("content/index.html", rows=rows, filters=args, areas=areas, topics=sorted(topics),
                           languages=languages, columns=columns, review_statuses=REVIEW_STATUSES,
                           max_age=max_age, missing=missing)


def _columns(languages: list[LanguageView], written: set[str], chosen: Optional[str]) -> list[str]:
    """The languages the list shows a column (and missing translations) for: those offered to users, those
    with a text already, and the one filtered on. A language just defined, with no text, is left out until
    someone filters on it: otherwise every row would say its translation is missing."""
    return [language.code for language in languages
            if language.offered or language.code in written or language.code == chosen]


def _shown(row: dict[str, Any], args, columns: list[str]) -> bool:
    """Whether a text passes the list's filters: its area, topic and kind, and at least one language that
    matches the language, review status, staleness and workflow filters."""
    if args.get("area") and row["area"] != args["area"]:
        return False
    if args.get("topic") and row["topic_id"] != args["topic"]:
        return False
    if args.get("kind") and row["kind"] != args["kind"]:
        return False
    if args.get("missing") and not row["missing"]:
        return False
    wanted = [args["lang"]] if args.get("lang") in columns else list(columns)
    if args.get("missing"):
        return any(lang in row["missing"] for lang in wanted)
    for lang in wanted:
        cell = row["cells"].get(lang)
        if cell is None:
            if not (args.get("review") or args.get("stale") or args.get("state")):
                return True
            continue
        if args.get("review") and cell.review_status != args["review"]:
            continue
        if args.get("stale") and not row["stale"][lang]:
            continue
        if args.get("state") == "waiting" and not cell.waiting:
            continue
        if args.get("state") == "draft" and cell.latest_status != "draft":
            continue
        return True
    return False


# --- editing -----------------------------------------------------------------------------------------------
@bp.route("/answers/<topic_id>/<lang>", methods=["GET", "POST"])
@requires(EDITOR)
def edit_answer(topic_id: str, lang: str):
    _check_lang(lang)
    if topic_id not in {topic.id for topic in repos.content().list_topics()}:
        abort(404)
    return _edit(KINDS["answer"], topic_id, lang)


@bp.route("/faq/<path:slug>/<lang>", methods=["GET", "POST"])
@requires(EDITOR)
def edit_faq(slug: str, lang: str):
    _check_lang(lang)
    if slug not in dict(repos.faq().entries()):
        abort(404)
    return _edit(KINDS["faq"], slug, lang)


def _edit(kind: Kind, key: str, lang: str):
    repo = kind.repo()
    values: Optional[dict[str, Any]] = None
    base_version: Optional[int] = None
    status = 200
    if request.method == "POST":
        base_version = request.form.get("base_version", type=int)
        try:
            values = form_fields(kind, request.form, repo.latest(key, lang))
            draft = repo.save_draft(key, lang, values, created_by=current_user.username, base_version=base_version)
        except ConflictError as conflict:
            flash(t("content.conflict", by=conflict.latest_by, version=conflict.latest_version,
                    base=conflict.base_version), "error")
            base_version, status = conflict.latest_version, 409  # a second save, after reading this, is deliberate
        except ContentError as error:
            flash(str(error), "error")
            status = 400
        else:
            if request.form.get("then") == "submit":
                repo.submit(key, lang, draft.version, current_user.username)
                flash(t("content.submitted", version=draft.version))
            else:
                flash(t("content.draft_saved", version=draft.version))
            return redirect(kind.url(key, lang))
    return render_template("content/edit.html", **_page(kind, key, lang, values, base_version)), status


def _page(kind: Kind, key: str, lang: str, values: Optional[dict[str, Any]], base_version: Optional[int]):
    repo = kind.repo()
    history = repo.history(key, lang)
    latest = history[0] if history else None
    published = next((v for v in history if v.status == "published"), None)
    if values is None:
        values = latest.content_fields() if latest else {}
    if base_version is None:
        base_version = latest.version if latest else 0
    waiting = next((v for v in history if v.status == "submitted"), None)
    changes = None
    compare = request.args.get("diff", type=int)
    if compare:
        new = next((v for v in history if v.version == compare), None)
        old = next((v for v in history if v.version < compare), None)
        if new is not None:
            changes = (old.version if old else 0, compare,
                       diff(old.content_fields() if old else {}, new.content_fields()))
    topic_id = key.split("/", 1)[0]
    faq_repo = repos.faq()
    entries = [slug for slug, _ in faq_repo.entries(topic_id)] if kind.name == "answer" else []
    phrasings = faq_repo.phrasings_of(key)
    languages = _languages()
    return {
        "kind": kind.name, "key": key, "lang": lang, "topic_id": topic_id, "history": history, "latest": latest,
        "published": published, "waiting": waiting, "values": values, "form": form_text(values),
        "base_version": base_version, "changes": changes, "entries": entries, "phrasings": phrasings,
        "match_counts": faq_repo.phrasing_match_counts(), "languages": languages,
        "review_statuses": REVIEW_STATUSES, "preview": preview(kind, key, lang, values),
        "other_url": {other.code: kind.url(key, other.code) for other in languages},
        "translating": lang != FALLBACK_LANGUAGE,  # then the published Spanish text is shown above the form
        "spanish": None if lang == FALLBACK_LANGUAGE else _spanish(repo.history(key, FALLBACK_LANGUAGE)),
        "own_waiting": bool(waiting and current_user.username in (waiting.created_by, waiting.submitted_by)),
        "limits": CHANNEL_LIMITS,
    }


def _spanish(history) -> Optional[Any]:
    """The published Spanish version, which a translation is written from (None: nothing published yet)."""
    return next((v for v in history if v.status == PUBLISHED), None)


SOURCE_LINE = re.compile(r"^(?P<name>.*?)\s*(?:\|\s*)?(?P<url>https?://\S+)?\s*$")


def form_fields(kind: Kind, form, latest) -> dict[str, Any]:
    """The posted form as the repository's fields. Source lines are "name | URL"; a line whose URL (or name)
    matches a source already stored keeps that source's other details (publisher, dates)."""
    values: dict[str, Any] = {}
    for name in kind.fields:
        raw = form.get(name, "")
        if name == "sources":
            values[name] = parse_sources(raw, latest.sources if latest else ())
        elif name == "follow_ups":
            values[name] = [item for item in re.split(r"[\s,]+", raw) if item]
            known = {topic.id for topic in repos.content().list_topics()}
            unknown = [item for item in values[name] if item not in known]
            if unknown:
                raise ContentError(t("content.unknown_topics", topics=", ".join(unknown)))
        elif name in ("details", "valid_as_of"):
            values[name] = raw.strip() or None
        else:
            values[name] = raw.strip()
    if kind.name == "answer":
        values["needs_review"] = values.get("review_status") != "ok"
    return values


def parse_sources(raw: str, stored) -> list[dict[str, Any]]:
    by_url = {s.get("url"): dict(s) for s in stored if s.get("url")}
    by_name = {s.get("name"): dict(s) for s in stored if s.get("name")}
    sources = []
    for line in (raw or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = SOURCE_LINE.match(line)
        name, url = match.group("name").strip(" |"), match.group("url")
        if not name:
            raise ContentError(t("content.source_needs_name", line=line))
        source = by_url.get(url) or by_name.get(name) or {}
        sources.append({**source, "name": name, "url": url})
    return sources


def form_text(values: dict[str, Any]) -> dict[str, str]:
    """The fields as the form shows them."""
    shown = {name: "" if value is None else str(value) for name, value in values.items()}
    shown["follow_ups"] = ", ".join(values.get("follow_ups") or [])
    shown["sources"] = "\n".join(f"{s.get('name') or ''} | {s.get('url') or ''}".rstrip(" |")
                                 for s in values.get("sources") or [])
    return shown


# --- preview -----------------------------------------------------------------------------------------------
def preview(kind: Kind, key: str, lang: str, values: dict[str, Any]) -> dict[str, Any]:
    """What each channel shows for these values: the message as the bot composes it, its options, and the
    parts it is sent in (split by the channels' own bot.messaging.formatting code)."""
    if kind.name == "answer":
        pieces = [values.get("title") or "", (values.get("body") or "").strip()]
        follow_ups = list(values.get("follow_ups") or [])
        titles = repos.content().titles(follow_ups, lang)
        buttons = ([{"title": button_label("ask_more", lang)}] if values.get("details") else []) + \
            [{"title": titles[t]} for t in follow_ups if t in titles and t != key]
    else:
        pieces = [values.get("question") or "", (values.get("answer") or "").strip()]
        overview = repos.content().titles([key.split("/", 1)[0]], lang)
        buttons = [{"title": text("about_topic", lang, title=title)} for title in overview.values()]
    buttons.append({"title": button_label("main_menu", lang)})
    source = source_line(values.get("sources"), lang)
    message = "\n\n".join(p for p in pieces + [source] if p)
    channels = {}
    for channel, limit in CHANNEL_LIMITS.items():
        shown = with_options(message, buttons) if channel == "whatsapp" else message
        parts = split_text(shown, limit) if limit else [shown]
        channels[channel] = {"parts": parts, "length": len(shown), "limit": limit,
                             "over": bool(limit and len(shown) > limit),
                             "buttons": [] if channel == "whatsapp" else [b["title"] for b in buttons]}
    return channels


@bp.route("/preview", methods=["POST"])
@requires(EDITOR)
def live_preview():
    kind = _kind(request.form.get("kind"))
    key, lang = request.form.get("key") or "", request.form.get("lang") or ""
    _check_lang(lang)
    try:
        values = form_fields(kind, request.form, None)
    except ContentError as error:
        return jsonify({"error": str(error)}), 400
    html = render_template("content/_preview.html", preview=preview(kind, key, lang, values))
    return jsonify({"html": html})


# --- workflow steps ----------------------------------------------------------------------------------------
def _target():
    kind = _kind(request.form.get("kind"))
    key, lang = request.form.get("key") or "", request.form.get("lang") or ""
    _check_lang(lang)
    version = request.form.get("version", type=int)
    if version is None:
        abort(400)
    return kind, key, lang, version


@bp.route("/submit", methods=["POST"])
@requires(EDITOR)
def submit():
    kind, key, lang, version = _target()
    try:
        kind.repo().submit(key, lang, version, current_user.username)
        flash(t("content.submitted", version=version))
    except ContentError as error:
        flash(str(error), "error")
    return redirect(kind.url(key, lang))


@bp.route("/review", methods=["POST"])
@requires(REVIEWER)
def review():
    kind, key, lang, version = _target()
    comment = request.form.get("comment") or ""
    try:
        if request.form.get("decision") == "approve":
            kind.repo().approve(key, lang, version, current_user.username, comment)
            flash(t("content.published", version=version))
        elif request.form.get("decision") == "changes":
            if not comment.strip():
                raise ContentError(t("content.comment_required"))
            kind.repo().request_changes(key, lang, version, current_user.username, comment)
            flash(t("content.sent_back", version=version))
        else:
            abort(400)
    except OwnDraftError:
        flash(t("content.own_draft"), "error")
        return render_template("error.html", message=t("content.own_draft")), 403
    except ContentError as error:
        flash(str(error), "error")
    return redirect(kind.url(key, lang))


@bp.route("/rollback", methods=["POST"])
@requires(REVIEWER)
def rollback():
    kind, key, lang, version = _target()
    try:
        restored = kind.repo().rollback(key, lang, version, current_user.username)
        flash(t("content.rolled_back", version=restored.version, old=version))
    except ContentError as error:
        flash(str(error), "error")
    return redirect(kind.url(key, lang))


# --- FAQ entries and phrasings -------------------------------------------------------------------------------
@bp.route("/faq/new", methods=["POST"])
@requires(EDITOR)
def create_faq():
    topic_id = request.form.get("topic_id") or ""
    try:
        slug = repos.faq().create_entry(topic_id, request.form.get("name") or "", current_user.username)
    except ContentError as error:
        flash(str(error), "error")
        return redirect(url_for("content.edit_answer", topic_id=topic_id, lang=FALLBACK_LANGUAGE)
                        if topic_id in {t.id for t in repos.content().list_topics()} else url_for("content.index"))
    flash(t("content.faq_created", slug=slug))
    return redirect(url_for("content.edit_faq", slug=slug, lang=FALLBACK_LANGUAGE))


def _back():
    kind = _kind(request.form.get("kind"))
    lang = request.form.get("lang") or ""
    if not LanguageRepository(repos.database_url()).is_defined(lang):
        lang = FALLBACK_LANGUAGE
    return redirect(kind.url(request.form.get("key") or "", lang))


@bp.route("/phrasings", methods=["POST"])
@requires(EDITOR)
def add_phrasing():
    lang = request.form.get("phrasing_lang") or None  # none: any language; an undefined one is refused
    try:
        added = repos.faq().add_phrasing(request.form.get("key") or "", request.form.get("text") or "",
                                         lang, origin="staff", by=current_user.username)
        flash(t("content.phrasing_added") if added else t("content.phrasing_exists"))
    except ContentError as error:
        flash(str(error), "error")
    return _back()


@bp.route("/phrasings/<int:phrasing_id>/delete", methods=["POST"])
@requires(EDITOR)
def delete_phrasing(phrasing_id: int):
    try:
        repos.faq().delete_phrasing(phrasing_id, current_user.username)
        flash(t("content.phrasing_deleted"))
    except ContentError as error:
        flash(str(error), "error")
    return _back()


register({
    "content.title": {"es": "Respuestas y preguntas frecuentes", "en": "Answers and FAQ entries"},
    "content.kind": {"es": "Tipo", "en": "Kind"},
    "content.kind.answer": {"es": "Respuesta", "en": "Answer"},
    "content.kind.faq": {"es": "Pregunta frecuente", "en": "FAQ entry"},
    "content.area": {"es": "Área", "en": "Area"},
    "content.topic": {"es": "Tema", "en": "Topic"},
    "content.language": {"es": "Idioma", "en": "Language"},
    "content.review": {"es": "Revisión", "en": "Review"},
    "content.review.blocker": {"es": "bloqueante", "en": "blocker"},
    "content.review.improve": {"es": "mejorar", "en": "improve"},
    "content.review.ok": {"es": "ok", "en": "ok"},
    "content.stale": {"es": "Desactualizada", "en": "Stale"},
    "content.stale_hint": {"es": "fuentes de hace más de {months} meses", "en": "sources older than {months} months"},
    "content.state": {"es": "Flujo", "en": "Workflow"},
    "content.state.waiting": {"es": "esperando revisión", "en": "waiting for review"},
    "content.state.draft": {"es": "con borrador", "en": "has a draft"},
    "content.missing": {"es": "Falta traducción", "en": "Missing translation"},
    "content.missing_title": {"es": "Temas sin traducción publicada", "en": "Topics without a published translation"},
    "content.status.draft": {"es": "borrador", "en": "draft"},
    "content.status.submitted": {"es": "enviada a revisión", "en": "submitted"},
    "content.status.published": {"es": "publicada", "en": "published"},
    "content.status.archived": {"es": "archivada", "en": "archived"},
    "content.live": {"es": "En el bot: versión {version}", "en": "Live in the bot: version {version}"},
    "content.not_live": {"es": "Todavía no hay texto publicado en este idioma.",
                         "en": "Nothing is published in this language yet."},
    "content.latest": {"es": "Última versión: {version} ({status}, de {by})",
                       "en": "Latest version: {version} ({status}, by {by})"},
    "content.changes_requested": {"es": "{by} pidió cambios: {comment}", "en": "{by} asked for changes: {comment}"},
    "content.field.title": {"es": "Título", "en": "Title"},
    "content.field.short": {"es": "Resumen corto", "en": "Short summary"},
    "content.field.body": {"es": "Texto", "en": "Text"},
    "content.field.details": {"es": "Más información (opcional)", "en": "More information (optional)"},
    "content.field.follow_ups": {"es": "Temas relacionados (ids separados por comas)",
                                 "en": "Related topics (ids, comma separated)"},
    "content.field.sources": {"es": "Fuentes: una por línea, «nombre | https://…»",
                              "en": "Sources: one per line, “name | https://…”"},
    "content.field.valid_as_of": {"es": "Vigente a (AAAA, AAAA-MM o AAAA-MM-DD)",
                                  "en": "Valid as of (YYYY, YYYY-MM or YYYY-MM-DD)"},
    "content.field.review_status": {"es": "Estado de revisión", "en": "Review status"},
    "content.field.review_note": {"es": "Nota de revisión", "en": "Review note"},
    "content.field.question": {"es": "Pregunta", "en": "Question"},
    "content.field.answer": {"es": "Respuesta", "en": "Answer"},
    "content.save_draft": {"es": "Guardar borrador", "en": "Save draft"},
    "content.save_submit": {"es": "Guardar y enviar a revisión", "en": "Save and submit for review"},
    "content.submit": {"es": "Enviar a revisión", "en": "Submit for review"},
    "content.approve": {"es": "Aprobar y publicar", "en": "Approve and publish"},
    "content.request_changes": {"es": "Pedir cambios", "en": "Request changes"},
    "content.comment": {"es": "Comentario para quien editó", "en": "Comment for the editor"},
    "content.review_title": {"es": "Revisión de la versión {version} (enviada por {by})",
                             "en": "Review of version {version} (submitted by {by})"},
    "content.own_draft": {"es": "No puede publicar su propio borrador: otra persona revisora debe aprobarlo.",
                          "en": "You cannot publish your own draft: another reviewer must approve it."},
    "content.editor_cannot_publish": {"es": "Una persona revisora aprobará y publicará esta versión.",
                                      "en": "A reviewer will approve and publish this version."},
    "content.conflict": {"es": "Conflicto: {by} guardó la versión {version} mientras usted editaba la versión "
                               "{base}. No se guardó nada. Su texto sigue abajo: compárelo con la versión {version} "
                               "y guarde otra vez si quiere reemplazarla.",
                         "en": "Conflict: {by} saved version {version} while you were editing version {base}. "
                               "Nothing was saved. Your text is below: compare it with version {version} and save "
                               "again to replace it."},
    "content.draft_saved": {"es": "Borrador guardado (versión {version}).", "en": "Draft saved (version {version})."},
    "content.submitted": {"es": "Versión {version} enviada a revisión.", "en": "Version {version} submitted."},
    "content.published": {"es": "Versión {version} publicada. El bot ya la usa.",
                          "en": "Version {version} published. The bot uses it now."},
    "content.sent_back": {"es": "Versión {version} devuelta con su comentario.",
                          "en": "Version {version} sent back with your comment."},
    "content.comment_required": {"es": "Escriba qué hay que cambiar.", "en": "Say what to change."},
    "content.rolled_back": {"es": "Publicada la versión {version}, copia de la versión {old}.",
                            "en": "Published version {version}, a copy of version {old}."},
    "content.unknown_topics": {"es": "Temas desconocidos: {topics}", "en": "Unknown topics: {topics}"},
    "content.source_needs_name": {"es": "Cada fuente necesita un nombre: «{line}»",
                                  "en": "Every source needs a name: “{line}”"},
    "content.preview": {"es": "Vista previa", "en": "Preview"},
    "content.preview_note": {"es": "Se actualiza mientras escribe.", "en": "Updates as you type."},
    "content.chars": {"es": "{length} de {limit} caracteres", "en": "{length} of {limit} characters"},
    "content.chars_nolimit": {"es": "{length} caracteres (sin límite)", "en": "{length} characters (no limit)"},
    "content.parts": {"es": "Se envía en {count} mensajes.", "en": "Sent as {count} messages."},
    "content.history": {"es": "Historial", "en": "History"},
    "content.version": {"es": "Versión", "en": "Version"},
    "content.by": {"es": "Por", "en": "By"},
    "content.when": {"es": "Cuándo", "en": "When"},
    "content.show_diff": {"es": "Cambios", "en": "Changes"},
    "content.diff_title": {"es": "Cambios de la versión {old} a la {new}", "en": "Changes from version {old} to {new}"},
    "content.rollback": {"es": "Volver a esta versión", "en": "Restore this version"},
    "content.faq_entries": {"es": "Preguntas frecuentes de este tema", "en": "FAQ entries of this topic"},
    "content.faq_new": {"es": "Nueva pregunta frecuente", "en": "New FAQ entry"},
    "content.faq_name": {"es": "Nombre corto (letras, números, guiones)",
                         "en": "Short name (letters, digits, hyphens)"},
    "content.faq_create": {"es": "Crear", "en": "Create"},
    "content.faq_created": {"es": "Pregunta {slug} creada. Escriba su texto.",
                            "en": "Entry {slug} created. Write its text."},
    "content.phrasings": {"es": "Formas de preguntar", "en": "Phrasings"},
    "content.phrasing": {"es": "Frase", "en": "Phrasing"},
    "content.matches": {"es": "Mensajes que coincidieron", "en": "Messages matched"},
    "content.phrasing_add": {"es": "Añadir frase", "en": "Add phrasing"},
    "content.phrasing_added": {"es": "Frase añadida. Se usa desde el próximo mensaje.",
                               "en": "Phrasing added. It is used from the next message."},
    "content.phrasing_exists": {"es": "Esa frase ya estaba.", "en": "That phrasing was already there."},
    "content.phrasing_deleted": {"es": "Frase borrada.", "en": "Phrasing deleted."},
    "content.delete": {"es": "Borrar", "en": "Delete"},
    "content.any_language": {"es": "cualquier idioma", "en": "any language"},
    "content.edit": {"es": "Editar", "en": "Edit"},
    "content.unknown_language": {"es": "No hay ningún idioma «{code}». Se muestran todos los idiomas.",
                                 "en": "There is no language “{code}”. All languages are shown."},
    "content.spanish_title": {"es": "Texto en español (publicado, versión {version})",
                              "en": "Spanish text (published, version {version})"},
    "content.spanish_note": {"es": "Traduzca a partir de este texto. Solo se puede leer aquí.",
                             "en": "Translate from this text. It is read-only here."},
    "content.spanish_follow_ups": {"es": "Temas relacionados", "en": "Related topics"},
    "content.spanish_sources": {"es": "Fuentes", "en": "Sources"},
    "content.spanish_missing": {"es": "Todavía no hay texto publicado en español. Publíquelo primero: es el "
                                      "texto del que se traduce.",
                                "en": "Nothing is published in Spanish yet. Publish it first: translations are "
                                      "made from it."},
})
