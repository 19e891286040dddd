"""Audio answers in the core: signed links, the store's keys, synthetic audio on first request and from the
CLI, and files deleted with their answer version."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.audio import signing
from bot.audio.models import AnswerAudio
from bot.audio.repository import AudioRepository
from bot.audio.storage import DiskAudioStore
from bot.cli.main import main as bot_cli
from bot.content.models import AnswerVersion
from bot.db import session_scope
from bot.settings import get_settings
from tests.audio_files import probe

KEY = "labour.h2a-es-v1-0123456789abcdef.ogg"


def test_a_link_is_valid_until_it_expires_and_only_with_its_own_signature():
    path = signing.signed_path(KEY, now=1_000_000)
    query = dict(part.split("=") for part in path.split("?", 1)[1].split("&"))
    expires = str(1_000_000 + get_settings().audio_url_ttl_seconds)
    assert path.startswith(f"/webhooks/audio/{KEY}?") and query["exp"] == expires
    assert signing.link_valid(KEY, query["exp"], query["sig"], now=1_000_000 + 3599)
    assert not signing.link_valid(KEY, query["exp"], query["sig"], now=1_000_000 + 3601)  # expired
    assert not signing.link_valid(KEY, str(int(expires) + 9999), query["sig"], now=1_000_000)  # exp changed
    assert not signing.link_valid("other-es-v1-0123.ogg", query["exp"], query["sig"], now=1_000_000)
    assert not signing.link_valid(KEY, query["exp"], query["sig"][:-1] + "0", now=1_000_000)


@pytest.mark.parametrize("key", ["../content.db", "a/b.ogg", "x.wav", ".hidden.ogg", "", "a..b.ogg"])
def test_the_store_refuses_keys_it_never_makes(tmp_path, key):
    store = DiskAudioStore(tmp_path)
    assert store.get(key) is None
    with pytest.raises(ValueError):
        store.put(key, b"data")


def test_listening_makes_synthetic_opus_audio_once_and_keeps_it(sqlite_content):
    audio = AudioRepository(sqlite_content.database_url)
    assert audio.for_answer("labour.h2a", "es") is None and audio.available("labour.h2a", "es")
    made = audio.ensure("labour.h2a", "es")
    codec, seconds = probe(Path(get_settings().audio_dir) / made.key)
    assert made.synthetic and codec == "opus" and seconds > 5 and made.duration_seconds == pytest.approx(seconds)
    assert audio.ensure("labour.h2a", "es") == made  # cached, not made again


def test_an_answer_versions_audio_goes_with_it_row_and_file(loaded_repo):
    audio = AudioRepository(loaded_repo.database_url).ensure("labour.h2a", "es")
    path = Path(get_settings().audio_dir) / audio.key
    assert path.is_file()
    with session_scope(loaded_repo.database_url) as s:
        version = s.scalars(select(AnswerVersion).where(AnswerVersion.topic_id == "labour.h2a",
                                                        AnswerVersion.lang == "es",
                                                        AnswerVersion.version == audio.version)).one()
        s.delete(version)
    with session_scope(loaded_repo.database_url) as s:
        assert s.scalars(select(AnswerAudio)).all() == []
    assert not path.exists()


def test_the_cli_synthesizes_missing_audio_of_a_topic_and_its_faq_entries_and_keeps_what_exists(sqlite_content,
                                                                                                 capsys):
    from bot.audio.repository import FAQ
    from bot.content.faq import FaqRepository

    entries = [slug for slug, langs in FaqRepository(sqlite_content.database_url).coverage().items()
               if slug.startswith("labour.fees/") and "es" in langs]
    assert entries and sqlite_content.get_answer("labour.fees", "es").details  # the pack's, so nothing is empty
    expected = 2 + len(entries)  # the answer, its "Más información", its FAQ entries
    assert bot_cli(["audio", "synthesize", "--topic", "labour.fees", "--lang", "es"]) == 0
    assert f"synthetic audio: {expected} made, 0 already had audio, 0 failed" in capsys.readouterr().out
    audio = AudioRepository(sqlite_content.database_url)
    assert audio.for_answer("labour.fees", "es").synthetic
    assert audio.for_answer("labour.fees", "es", part="details").synthetic
    assert all(audio.for_answer(slug, "es", FAQ).synthetic for slug in entries)
    assert bot_cli(["audio", "synthesize", "--topic", "labour.fees", "--lang", "es"]) == 0
    assert f"0 made, {expected} already had audio" in capsys.readouterr().out


def test_synthetic_audio_is_made_again_when_the_options_it_reads_change(sqlite_content):
    audio = AudioRepository(sqlite_content.database_url)
    first = audio.ensure("labour.h2a", "es")
    follow_up = sqlite_content.get_answer("labour.h2a", "es").follow_ups[0]
    with session_scope(sqlite_content.database_url) as s:  # staff rename a follow-up: the voice must say the new name
        s.scalars(select(AnswerVersion).where(AnswerVersion.topic_id == follow_up, AnswerVersion.lang == "es",
                                              AnswerVersion.status == "published")).one().title = "Título nuevo"
    second = audio.ensure("labour.h2a", "es")
    assert second.key != first.key and second.synthetic
    assert not (Path(get_settings().audio_dir) / first.key).exists()  # the old file went with its row
    assert audio.ensure("labour.h2a", "es") == second


def test_a_recording_is_kept_whatever_the_options(sqlite_content, tmp_path):
    from tests.audio_files import tone

    audio = AudioRepository(sqlite_content.database_url)
    version = sqlite_content.get_answer("labour.h2a", "es").version
    recording = audio.upload("labour.h2a", "es", version, tone(tmp_path / "voice.mp3"), by="ana")
    assert audio.ensure("labour.h2a", "es") == recording and not recording.synthetic


def test_an_faq_versions_audio_goes_with_it_row_and_file(sqlite_content):
    from bot.audio.models import FaqAudio
    from bot.audio.repository import FAQ
    from bot.content.faq import FaqRepository
    from bot.content.models import FaqVersion

    slug = next(iter(sorted(FaqRepository(sqlite_content.database_url).coverage())))
    made = AudioRepository(sqlite_content.database_url).ensure(slug, "es", FAQ)
    path = Path(get_settings().audio_dir) / made.key
    assert made.synthetic and made.key.startswith("faq-") and "/" not in made.key and path.is_file()
    with session_scope(sqlite_content.database_url) as s:
        s.delete(s.scalars(select(FaqVersion).join(FaqAudio)).one())
    with session_scope(sqlite_content.database_url) as s:
        assert s.scalars(select(FaqAudio)).all() == []
    assert not path.exists()
