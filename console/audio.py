"""Audio of answers and FAQ entries, on their console page: staff upload a recording (OGG/Opus, MP3 or M4A; checked
by its bytes, converted to OGG/Opus) or generate synthetic audio (espeak-ng, Spanish and English), listen to it, or
remove it. The page shows the script to record: what the synthetic voice reads, options by number included.
Every change is audited (bot.audio.repository).

    /content/answers/<topic_id>/<lang>/audio...     an answer's
    /content/faq/<slug>/<lang>/audio...             an FAQ entry's (the slug has a "/")
"""
from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_login import current_user

from bot.audio.convert import AudioError, can_synthesize
from bot.audio.repository import ANSWER, BODY, FAQ, PARTS, AudioRepository
from bot.content.interface import LanguageRepository
from bot.content.repository import ContentError
from bot.settings import get_settings
from bot.staff.models import EDITOR
from console import repos
from console.i18n import register, t
from console.permissions import requires

bp = Blueprint("audio", __name__, url_prefix="/content")
# Each route serves both kinds: the answer's rule and the FAQ entry's (a slug is a path: "labour.h2a/family").
RULES = {ANSWER: "/answers/<ident>/<lang>/audio", FAQ: "/faq/<path:ident>/<lang>/audio"}
EDITORS = {ANSWER: ("content.edit_answer", "topic_id"), FAQ: ("content.edit_faq", "slug")}


def route(suffix: str, methods: list[str]):
    """Register a view under both kinds' rules, with `kind` given by the rule."""
    def register_both(view):
        for kind, rule in RULES.items():
            view = bp.route(rule + suffix, methods=methods, defaults={"kind": kind})(view)
        return view

    return register_both


def _audio() -> AudioRepository:
    return AudioRepository(repos.database_url())


def _checked(kind: str, ident: str, lang: str) -> None:
    known = ({topic.id for topic in repos.content().list_topics()} if kind == ANSWER
             else set(dict(repos.faq().entries())))
    if not LanguageRepository(repos.database_url()).is_defined(lang) or ident not in known:
        abort(404)


def _part() -> str:
    """The part of an answer the request is about: "body" (the default) or "details" ("Más información")."""
    part = request.values.get("part", BODY)
    if part not in PARTS:
        abort(404)
    return part


def _back(kind: str, ident: str, lang: str):
    endpoint, name = EDITORS[kind]
    return redirect(url_for(endpoint, **{name: ident}, lang=lang) + "#audio")


@bp.app_context_processor
def audio_panel() -> dict[str, Any]:
    """`answer_audio(kind, key, lang)` for the editor page: part -> version -> its audio, whether synthesis works,
    and `script(version, part)`: what a recording of that part should say (what the synthetic voice reads)."""
    def answer_audio(kind: str, key: str, lang: str) -> dict[str, Any]:
        audio = _audio()

        def script(version: int, part: str = BODY) -> Optional[str]:
            try:
                return audio.script_of(key, lang, version, kind, part)
            except ContentError:
                return None

        parts = PARTS if kind == ANSWER else (BODY,)
        return {"by_part": {part: audio.audio_of(key, lang, kind, part) for part in parts},
                "can_synthesize": can_synthesize(lang), "max_mb": get_settings().audio_max_mb, "script": script}

    return {"answer_audio": answer_audio}


@route("", methods=["POST"])
@requires(EDITOR)
def upload(kind: str, ident: str, lang: str):
    _checked(kind, ident, lang)
    version = request.form.get("version", type=int)
    file = request.files.get("audio")
    if not version or file is None or not file.filename:
        flash(t("audio.choose_file"), "error")
        return _back(kind, ident, lang)
    limit = int(get_settings().audio_max_mb * 1024 * 1024)
    data = file.read(limit + 1)  # one byte more than allowed is enough to refuse it
    try:
        saved = _audio().upload(ident, lang, version, data, by=current_user.username, kind=kind, part=_part())
    except AudioError as error:
        key = "audio.too_large" if str(error) == "too_large" else "audio.not_audio" if str(
            error) == "not_audio" else "audio.failed"
        flash(t(key, mb=f"{get_settings().audio_max_mb:g}"), "error")
    except ContentError as error:
        flash(str(error), "error")
    else:
        flash(t("audio.uploaded", version=saved.version))
    return _back(kind, ident, lang)


@route("/synthesize", methods=["POST"])
@requires(EDITOR)
def synthesize(kind: str, ident: str, lang: str):
    _checked(kind, ident, lang)
    version = request.form.get("version", type=int)
    try:
        saved = _audio().synthesize(ident, lang, version, by=current_user.username, kind=kind, part=_part())
    except AudioError:
        flash(t("audio.failed"), "error")
    except ContentError as error:
        flash(str(error), "error")
    else:
        flash(t("audio.synthesized", version=saved.version))
    return _back(kind, ident, lang)


@route("/<int:version>/delete", methods=["POST"])
@requires(EDITOR)
def delete(kind: str, ident: str, lang: str, version: int):
    _checked(kind, ident, lang)
    try:
        removed = _audio().delete(ident, lang, version, by=current_user.username, kind=kind, part=_part())
    except ContentError as error:
        flash(str(error), "error")
    else:
        flash(t("audio.deleted" if removed else "audio.none", version=version))
    return _back(kind, ident, lang)


@route("/<int:version>", methods=["GET"])
@requires(EDITOR)
def listen(kind: str, ident: str, lang: str, version: int):
    _checked(kind, ident, lang)
    audio = _audio().audio_of(ident, lang, kind, _part()).get(version)
    data = _audio().store.get(audio.key) if audio else None
    if data is None:
        abort(404)
    return Response(data, mimetype=audio.mime, headers={"Cache-Control": "private, no-store"})


register({
    "audio.title": {"es": "Audio", "en": "Audio"},
    "audio.intro": {"es": "Las personas pueden elegir «Escuchar» después de la respuesta publicada. Suba una "
                          "grabación (OGG, MP3 o M4A, hasta {mb} MB) o genere una voz sintética.",
                    "en": "People can choose “Listen” after the published answer. Upload a recording (OGG, MP3 or "
                          "M4A, up to {mb} MB) or generate a synthetic voice."},
    "audio.part.body": {"es": "Respuesta", "en": "Answer"},
    "audio.part.details": {"es": "Más información", "en": "More information"},
    "audio.script": {"es": "Texto para grabar (con las opciones por número, como se muestran)",
                     "en": "Script to record (with the options by number, as they are shown)"},
    "audio.recording": {"es": "grabación", "en": "recording"},
    "audio.synthetic": {"es": "sintético", "en": "synthetic"},
    "audio.seconds": {"es": "{seconds} s", "en": "{seconds} s"},
    "audio.no_audio": {"es": "Sin audio.", "en": "No audio."},
    "audio.file": {"es": "Grabación", "en": "Recording"},
    "audio.upload": {"es": "Subir grabación", "en": "Upload recording"},
    "audio.generate": {"es": "Generar audio sintético", "en": "Generate synthetic audio"},
    "audio.remove": {"es": "Quitar audio", "en": "Remove audio"},
    "audio.choose_file": {"es": "Elija un archivo de audio.", "en": "Choose an audio file."},
    "audio.not_audio": {"es": "El archivo no es un audio OGG, MP3 o M4A. No se guardó nada.",
                        "en": "The file is not OGG, MP3 or M4A audio. Nothing was saved."},
    "audio.too_large": {"es": "El audio pasa de {mb} MB. No se guardó nada.",
                        "en": "The audio is larger than {mb} MB. Nothing was saved."},
    "audio.failed": {"es": "No se pudo convertir el audio. No se guardó nada.",
                     "en": "The audio could not be converted. Nothing was saved."},
    "audio.uploaded": {"es": "Grabación guardada para la versión {version}.",
                       "en": "Recording saved for version {version}."},
    "audio.synthesized": {"es": "Audio sintético generado para la versión {version}.",
                          "en": "Synthetic audio generated for version {version}."},
    "audio.deleted": {"es": "Audio de la versión {version} quitado.", "en": "Audio of version {version} removed."},
    "audio.none": {"es": "La versión {version} no tenía audio.", "en": "Version {version} had no audio."},
})
