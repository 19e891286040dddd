"""The unanswered-questions inbox: what people asked that the bot could not answer (already redacted), similar
questions grouped (bot.content.inbox), and what staff do with a group: teach it to a topic or FAQ entry (used by
the next message, no retraining), open a draft FAQ entry for it, or dismiss it. All changes are audited.
The taught phrasings download as Rasa NLU YAML for the next training run."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from bot.content.examples import nlu_yaml
from bot.content.inbox import TAUGHT_ORIGIN, AlreadyHandled, UnansweredInbox
from bot.content.repository import ContentError
from bot.staff.models import EDITOR
from console import repos
from console.i18n import current_language, register, t
from console.permissions import requires

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
PAGE_SIZE = 50


def _inbox() -> UnansweredInbox:
    return UnansweredInbox(repos.database_url())


def _failed(error: ContentError) -> None:
    flash(t("inbox.already_handled") if isinstance(error, AlreadyHandled) else f"{t('inbox.not_done')} {error}",
          "error")


def _ids() -> list[int]:
    try:
        return [int(i) for i in request.form.getlist("ids")]
    except ValueError:
        abort(400)


@bp.route("/")
@requires(EDITOR)
def index():
    inbox = _inbox()
    groups = inbox.groups()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    shown = groups[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return render_template("inbox/index.html", groups=shown, total_groups=len(groups),
                           waiting=sum(g.count for g in groups), counts=inbox.status_counts(), page=page,
                           has_next=len(groups) > page * PAGE_SIZE)


def _targets() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(topic id, its title, [(entry slug, its question)]) for the select: every topic, its FAQ entries."""
    lang = current_language()
    topics = repos.content().list_topics()
    titles = repos.content().titles([topic.id for topic in topics], lang)
    faq = repos.faq()
    slugs = sorted(faq.coverage())
    questions = faq.questions(slugs, lang)
    by_topic: dict[str, list[tuple[str, str]]] = {}
    for slug in slugs:
        by_topic.setdefault(slug.split("/", 1)[0], []).append((slug, questions.get(slug, slug)))
    return [(topic.id, titles.get(topic.id, topic.id), by_topic.get(topic.id, [])) for topic in topics]


@bp.route("/<int:question_id>")
@requires(EDITOR)
def group(question_id: int):
    found = next((g for g in _inbox().groups() if question_id in g.ids), None)
    if found is None:
        flash(t("inbox.already_handled"), "warning")
        return redirect(url_for("inbox.index"))
    return render_template("inbox/group.html", group=found, targets=_targets())


@bp.route("/teach", methods=["POST"])
@requires(EDITOR)
def teach():
    target = (request.form.get("target") or "").strip()
    try:
        _inbox().teach(_ids(), target, actor=current_user.username)
    except ContentError as error:
        _failed(error)
    else:
        flash(t("inbox.taught", target=target))
    return redirect(url_for("inbox.index"))


@bp.route("/new-content", methods=["POST"])
@requires(EDITOR)
def new_content():
    topic_id = (request.form.get("topic_id") or "").strip()
    try:
        slug, lang = _inbox().new_content(_ids(), topic_id, actor=current_user.username)
    except ContentError as error:
        _failed(error)
        return redirect(url_for("inbox.index"))
    flash(t("inbox.draft_opened", slug=slug))
    try:
        return redirect(url_for("content.edit_faq", slug=slug, lang=lang))
    except BuildError:  # the FAQ editor is not there yet: the content list
        return redirect(url_for("content.index"))


@bp.route("/dismiss", methods=["POST"])
@requires(EDITOR)
def dismiss():
    try:
        count = _inbox().dismiss(_ids(), actor=current_user.username)
    except ContentError as error:
        _failed(error)
    else:
        flash(t("inbox.dismissed", count=count))
    return redirect(url_for("inbox.index"))


@bp.route("/taught.yml")
@requires(EDITOR)
def taught_examples():
    """The taught phrasings as Rasa NLU training data (data/nlu/taught.yml for the next training run)."""
    document = nlu_yaml(repos.faq().phrasings(origin=TAUGHT_ORIGIN))
    return Response(document, mimetype="application/x-yaml",
                    headers={"Content-Disposition": "attachment; filename=taught.yml"})


register({
    "inbox.title": {"es": "Preguntas sin respuesta", "en": "Unanswered questions"},
    "inbox.intro": {"es": "Lo que la gente preguntó y el bot no supo responder. Los datos personales ya se quitaron. "
                          "Las preguntas parecidas están juntas.",
                    "en": "What people asked that the bot could not answer. Personal data was already removed. "
                          "Similar questions are grouped."},
    "inbox.waiting": {"es": "{count} preguntas esperan, en {groups} grupos.",
                      "en": "{count} questions waiting, in {groups} groups."},
    "inbox.handled": {"es": "Enseñadas: {taught} · Contenido nuevo: {new} · Descartadas: {dismissed}",
                      "en": "Taught: {taught} · New content: {new} · Dismissed: {dismissed}"},
    "inbox.question": {"es": "Pregunta", "en": "Question"},
    "inbox.count": {"es": "Veces", "en": "Times"},
    "inbox.languages": {"es": "Idiomas", "en": "Languages"},
    "inbox.channels": {"es": "Canales", "en": "Channels"},
    "inbox.newest": {"es": "Última vez (UTC)", "en": "Last asked (UTC)"},
    "inbox.open": {"es": "Resolver", "en": "Resolve"},
    "inbox.wordings": {"es": "Cómo lo preguntaron", "en": "How people asked"},
    "inbox.guess": {"es": "El bot pensó en: {topic}", "en": "The bot guessed: {topic}"},
    "inbox.teach": {"es": "Enseñar", "en": "Teach"},
    "inbox.teach_help": {"es": "Las preguntas quedan como formas de preguntar por el tema o la pregunta frecuente "
                               "elegida. El bot las usa desde el próximo mensaje.",
                         "en": "The questions become ways of asking about the chosen topic or FAQ entry. "
                               "The bot uses them from the next message."},
    "inbox.target": {"es": "Tema o pregunta frecuente", "en": "Topic or FAQ entry"},
    "inbox.whole_topic": {"es": "(todo el tema)", "en": "(the whole topic)"},
    "inbox.new_content": {"es": "Necesita contenido nuevo", "en": "Needs new content"},
    "inbox.new_content_help": {"es": "Abre un borrador de pregunta frecuente con esta pregunta. Hay que escribir la "
                                     "respuesta y sus fuentes.",
                               "en": "Opens a draft FAQ entry with this question. Its answer and sources must be "
                                     "written."},
    "inbox.topic": {"es": "Tema", "en": "Topic"},
    "inbox.dismiss": {"es": "Descartar", "en": "Dismiss"},
    "inbox.export": {"es": "Descargar ejemplos enseñados (YAML de Rasa)", "en": "Download taught examples (Rasa YAML)"},
    "inbox.taught": {"es": "Enseñado a {target}. El bot lo usa desde el próximo mensaje.",
                     "en": "Taught to {target}. The bot uses it from the next message."},
    "inbox.draft_opened": {"es": "Borrador abierto: {slug}. Escriba la respuesta.",
                           "en": "Draft opened: {slug}. Write the answer."},
    "inbox.dismissed": {"es": "{count} preguntas descartadas.", "en": "{count} questions dismissed."},
    "inbox.already_handled": {"es": "Estas preguntas ya se resolvieron.",
                              "en": "These questions were already handled."},
    "inbox.not_done": {"es": "No se hizo el cambio:", "en": "Nothing was changed:"},
    "inbox.next": {"es": "Más antiguas", "en": "Older"},
    "inbox.previous": {"es": "Más recientes", "en": "Newer"},
})
