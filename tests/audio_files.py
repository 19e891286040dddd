"""Real audio files for the audio tests, made with ffmpeg (a tone: what matters is the container and codec)."""
from __future__ import annotations

import subprocess
from pathlib import Path

CODECS = {"mp3": ["-c:a", "libmp3lame"], "m4a": ["-c:a", "aac"], "ogg": ["-c:a", "libopus"]}


def tone(path: Path, seconds: float = 2.0) -> bytes:
    """A 440 Hz tone as MP3, M4A or OGG/Opus, by the file's suffix."""
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency=440:duration={seconds}", *CODECS[path.suffix[1:]], str(path)], check=True)
    return path.read_bytes()


def probe(path: Path) -> tuple[str, float]:
    """(codec, duration in seconds) as ffprobe reads them."""
    done = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                           "stream=codec_name:format=duration", "-of", "default=noprint_wrappers=1", str(path)],
                          capture_output=True, text=True, check=True)
    values = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    return values["codec_name"], float(values["duration"])
