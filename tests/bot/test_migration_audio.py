"""Migration 0011 on a database that already has audio (made under 0009/0010): the audio rows are kept as the
answers' "body" audio, and a second file per version ("details") becomes possible; it goes back down cleanly."""
from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from bot.migrations import _alembic_config

ROW = ("INSERT INTO answer_audio (answer_version_id, lang, storage_key, mime, bytes, synthetic, created_by, "
       "created_at) VALUES ({version_id}, 'es', '{key}', 'audio/ogg', 10, {synthetic}, 'ana', '2026-11-01 10:00:00')")


def test_audio_made_before_0011_is_kept_as_body_audio_and_0011_goes_down_and_up(database_url):
    config = _alembic_config(database_url)
    command.upgrade(config, "0010")
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO topics (id, area, description, menu_order, created_at) VALUES "
                                "('labour.h2a', 'labour', '', 1, '2026-11-01 10:00:00')"))
        connection.execute(text(
            "INSERT INTO answer_versions (topic_id, lang, version, status, title, short, body, follow_ups, sources, "
            "needs_review, review_note, review_status, origin, created_by, created_at, review_comment) VALUES "
            "('labour.h2a', 'es', 1, 'published', 'T', '', 'B', '[]', '[]', false, '', 'ok', 'staff', 'ana', "
            "'2026-11-01 10:00:00', '')"))
        version_id = connection.execute(text("SELECT id FROM answer_versions")).scalar_one()
        connection.execute(text(ROW.format(version_id=version_id, key="labour.h2a-es-v1-aa.ogg", synthetic="false")))
    command.upgrade(config, "head")
    with engine.begin() as connection:
        assert connection.execute(text("SELECT storage_key, part, script_sha FROM answer_audio")).all() == [
            ("labour.h2a-es-v1-aa.ogg", "body", None)]
        connection.execute(text(ROW.format(version_id=version_id, key="labour.h2a-es-v1-details-bb.ogg",
                                           synthetic="true").replace("created_by,", "part, created_by,")
                                .replace("'ana'", "'details', 'ana'")))
        assert connection.execute(text("SELECT count(*) FROM faq_audio")).scalar_one() == 0
    command.downgrade(config, "0010")
    with engine.begin() as connection:  # one file per version again: the answer's own is kept
        assert connection.execute(text("SELECT storage_key FROM answer_audio")).scalars().all() == [
            "labour.h2a-es-v1-aa.ogg"]
    command.upgrade(config, "head")
    engine.dispose()
