"""Audio of answers: what the console uploads or generates, what the actions offer and the channels send.

    audio = AudioRepository()
    audio.upload("labour.h2a", "es", 3, data, by="ana")     # a recording for version 3, converted to OGG/Opus
    audio.synthesize("labour.h2a", "es", by="system")       # espeak-ng for the published version
    audio.for_answer("labour.h2a", "es")                     # the published version's audio (None if none)
    audio.ensure("labour.h2a", "es")                         # the same, generating synthetic audio when missing
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.audio import convert
from bot.audio.models import AnswerAudio
from bot.audio.storage import AudioStore, default_store
from bot.content.models import PUBLISHED, AnswerVersion
from bot.content.repository import FALLBACK_LANGUAGE
from bot.content.workflow import ContentError, target_id
from bot.db import session_scope
from bot.settings import get_settings
from bot.staff.audit import record


@dataclass(frozen=True)
class AudioView:
    topic_id: str
    lang: str
    version: int
    key: str
    mime: str
    bytes: int
    duration_seconds: Optional[float]
    synthetic: bool
    created_by: str
    created_at: dt.datetime


def _view(row: AnswerAudio, version: AnswerVersion) -> AudioView:
    return AudioView(version.topic_id, row.lang, version.version, row.storage_key, row.mime, row.bytes,
                     row.duration_seconds, bool(row.synthetic), row.created_by, row.created_at)


def spoken_text(version: AnswerVersion) -> str:
    """What the synthetic voice reads: the title, then the answer (without its links, which a voice cannot say)."""
    lines = [line for line in (version.body or "").splitlines() if "http://" not in line and "https://" not in line]
    return f"{version.title}.\n\n" + "\n".join(lines).strip()


class AudioRepository:
    def __init__(self, database_url: Optional[str] = None, store: Optional[AudioStore] = None) -> None:
        self.database_url = database_url
        self.store = store or default_store()

    def _version(self, s, topic_id: str, lang: str, version: Optional[int]) -> AnswerVersion:
        query = select(AnswerVersion).where(AnswerVersion.topic_id == topic_id, AnswerVersion.lang == lang)
        query = query.where(AnswerVersion.version == version) if version else query.where(
            AnswerVersion.status == PUBLISHED)
        row = s.scalars(query).first()
        if row is None:
            raise ContentError(f"no such answer: {target_id(topic_id, lang)} v{version or 'published'}")
        return row

    def _attach(self, topic_id: str, lang: str, version: Optional[int], audio: convert.Converted, by: str,
                synthetic: bool, replace: bool = True) -> AudioView:
        with session_scope(self.database_url) as s:
            row_version = self._version(s, topic_id, lang, version)
            if row_version.audio and not replace:  # made meanwhile for someone else: theirs is as good
                return _view(row_version.audio[0], row_version)
            key = f"{topic_id}-{lang}-v{row_version.version}-{secrets.token_hex(8)}.ogg"
            self.store.put(key, audio.data)
            for old in list(row_version.audio):  # the previous file goes when this is committed
                row_version.audio.remove(old)
            s.flush()
            row = AnswerAudio(lang=lang, storage_key=key, mime=convert.OGG_MIME, bytes=len(audio.data),
                              duration_seconds=audio.duration, synthetic=synthetic, created_by=by[:64])
            row_version.audio.append(row)
            s.flush()
            record(s, by, "answer.audio", "answer", target_id(topic_id, lang),
                   after={"version": row_version.version, "synthetic": synthetic, "bytes": len(audio.data),
                          "duration_seconds": audio.duration})
            return _view(row, row_version)

    def upload(self, topic_id: str, lang: str, version: int, data: bytes, by: str) -> AudioView:
        """A staff recording (OGG/Opus, MP3 or M4A) for one version. AudioError("too_large" | "not_audio")."""
        max_bytes = int(get_settings().audio_max_mb * 1024 * 1024)
        return self._attach(topic_id, lang, version, convert.convert_upload(data, max_bytes), by, synthetic=False)

    def synthesize(self, topic_id: str, lang: str, version: Optional[int] = None, by: str = "system",
                   replace: bool = True) -> AudioView:
        """espeak-ng reading the version (the published one by default). With `replace` False, audio that appeared
        while it was being made is kept and returned instead."""
        with session_scope(self.database_url) as s:
            text = spoken_text(self._version(s, topic_id, lang, version))
        return self._attach(topic_id, lang, version, convert.synthesize(text, lang), by, synthetic=True,
                            replace=replace)

    def audio_of(self, topic_id: str, lang: str) -> dict[int, AudioView]:
        """version -> its audio, for every version of one answer that has some (the console's page)."""
        with session_scope(self.database_url) as s:
            rows = s.execute(select(AnswerAudio, AnswerVersion).join(AnswerVersion).where(
                AnswerVersion.topic_id == topic_id, AnswerVersion.lang == lang)).all()
            return {version.version: _view(row, version) for row, version in rows}

    def for_answer(self, topic_id: str, lang: str) -> Optional[AudioView]:
        """The audio of the published answer in `lang` (Spanish when it has no `lang` text, like the answer)."""
        with session_scope(self.database_url) as s:
            for candidate in dict.fromkeys((lang, FALLBACK_LANGUAGE)):
                version = s.scalars(select(AnswerVersion).where(
                    AnswerVersion.topic_id == topic_id, AnswerVersion.lang == candidate,
                    AnswerVersion.status == PUBLISHED)).first()
                if version is not None:
                    return _view(version.audio[0], version) if version.audio else None
            return None

    def available(self, topic_id: str, lang: str) -> bool:
        """Whether the published answer can be heard: it has audio, or synthetic audio can be made for it."""
        if self.for_answer(topic_id, lang) is not None:
            return True
        with session_scope(self.database_url) as s:
            langs = set(s.scalars(select(AnswerVersion.lang).where(
                AnswerVersion.topic_id == topic_id, AnswerVersion.status == PUBLISHED)))
        answer_lang = lang if lang in langs else FALLBACK_LANGUAGE if FALLBACK_LANGUAGE in langs else None
        return answer_lang is not None and convert.can_synthesize(answer_lang)

    def ensure(self, topic_id: str, lang: str) -> Optional[AudioView]:
        """The published answer's audio, synthesised (and kept) on first request when there is none."""
        existing = self.for_answer(topic_id, lang)
        if existing is not None:
            return existing
        with session_scope(self.database_url) as s:
            langs = set(s.scalars(select(AnswerVersion.lang).where(
                AnswerVersion.topic_id == topic_id, AnswerVersion.status == PUBLISHED)))
        answer_lang = lang if lang in langs else FALLBACK_LANGUAGE if FALLBACK_LANGUAGE in langs else None
        if answer_lang is None or not convert.can_synthesize(answer_lang):
            return None
        try:
            return self.synthesize(topic_id, answer_lang, replace=False)
        except IntegrityError:  # two first requests at once: the other one's audio was saved first
            return self.for_answer(topic_id, lang)

    def delete(self, topic_id: str, lang: str, version: int, by: str) -> bool:
        """Remove one version's audio (row now, file once committed). False when it had none."""
        with session_scope(self.database_url) as s:
            row_version = self._version(s, topic_id, lang, version)
            if not row_version.audio:
                return False
            row_version.audio.clear()
            record(s, by, "answer.audio_delete", "answer", target_id(topic_id, lang), after={"version": version})
            return True
