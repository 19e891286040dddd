"""`bot audio synthesize`: synthetic audio (espeak-ng) for published answers that have none.

    bot audio synthesize [--topic T] [--lang es|en] [--force]

Answers without audio also get it on the first "escuchar" (kept afterwards); this makes it ahead of time.
Recordings uploaded by staff are never replaced; --force makes synthetic audio again (after a voice change).
"""
from __future__ import annotations

import argparse

SYNTHETIC_LANGUAGES = ("es", "en")


def cmd_audio(args) -> int:
    from bot.audio.convert import AudioError, can_synthesize
    from bot.audio.repository import AudioRepository
    from bot.content.repository import ContentRepository

    audio, content = AudioRepository(), ContentRepository()
    languages = [args.lang] if args.lang else list(SYNTHETIC_LANGUAGES)
    missing_tools = [lang for lang in languages if not can_synthesize(lang)]
    if missing_tools:
        print(f"no synthetic voice for {', '.join(missing_tools)} (espeak-ng and ffmpeg: make audio-tool)")
        return 1
    coverage = content.coverage()
    topics = [args.topic] if args.topic else sorted(coverage)
    if args.topic and args.topic not in coverage:
        print(f"no published answer for {args.topic}")
        return 1
    made = kept = failed = 0
    for topic_id in topics:
        for lang in languages:
            if lang not in coverage.get(topic_id, ()):
                continue
            existing = audio.for_answer(topic_id, lang)
            if existing is not None and (not existing.synthetic or not args.force):
                kept += 1
                continue
            try:
                audio.synthesize(topic_id, lang, by="bot-cli")
                made += 1
            except AudioError as error:
                failed += 1
                print(f"{topic_id} ({lang}): {error}")
    print(f"synthetic audio: {made} made, {kept} already had audio, {failed} failed")
    return 1 if failed else 0


def register(sub: argparse._SubParsersAction) -> None:
    audio = sub.add_parser("audio", help="audio of answers")
    audio.add_argument("action", choices=["synthesize"])
    audio.add_argument("--topic", help="one topic (default: every topic with a published answer)")
    audio.add_argument("--lang", choices=SYNTHETIC_LANGUAGES, help="one language (default: es and en)")
    audio.add_argument("--force", action="store_true", help="make synthetic audio again (recordings are kept)")
    audio.set_defaults(func=cmd_audio)
