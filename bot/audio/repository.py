"""Audio of answers and FAQ entries: what the console uploads or generates, what the actions offer and the
channels send. `kind` says what the audio is of: ANSWER (`ident` is a topic id) or FAQ (`ident` is an entry slug).

    audio = AudioRepository()
    audio.upload("labour.h2a", "es", 3, data, by="ana")     # a recording for version 3, converted to OGG/Opus
    audio.synthesize("labour.h2a", "es", by="system")       # espeak-ng for the published version
    audio.for_answer("labour.h2a", "es")                     # the published version's audio (None if none)
    audio.ensure("labour.h2a", "es")                         # the same, generating synthetic audio when missing
    audio.ensure("labour.h2a/family", "es", kind=FAQ)        # an FAQ entry's
    audio.ensure("labour.h2a", "es", part=DETAILS)           # an answer's "Más información"

Synthetic audio reads the text and then the reply's numbered options (bot/audio/script.py); it is made again
when that script changed (a follow-up renamed, say). A recording is never replaced except by staff.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.audio import convert, script
from bot.audio.models import AnswerAudio, AudioFile, FaqAudio
from bot.audio.storage import AudioStore, default_store
from bot.content.models import PUBLISHED, AnswerVersion, FaqEntry, FaqVersion
from bot.content.repository import FALLBACK_LANGUAGE, ContentRepository
from bot.content.workflow import ContentError, target_id
from bot.db import session_scope
from bot.settings import get_settings
from bot.staff.audit import record

ANSWER, FAQ = "answer", "faq"
KINDS = (ANSWER, FAQ)
BODY, DETAILS = "body", "details"  # the parts of an answer that can be heard (an FAQ entry has a body only)
PARTS = (BODY, DETAILS)


@dataclass(frozen=True)
class AudioView:
    kind: str
    ident: str  # the topic id of an answer, the slug of an FAQ entry
    lang: str
    version: int
    key: str
    mime: str
    bytes: int
    duration_seconds: Optional[float]
    synthetic: bool
    created_by: str
    created_at: dt.datetime
    part: str = BODY


def _view(kind: str, ident: str, row: AudioFile, version: Any) -> AudioView:
    return AudioView(kind, ident, row.lang, version.version, row.storage_key, row.mime, row.bytes,
                     row.duration_seconds, bool(row.synthetic), row.created_by, row.created_at, row.part or BODY)


def _audio_of(version: Any, part: str) -> Optional[AudioFile]:
    """The version's audio of one part, or None."""
    return next((row for row in version.audio if (row.part or BODY) == part), None)


def _has_part(version: Any, kind: str, part: str) -> bool:
    """Whether the version has that part to read: every version has a body; an answer may have details."""
    return part == BODY or (kind == ANSWER and part == DETAILS and bool((version.details or "").strip()))


def _versions(kind: str, ident: str):
    """The query of every version of one answer or FAQ entry."""
    if kind == ANSWER:
        return select(AnswerVersion).where(AnswerVersion.topic_id == ident)
    if kind == FAQ:
        return select(FaqVersion).join(FaqEntry, FaqVersion.entry_id == FaqEntry.id).where(FaqEntry.slug == ident)
    raise ValueError(f"unknown kind of audio: {kind!r}")


def _model(kind: str):
    return (AnswerVersion, AnswerAudio) if kind == ANSWER else (FaqVersion, FaqAudio)


class AudioRepository:
    def __init__(self, database_url: Optional[str] = None, store: Optional[AudioStore] = None) -> None:
        self.database_url = database_url
        self.store = store or default_store()

    # --- what the voice says --------------------------------------------------------------------------------
    def spoken_text(self, version: Any, kind: str = ANSWER, part: str = BODY) -> str:
        """The script of a version (an AnswerVersion or FaqVersion row): its text (the body, or an answer's
        details), then its options by number, as the reply shows them."""
        content = ContentRepository(self.database_url)
        if kind == ANSWER:
            titles = [title for _, title in content.follow_ups(version.topic_id, version.follow_ups, version.lang)]
            more = bool(version.details) and part == BODY  # "Más información" is not offered after the details
            options = script.answer_option_titles(titles, more, version.lang)
            text = version.details if part == DETAILS else version.body
            return script.script(version.title, text or "", options, version.lang)
        topic_id = Session.object_session(version).get(FaqEntry, version.entry_id).topic_id
        overview = content.titles([topic_id], version.lang).get(topic_id)
        return script.script(version.question, version.answer, script.faq_option_titles(overview, version.lang),
                             version.lang)

    def script_of(self, ident: str, lang: str, version: int, kind: str = ANSWER, part: str = BODY) -> str:
        """What a recording of one version should say (the console shows it to whoever records)."""
        with session_scope(self.database_url) as s:
            return self.spoken_text(self._checked_part(self._version(s, kind, ident, lang, version), kind, part),
                                    kind, part)

    @staticmethod
    def _checked_part(version: Any, kind: str, part: str) -> Any:
        if not _has_part(version, kind, part):
            raise ContentError(f"version {version.version} has no {part} to read")
        return version

    # --- finding versions -----------------------------------------------------------------------------------
    def _version(self, s: Session, kind: str, ident: str, lang: str, version: Optional[int]) -> Any:
        model = _model(kind)[0]
        query = _versions(kind, ident).where(model.lang == lang)
        query = query.where(model.version == version) if version else query.where(model.status == PUBLISHED)
        row = s.scalars(query).first()
        if row is None:
            raise ContentError(f"no such {kind}: {target_id(ident, lang)} v{version or 'published'}")
        return row

    def _published(self, s: Session, kind: str, ident: str, lang: str) -> Optional[Any]:
        """The published version in `lang`, else the Spanish one (as the text itself falls back), else None."""
        model = _model(kind)[0]
        for candidate in dict.fromkeys((lang, FALLBACK_LANGUAGE)):
            row = s.scalars(_versions(kind, ident).where(model.lang == candidate, model.status == PUBLISHED)).first()
            if row is not None:
                return row
        return None

    # --- saving -----------------------------------------------------------------------------------------------
    def _attach(self, kind: str, ident: str, lang: str, version: Optional[int], audio: convert.Converted, by: str,
                synthetic: bool, sha: Optional[str] = None, replace: bool = True, part: str = BODY) -> AudioView:
        """Keep `audio` as the version's audio. With `replace` False, audio made meanwhile by someone else for the
        same script (or a recording) is kept and returned instead."""
        audio_model = _model(kind)[1]
        with session_scope(self.database_url) as s:
            row_version = self._checked_part(self._version(s, kind, ident, lang, version), kind, part)
            current = _audio_of(row_version, part)
            if current is not None and not replace and (not current.synthetic or current.script_sha == sha):
                return _view(kind, ident, current, row_version)
            safe_ident = ident.replace("/", "_")
            prefix = "" if kind == ANSWER else "faq-"
            suffix = "" if part == BODY else f"-{part}"
            key = f"{prefix}{safe_ident}-{lang}-v{row_version.version}{suffix}-{secrets.token_hex(8)}.ogg"
            self.store.put(key, audio.data)
            if current is not None:  # the previous file goes when this is committed
                row_version.audio.remove(current)
            s.flush()
            row = audio_model(lang=lang, storage_key=key, mime=convert.OGG_MIME, bytes=len(audio.data),
                              duration_seconds=audio.duration, synthetic=synthetic, script_sha=sha, part=part,
                              created_by=by[:64])
            row_version.audio.append(row)
            s.flush()
            record(s, by, f"{kind}.audio", kind, target_id(ident, lang),
                   after={"version": row_version.version, "part": part, "synthetic": synthetic,
                          "bytes": len(audio.data), "duration_seconds": audio.duration})
            return _view(kind, ident, row, row_version)

    def upload(self, ident: str, lang: str, version: int, data: bytes, by: str, kind: str = ANSWER,
               part: str = BODY) -> AudioView:
        """A staff recording (OGG/Opus, MP3 or M4A) for one version. AudioError("too_large" | "not_audio")."""
        max_bytes = int(get_settings().audio_max_mb * 1024 * 1024)
        return self._attach(kind, ident, lang, version, convert.convert_upload(data, max_bytes), by, synthetic=False,
                            part=part)

    def synthesize(self, ident: str, lang: str, version: Optional[int] = None, by: str = "system",
                   replace: bool = True, kind: str = ANSWER, part: str = BODY) -> AudioView:
        """espeak-ng reading the version's script (the published version by default). With `replace` False,
        audio of the same script (or a recording) that appeared while it was being made is kept instead."""
        with session_scope(self.database_url) as s:
            row = self._checked_part(self._version(s, kind, ident, lang, version), kind, part)
            spoken = self.spoken_text(row, kind, part)
        return self._attach(kind, ident, lang, version, convert.synthesize(spoken, lang), by, synthetic=True,
                            sha=script.script_sha(spoken), replace=replace, part=part)

    # --- reading ----------------------------------------------------------------------------------------------
    def audio_of(self, ident: str, lang: str, kind: str = ANSWER, part: str = BODY) -> dict[int, AudioView]:
        """version -> its audio of `part`, for every version of one answer (or FAQ entry) that has some."""
        version_model = _model(kind)[0]
        with session_scope(self.database_url) as s:
            rows = s.scalars(_versions(kind, ident).where(version_model.lang == lang)).all()
            return {row.version: _view(kind, ident, _audio_of(row, part), row) for row in rows
                    if _audio_of(row, part) is not None}

    def for_answer(self, ident: str, lang: str, kind: str = ANSWER, part: str = BODY) -> Optional[AudioView]:
        """The audio of the published version in `lang` (Spanish when it has no `lang` text, like the text)."""
        with session_scope(self.database_url) as s:
            version = self._published(s, kind, ident, lang)
            audio = _audio_of(version, part) if version is not None else None
            return _view(kind, ident, audio, version) if audio is not None else None

    def available(self, ident: str, lang: str, kind: str = ANSWER, part: str = BODY) -> bool:
        """Whether the published version can be heard: it has audio, or synthetic audio can be made for it."""
        with session_scope(self.database_url) as s:
            version = self._published(s, kind, ident, lang)
            return version is not None and _has_part(version, kind, part) and (
                _audio_of(version, part) is not None or convert.can_synthesize(version.lang))

    def ensure(self, ident: str, lang: str, kind: str = ANSWER, part: str = BODY) -> Optional[AudioView]:
        """The published version's audio: a recording, or synthetic audio of its current script, made (and kept)
        now when there is none or the script changed. None when it cannot be heard."""
        with session_scope(self.database_url) as s:
            version = self._published(s, kind, ident, lang)
            if version is None or not _has_part(version, kind, part):
                return None
            current = _audio_of(version, part)
            if current is not None and not current.synthetic:
                return _view(kind, ident, current, version)
            spoken = self.spoken_text(version, kind, part)
            sha = script.script_sha(spoken)
            if current is not None and current.script_sha == sha:
                return _view(kind, ident, current, version)
            existing = _view(kind, ident, current, version) if current is not None else None
            version_lang, number = version.lang, version.version
        if not convert.can_synthesize(version_lang):
            return existing
        try:
            return self._attach(kind, ident, version_lang, number, convert.synthesize(spoken, version_lang),
                                "system", synthetic=True, sha=sha, replace=False, part=part)
        except IntegrityError:  # two first requests at once: the other one's audio was saved first
            return self.for_answer(ident, lang, kind, part)

    def delete(self, ident: str, lang: str, version: int, by: str, kind: str = ANSWER, part: str = BODY) -> bool:
        """Remove one version's audio of `part` (row now, file once committed). False when it had none."""
        with session_scope(self.database_url) as s:
            row_version = self._version(s, kind, ident, lang, version)
            current = _audio_of(row_version, part)
            if current is None:
                return False
            row_version.audio.remove(current)
            record(s, by, f"{kind}.audio_delete", kind, target_id(ident, lang), after={"version": version,
                                                                                       "part": part})
            return True
