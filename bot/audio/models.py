"""The `answer_audio` and `faq_audio` tables (migrations 0009, 0011): one audio file per answer (or FAQ) version
and language. The row goes with its version (ORM cascade and ON DELETE CASCADE), and the file goes with the row
once the deletion is committed."""
from __future__ import annotations

import logging

from sqlalchemy import Boolean, Column, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Session, backref, relationship

from bot.content.models import AnswerVersion, FaqVersion
from bot.db import Base, utcnow

logger = logging.getLogger(__name__)
_DELETED_KEYS = "audio_keys_deleted"


class AudioFile:
    """The columns of an audio file, whatever it is the audio of."""

    id = Column(Integer, primary_key=True)
    lang = Column(String(8), nullable=False)
    storage_key = Column(String(200), nullable=False, unique=True)
    mime = Column(String(60), nullable=False)
    bytes = Column(Integer, nullable=False)
    duration_seconds = Column(Float, nullable=True)
    synthetic = Column(Boolean, nullable=False, default=False)
    part = Column(String(16), nullable=False, default="body")  # "body", or "details" (an answer's "Más información")
    # sha256 of the text a synthetic voice read; None for recordings (staff read the script themselves)
    script_sha = Column(String(64), nullable=True)
    created_by = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class AnswerAudio(AudioFile, Base):
    __tablename__ = "answer_audio"
    __table_args__ = (UniqueConstraint("answer_version_id", "lang", "part", name="uq_answer_audio"),)

    answer_version_id = Column(Integer, ForeignKey("answer_versions.id", ondelete="CASCADE"), nullable=False,
                               index=True)
    answer_version = relationship(AnswerVersion, backref=backref("audio", cascade="all, delete-orphan"))


class FaqAudio(AudioFile, Base):
    __tablename__ = "faq_audio"
    __table_args__ = (UniqueConstraint("faq_version_id", "lang", "part", name="uq_faq_audio"),)

    faq_version_id = Column(Integer, ForeignKey("faq_versions.id", ondelete="CASCADE"), nullable=False, index=True)
    faq_version = relationship(FaqVersion, backref=backref("audio", cascade="all, delete-orphan"))


@event.listens_for(AnswerAudio, "after_delete")
@event.listens_for(FaqAudio, "after_delete")
def _remember_file(_mapper, connection, row: AudioFile) -> None:
    session = Session.object_session(row)
    if session is not None:
        session.info.setdefault(_DELETED_KEYS, []).append(row.storage_key)


@event.listens_for(Session, "after_commit")
def _delete_files(session: Session) -> None:
    keys = session.info.pop(_DELETED_KEYS, None)
    if not keys:
        return
    from bot.audio.storage import default_store

    store = default_store()
    for key in keys:
        try:
            store.delete(key)
        except (OSError, ValueError) as error:  # the row is gone; a file left behind is only disk space
            logger.warning("could not delete an audio file (%s)", type(error).__name__)


@event.listens_for(Session, "after_rollback")
def _keep_files(session: Session) -> None:
    session.info.pop(_DELETED_KEYS, None)
