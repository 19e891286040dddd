"""Audio of answers on the answer's console page: upload a recording (checked by its bytes, converted to
OGG/Opus), refuse what is not audio or too large with a message, generate synthetic audio, remove it."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.audio.repository import AudioRepository
from bot.settings import get_settings
from bot.staff.audit import AuditLog
from tests.audio_files import probe, tone

PAGE = "/content/answers/labour.h2a/es"


@pytest.fixture
def editor(as_user):
    return as_user("eva")


def published_version(console_db) -> int:
    from bot.content.repository import ContentRepository

    return ContentRepository(console_db).get_answer("labour.h2a", "es").version


def upload(editor, console_db, data: bytes, name: str):
    form = {"version": str(published_version(console_db)), "audio": (io.BytesIO(data), name)}
    return editor.post(f"{PAGE}/audio", form, token_from=PAGE, content_type="multipart/form-data",
                       follow_redirects=True)


def stored_file(key: str) -> Path:
    return Path(get_settings().audio_dir) / key


def test_an_m4a_recording_is_converted_to_opus_audited_and_playable_on_the_page(editor, console_db, tmp_path):
    response = upload(editor, console_db, tone(tmp_path / "grabacion.m4a"), "grabacion.m4a")
    page = response.get_data(as_text=True)
    version = published_version(console_db)
    assert f"Grabación guardada para la versión {version}." in page
    audio = AudioRepository(console_db).for_answer("labour.h2a", "es")
    assert audio is not None and not audio.synthetic and audio.created_by == "eva"
    codec, seconds = probe(stored_file(audio.key))
    assert codec == "opus" and 1.5 < seconds < 2.5
    assert "grabación" in page and f'/content/answers/labour.h2a/es/audio/{version}"' in page
    played = editor.get(f"{PAGE}/audio/{version}")
    assert played.status_code == 200 and played.mimetype == "audio/ogg"
    assert played.data == stored_file(audio.key).read_bytes()
    [entry] = AuditLog(console_db).entries(action="answer.audio")
    assert entry.actor == "eva" and entry.target_id == "labour.h2a [es]"


def test_a_file_that_is_not_audio_is_refused_with_a_message_whatever_its_name(editor, console_db):
    response = upload(editor, console_db, b"ID3 esto no es audio, es texto" * 100, "respuesta.mp3")
    assert "El archivo no es un audio OGG, MP3 o M4A. No se guardó nada." in response.get_data(as_text=True)
    assert AudioRepository(console_db).for_answer("labour.h2a", "es") is None


def test_a_recording_over_the_size_limit_is_refused_with_a_message(editor, console_db, set_env, tmp_path):
    data = tone(tmp_path / "larga.mp3", seconds=10)
    set_env(AUDIO_MAX_MB="0.05")
    assert len(data) > 0.05 * 1024 * 1024
    response = upload(editor, console_db, data, "larga.mp3")
    assert "El audio pasa de 0.05 MB. No se guardó nada." in response.get_data(as_text=True)
    assert AudioRepository(console_db).for_answer("labour.h2a", "es") is None


def test_synthetic_audio_is_generated_for_a_spanish_answer_and_marked_synthetic(editor, console_db):
    version = published_version(console_db)
    response = editor.post(f"{PAGE}/audio/synthesize", {"version": str(version)}, token_from=PAGE,
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"Audio sintético generado para la versión {version}." in page
    assert 'class="badge synthetic">sintético<' in page
    audio = AudioRepository(console_db).for_answer("labour.h2a", "es")
    codec, seconds = probe(stored_file(audio.key))
    assert audio.synthetic and codec == "opus" and seconds > 5


def test_removing_the_audio_deletes_the_file(editor, console_db, tmp_path):
    upload(editor, console_db, tone(tmp_path / "grabacion.ogg"), "grabacion.ogg")
    key = AudioRepository(console_db).for_answer("labour.h2a", "es").key
    version = published_version(console_db)
    response = editor.post(f"{PAGE}/audio/{version}/delete", {}, token_from=PAGE, follow_redirects=True)
    assert f"Audio de la versión {version} quitado." in response.get_data(as_text=True)
    assert not stored_file(key).exists()
    assert AudioRepository(console_db).for_answer("labour.h2a", "es") is None


def test_an_faq_entry_takes_a_recording_too_and_its_page_shows_the_script_to_record(editor, console_db, tmp_path):
    import html

    from bot.audio.repository import FAQ
    from bot.content.faq import FaqRepository

    faq = FaqRepository(console_db)
    slug = sorted(faq.coverage())[0]
    entry = faq.get(slug, "es")
    faq_page = f"/content/faq/{slug}/es"
    form = {"version": str(entry.version), "audio": (io.BytesIO(tone(tmp_path / "voz.mp3")), "voz.mp3")}
    response = editor.post(f"{faq_page}/audio", form, token_from=faq_page, content_type="multipart/form-data",
                           follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert f"Grabación guardada para la versión {entry.version}." in page
    audio = AudioRepository(console_db).for_answer(slug, "es", FAQ)
    assert audio is not None and not audio.synthetic and audio.kind == FAQ
    assert editor.get(f"{faq_page}/audio/{entry.version}").data == stored_file(audio.key).read_bytes()
    script = AudioRepository(console_db).script_of(slug, "es", entry.version, FAQ)
    assert script.startswith(f"{entry.question}.\n\n") and script.endswith("Opción 0: Menú principal.")
    assert "Texto para grabar" in page and f"<pre>{script}</pre>" in page
    [logged] = AuditLog(console_db).entries(action="faq.audio")
    assert logged.actor == "eva" and logged.target_id == f"{slug} [es]"


def test_the_audio_of_an_unknown_faq_entry_is_not_found(editor):
    assert editor.get("/content/faq/labour.h2a/no-such-entry/es/audio/1").status_code == 404


def test_an_answers_mas_informacion_gets_its_own_recording_beside_the_answers(editor, console_db, tmp_path):
    import html

    version = published_version(console_db)
    form = {"version": str(version), "part": "details", "audio": (io.BytesIO(tone(tmp_path / "mas.mp3")), "mas.mp3")}
    response = editor.post(f"{PAGE}/audio", form, token_from=PAGE, content_type="multipart/form-data",
                           follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert f"Grabación guardada para la versión {version}." in page
    audio = AudioRepository(console_db)
    details = audio.for_answer("labour.h2a", "es", part="details")
    assert details is not None and not details.synthetic and audio.for_answer("labour.h2a", "es") is None
    assert f'/content/answers/labour.h2a/es/audio/{version}?part=details"' in page
    assert f"<pre>{audio.script_of('labour.h2a', 'es', version, part='details')}</pre>" in page
    played = editor.get(f"{PAGE}/audio/{version}?part=details")
    assert played.status_code == 200 and played.data == stored_file(details.key).read_bytes()
    assert editor.get(f"{PAGE}/audio/{version}").status_code == 404  # the answer itself has none yet
    assert editor.get(f"{PAGE}/audio/{version}?part=other").status_code == 404
    removed = editor.post(f"{PAGE}/audio/{version}/delete", {"part": "details"}, token_from=PAGE,
                          follow_redirects=True)
    assert f"Audio de la versión {version} quitado." in removed.get_data(as_text=True)
    assert audio.for_answer("labour.h2a", "es", part="details") is None and not stored_file(details.key).exists()
