"""Audio of answers, on the answer's page: staff upload a recording (OGG/Opus, MP3 or M4A; checked by its bytes,
converted to OGG/Opus) or generate synthetic audio (espeak-ng, Spanish and English), listen to it, or remove it.
Every change is audited (bot.audio.repository)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_login import current_user

from bot.audio.convert import AudioError, can_synthesize
from bot.audio.repository import AudioRepository
from bot.content.interface import LanguageRepository
from bot.content.repository import ContentError
from bot.settings import get_settings
from bot.staff.models import EDITOR
from console import repos
from console.i18n import register, t
from console.permissions import requires

bp = Blueprint("audio", __name__, url_prefix="/content/answers")


def _audio() -> AudioRepository:
    return AudioRepository(repos.database_url())


def _checked(topic_id: str, lang: str) -> None:
    known_language = LanguageRepository(repos.database_url()).is_defined(lang)
    if not known_language or topic_id not in {topic.id for topic in repos.content().list_topics()}:
        abort(404)


def _back(topic_id: str, lang: str):
    return redirect(url_for("content.edit_answer", topic_id=topic_id, lang=lang) + "#audio")


@bp.app_context_processor
def audio_panel() -> dict[str, Any]:
    """`answer_audio(topic_id, lang)` for the answer page: version -> its audio, and whether synthesis works."""
    def answer_audio(topic_id: str, lang: str) -> dict[str, Any]:
        return {"by_version": _audio().audio_of(topic_id, lang), "can_synthesize": can_synthesize(lang),
                "max_mb": get_settings().audio_max_mb}

    return {"answer_audio": answer_audio}


@bp.route("/<topic_id>/<lang>/audio", methods=["POST"])
@requires(EDITOR)
def upload(topic_id: str, lang: str):
    _checked(topic_id, lang)
    version = request.form.get("version", type=int)
    file = request.files.get("audio")
    if not version or file is None or not file.filename:
        flash(t("audio.choose_file"), "error")
        return _back(topic_id, lang)
    limit = int(get_settings().audio_max_mb * 1024 * 1024)
    data = file.read(limit + 1)  # one byte more than allowed is enough to refuse it
    try:
        saved = _audio().upload(topic_id, lang, version, data, by=current_user.username)
    except AudioError as error:
        key = "audio.too_large" if str(error) == "too_large" else "audio.not_audio" if str(
            error) == "not_audio" else "audio.failed"
        flash(t(key, mb=f"{get_settings().audio_max_mb:g}"), "error")
    except ContentError as error:
        flash(str(error), "error")
    else:
        flash(t("audio.uploaded", version=saved.version))
    return _back(topic_id, lang)


@bp.route("/<topic_id>/<lang>/audio/synthesize", methods=["POST"])
@requires(EDITOR)
def synthesize(topic_id: str, lang: str):
    _checked(topic_id, lang)
    version = request.form.get("version", type=int)
    try:
        saved = _audio().synthesize(topic_id, lang, version, by=current_user.username)
    except AudioError:
        flash(t("audio.failed"), "error")
    except ContentError as error:
        flash(str(error), "error")
    else:
        flash(t("audio.synthesized", version=saved.version))
    return _back(topic_id, lang)


@bp.route("/<topic_id>/<lang>/audio/<int:version>/delete", methods=["POST"])
@requires(EDITOR)
def delete(topic_id: str, lang: str, version: int):
    _checked(topic_id, lang)
    try:
        removed = _audio().delete(topic_id, lang, version, by=current_user.username)
    except ContentError as error:
        flash(str(error), "error")
    else:
        flash(t("audio.deleted" if removed else "audio.none", version=version))
    return _back(topic_id, lang)


@bp.route("/<topic_id>/<lang>/audio/<int:version>", methods=["GET"])
@requires(EDITOR)
def listen(topic_id: str, lang: str, version: int):
    _checked(topic_id, lang)
    audio = _audio().audio_of(topic_id, lang).get(version)
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
