"""Languages: which languages exist and which are offered to users (admins), what each still lacks (interface
texts, answers, the safety answers a language needs before it is offered), and the translation of the interface
texts: every key with the Spanish text beside an input, saved as drafts (editors), published by a reviewer.
Every change is audited by the repository (bot.content.interface)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from bot.content.interface import LanguageRepository, LanguageView, current_catalog, missing_keys
from bot.content.topics import SAFETY_TOPICS
from bot.content.workflow import ContentError
from bot.language import SEED_TEXTS
from bot.staff.models import ADMIN, EDITOR, REVIEWER
from console import repos
from console.i18n import register, t
from console.permissions import requires

bp = Blueprint("languages", __name__, url_prefix="/languages")

register({
    "nav.languages": {"es": "Idiomas", "en": "Languages"},
    "languages.title": {"es": "Idiomas", "en": "Languages"},
    "languages.intro": {
        "es": "Un idioma aparece en el menú de idiomas del asistente cuando está ofrecido, tiene todos los textos "
              "de la interfaz publicados y las respuestas de seguridad publicadas. Las respuestas que faltan se "
              "muestran en español, con un aviso.",
        "en": "A language appears in the assistant's language menu when it is offered, has every interface text "
              "published and the safety answers published. Missing answers are shown in Spanish, with a note."},
    "languages.code": {"es": "Código", "en": "Code"},
    "languages.autonym": {"es": "Nombre en el propio idioma", "en": "Name in the language itself"},
    "languages.offered": {"es": "Ofrecido", "en": "Offered"},
    "languages.in_menu": {"es": "En el menú", "en": "In the menu"},
    "languages.missing_texts": {"es": "Textos de interfaz que faltan", "en": "Interface texts missing"},
    "languages.missing_answers": {"es": "Respuestas que faltan", "en": "Answers missing"},
    "languages.missing_safety": {"es": "Respuestas de seguridad que faltan", "en": "Safety answers missing"},
    "languages.translate": {"es": "Traducir textos", "en": "Translate texts"},
    "languages.add": {"es": "Añadir idioma", "en": "Add language"},
    "languages.added": {"es": "Idioma añadido.", "en": "Language added."},
    "languages.offer": {"es": "Ofrecer", "en": "Offer"},
    "languages.withdraw": {"es": "Dejar de ofrecer", "en": "Stop offering"},
    "languages.yes": {"es": "sí", "en": "yes"},
    "languages.no": {"es": "no", "en": "no"},
    "languages.texts_title": {"es": "Textos de la interfaz", "en": "Interface texts"},
    "languages.texts_intro": {
        "es": "Escriba cada texto en este idioma. Conserve las palabras entre llaves ({days}) tal cual. Guardar "
              "crea borradores; una persona revisora los publica.",
        "en": "Write each text in this language. Keep the words in braces ({days}) as they are. Saving creates "
              "drafts; a reviewer publishes them."},
    "languages.key": {"es": "Clave", "en": "Key"},
    "languages.spanish": {"es": "Español", "en": "Spanish"},
    "languages.state": {"es": "Estado", "en": "State"},
    "languages.state_published": {"es": "publicado", "en": "published"},
    "languages.state_draft": {"es": "borrador", "en": "draft"},
    "languages.state_missing": {"es": "falta", "en": "missing"},
    "languages.save_drafts": {"es": "Guardar borradores", "en": "Save drafts"},
    "languages.drafts_saved": {"es": "Borradores guardados: {count}.", "en": "Drafts saved: {count}."},
    "languages.publish": {"es": "Publicar borradores", "en": "Publish drafts"},
    "languages.published": {"es": "Textos publicados: {count}.", "en": "Texts published: {count}."},
})


def languages() -> LanguageRepository:
    return LanguageRepository(repos.database_url())


@dataclass(frozen=True)
class LanguageRow:
    language: LanguageView
    in_menu: bool
    missing_texts: int
    missing_answers: int
    missing_safety: tuple[str, ...]


def _rows() -> list[LanguageRow]:
    catalog = current_catalog(repos.database_url())
    if catalog is None:
        abort(503)
    coverage = repos.content().coverage()
    topics = [topic.id for topic in repos.content().list_topics()]
    in_menu = {language.code for language in catalog.menu_languages()}
    return [LanguageRow(language, language.code in in_menu, len(catalog.missing_keys(language.code)),
                        sum(language.code not in coverage.get(topic, set()) for topic in topics),
                        tuple(topic for topic in SAFETY_TOPICS if language.code not in coverage.get(topic, set())))
            for language in catalog.languages]


@bp.route("/")
@requires(EDITOR)
def index():
    return render_template("languages/index.html", rows=_rows(), form={"code": "", "autonym": ""}, errors=[])


@bp.route("/add", methods=["POST"])
@requires(ADMIN)
def add():
    form = {"code": request.form.get("code", ""), "autonym": request.form.get("autonym", "")}
    try:
        languages().add(form["code"], form["autonym"], by=current_user.username)
    except ContentError as error:
        return render_template("languages/index.html", rows=_rows(), form=form, errors=[str(error)]), 400
    flash(t("languages.added"))
    return redirect(url_for("languages.index"))


@bp.route("/<code>/offered", methods=["POST"])
@requires(ADMIN)
def offered(code: str):
    try:
        languages().set_offered(code, request.form.get("offered") == "yes", by=current_user.username)
    except ContentError:
        abort(404)
    flash(t("common.saved"))
    return redirect(url_for("languages.index"))


def _language(code: str) -> LanguageView:
    found = next((language for language in languages().languages() if language.code == code), None)
    if found is None:
        abort(404)
    return found


@bp.route("/<code>/texts", methods=["GET", "POST"])
@requires(EDITOR)
def texts(code: str):
    language, errors, status = _language(code), [], 200
    if request.method == "POST":
        posted = {key: request.form.get(f"text-{key}", "") for key in SEED_TEXTS}
        try:
            saved = languages().save_drafts(code, posted, by=current_user.username)
        except ContentError as error:
            errors, status = [str(error)], 400
        else:
            flash(t("languages.drafts_saved", count=len(saved)))
            return redirect(url_for("languages.texts", code=code))
    repo = languages()
    published, drafts, spanish = repo.published(code), repo.drafts(code), repo.published("es")
    missing = set(missing_keys(published, code))
    entries = [{"key": key, "spanish": spanish.get(key) or seed.get("es", ""),
                "value": drafts.get(key, published.get(key) or seed.get(code, "")),
                "state": "draft" if key in drafts else "missing" if key in missing else "published"}
               for key, seed in SEED_TEXTS.items()]
    return render_template("languages/texts.html", language=language, entries=entries, errors=errors,
                           has_drafts=bool(drafts)), status


@bp.route("/<code>/publish", methods=["POST"])
@requires(REVIEWER)
def publish(code: str):
    _language(code)
    published = languages().publish_drafts(code, by=current_user.username)
    flash(t("languages.published", count=len(published)))
    return redirect(url_for("languages.texts", code=code))
