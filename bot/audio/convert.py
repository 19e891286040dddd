"""Checking, converting and synthesising audio with Debian's ffmpeg/ffprobe and espeak-ng (`make audio-tool`).

Every tool runs as a subprocess with an argument list (no shell) on temporary files, with a time limit. The type
of an upload is what ffprobe finds in its bytes, never its file name."""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

# What staff may upload: the container formats ffprobe reports for OGG/Opus, MP3 and M4A (AAC or ALAC).
ACCEPTED_FORMATS = {"ogg": "audio/ogg", "mp3": "audio/mpeg", "mov,mp4,m4a,3gp,3g2,mj2": "audio/mp4"}
OGG_MIME = "audio/ogg"
# espeak-ng's voices for the languages it reads well enough; other languages get no synthetic audio.
SYNTHETIC_VOICES = {"es": "es-419", "en": "en"}
TOOL_SECONDS = 120


class AudioError(ValueError):
    """An upload that is not audio we accept, or a tool that failed; the message can be shown to staff."""


@dataclass(frozen=True)
class Probe:
    format_name: str
    codec: str
    duration: Optional[float]


def tools_present(*names: str) -> bool:
    return all(shutil.which(name) for name in names)


def can_synthesize(lang: str) -> bool:
    return lang in SYNTHETIC_VOICES and tools_present("espeak-ng", "ffmpeg")


def _run(arguments: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(arguments, capture_output=True, timeout=TOOL_SECONDS, check=False)
    except FileNotFoundError:
        raise AudioError(f"{arguments[0]} is not installed (make audio-tool)") from None
    except subprocess.TimeoutExpired:
        raise AudioError(f"{arguments[0]} took too long") from None


def probe_file(path: Path) -> Optional[Probe]:
    """The container and first audio stream of a file, or None when ffprobe finds no audio in it."""
    done = _run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)])
    if done.returncode != 0:
        return None
    try:
        info = json.loads(done.stdout or b"{}")
    except ValueError:
        return None
    audio = [s for s in info.get("streams") or [] if s.get("codec_type") == "audio"]
    if not audio:
        return None
    duration = (info.get("format") or {}).get("duration") or audio[0].get("duration")
    try:
        seconds = float(duration) if duration is not None else None
    except ValueError:
        seconds = None
    return Probe(str((info.get("format") or {}).get("format_name") or ""), str(audio[0].get("codec_name") or ""),
                 seconds)


def probe_bytes(data: bytes) -> Optional[Probe]:
    with tempfile.TemporaryDirectory(prefix="brujula-audio-") as directory:
        path = Path(directory) / "input"
        path.write_bytes(data)
        return probe_file(path)


def _to_opus(source: Path, target: Path) -> None:
    done = _run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source), "-vn", "-map_metadata", "-1",
                 "-ac", "1", "-c:a", "libopus", "-b:a", "32k", "-f", "ogg", str(target)])
    if done.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        raise AudioError("ffmpeg could not convert the audio")


@dataclass(frozen=True)
class Converted:
    data: bytes
    duration: Optional[float]


def convert_upload(data: bytes, max_bytes: int) -> Converted:
    """An uploaded recording as OGG/Opus. AudioError when it is too large or not OGG, MP3 or M4A audio."""
    if len(data) > max_bytes:
        raise AudioError("too_large")
    probe = probe_bytes(data)
    if probe is None or probe.format_name not in ACCEPTED_FORMATS:
        raise AudioError("not_audio")
    with tempfile.TemporaryDirectory(prefix="brujula-audio-") as directory:
        source, target = Path(directory) / "input", Path(directory) / "output.ogg"
        source.write_bytes(data)
        _to_opus(source, target)
        converted = probe_file(target)
        return Converted(target.read_bytes(), converted.duration if converted else probe.duration)


def synthesize(text: str, lang: str) -> Converted:
    """`text` read by espeak-ng in `lang`'s voice, as OGG/Opus."""
    voice = SYNTHETIC_VOICES.get(lang)
    if voice is None:
        raise AudioError(f"no synthetic voice for {lang!r}")
    with tempfile.TemporaryDirectory(prefix="brujula-audio-") as directory:
        script, wav, target = (Path(directory) / name for name in ("text.txt", "speech.wav", "output.ogg"))
        script.write_text(text, encoding="utf-8")
        done = _run(["espeak-ng", "-v", voice, "-s", "150", "-f", str(script), "-w", str(wav)])
        if done.returncode != 0 or not wav.is_file():
            raise AudioError("espeak-ng could not read the text")
        _to_opus(wav, target)
        converted = probe_file(target)
        return Converted(target.read_bytes(), converted.duration if converted else None)
