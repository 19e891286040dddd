"""`bot audio synthesize`: synthetic audio (espeak-ng) for published answers (and their "Más información") and FAQ
entries that have none, or whose synthetic audio no longer says what it should (a follow-up renamed: the options it
reads changed).

    bot audio synthesize [--topic T] [--lang es|en] [--force]

Answers without audio also get it on the first "escuchar" (kept afterwards); this makes it ahead of time.
Recordings uploaded by staff are never replaced; --force makes synthetic audio again (after a voice change).
"""
from __future__ import annotations

import argparse

SYNTHETIC_LANGUAGES = ("es", "en")


def cmd_audio(args) -> int:
    from bot.audio.convert import AudioError, can_synthesize
    from bot.audio.repository import ANSWER, BODY, DETAILS, FAQ, AudioRepository
    from bot.content.faq import FaqRepository, split_target
    from bot.content.repository import ContentRepository

    audio, content, faq = AudioRepository(), ContentRepository(), FaqRepository()
    languages = [args.lang] if args.lang else list(SYNTHETIC_LANGUAGES)
    missing_tools = [lang for lang in languages if not can_synthesize(lang)]
    if missing_tools:
        print(f"no synthetic voice for {', '.join(missing_tools)} (espeak-ng and ffmpeg: make audio-tool)")
        return 1
    coverage = content.coverage()
    if args.topic and args.topic not in coverage:
        print(f"no published answer for {args.topic}")
        return 1
    targets = [(ANSWER, topic_id, part, langs) for topic_id, langs in sorted(coverage.items())
               for part in (BODY, DETAILS)]
    targets += [(FAQ, slug, BODY, langs) for slug, langs in sorted(faq.coverage().items())]
    if args.topic:
        targets = [t for t in targets if (t[1] if t[0] == ANSWER else split_target(t[1])[0]) == args.topic]
    made = kept = failed = 0
    for kind, ident, part, published_in in targets:
        for lang in languages:
            if lang not in published_in or not audio.available(ident, lang, kind, part):
                continue  # not published in that language, or no details to read
            existing = audio.for_answer(ident, lang, kind, part)
            try:
                if existing is not None and not existing.synthetic:
                    now = existing  # a recording: staff's, never replaced here
                elif args.force:
                    now = audio.synthesize(ident, lang, by="bot-cli", kind=kind, part=part)
                else:
                    now = audio.ensure(ident, lang, kind, part)  # made when missing or when its script changed
            except AudioError as error:
                failed += 1
                print(f"{ident} ({lang}): {error}")
                continue
            if existing is not None and now is not None and now.key == existing.key:
                kept += 1
            else:
                made += 1
    print(f"synthetic audio: {made} made, {kept} already had audio, {failed} failed")
    return 1 if failed else 0


def register(sub: argparse._SubParsersAction) -> None:
    audio = sub.add_parser("audio", help="audio of answers and FAQ entries")
    audio.add_argument("action", choices=["synthesize"])
    audio.add_argument("--topic", help="one topic: its answer and its FAQ entries (default: every published one)")
    audio.add_argument("--lang", choices=SYNTHETIC_LANGUAGES, help="one language (default: es and en)")
    audio.add_argument("--force", action="store_true", help="make synthetic audio again (recordings are kept)")
    audio.set_defaults(func=cmd_audio)
