"""`bot retention` and `bot person`: how long data is kept, and one person's data on request.

    bot retention run [--days N] [--tracker-url URL]   delete what is older than RETENTION_DAYS (default 180);
                                                       safe to run twice (the Rasa server also runs it daily)
    bot person show PSEUDONYM [--tracker-url URL]      what is held about one conversation (counts, dates)
    bot person delete PSEUDONYM [--tracker-url URL]    delete everything about it, as "borrar mis datos" does

The tracker store is Rasa's SQL store at --tracker-url, else TRACKER_STORE_URL, else the TRACKER_DB_* variables
(production); without any, conversations are only in the running Rasa server's memory and are not touched.
"""
from __future__ import annotations

import argparse
import sys


def _tracker(args) -> str | None:
    from bot.privacy_ops import tracker_url_from_environment

    return args.tracker_url or tracker_url_from_environment()


def cmd_retention(args) -> int:
    from bot.privacy_ops import retention_run

    if args.days is not None and args.days < 1:
        print("bot retention run: --days must be 1 or more", file=sys.stderr)
        return 2
    result = retention_run(args.days, _tracker(args))
    print(result.summary())
    return 0


def cmd_person(args) -> int:
    from bot.privacy_ops import delete_person, person_data

    tracker = _tracker(args)
    if args.action == "show":
        data = person_data(args.pseudonym, tracker)
        for field, value in data.__dict__.items():
            print(f"{field}: {value if value is not None else '-'}")
        return 0
    deleted = delete_person(args.pseudonym, tracker)
    print(f"deleted: {deleted.conversation_events} conversation event(s), {deleted.cases} case(s), "
          f"{deleted.outbox} outbox reply(ies), {deleted.unanswered} unanswered question(s), "
          f"{deleted.contacts} contact(s); {deleted.audit_entries_blanked} audit entry(ies) blanked")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    retention = sub.add_parser("retention", help="delete conversations, cases and logs older than RETENTION_DAYS")
    retention.add_argument("action", choices=["run"])
    retention.add_argument("--days", type=int, help="default RETENTION_DAYS (180)")
    retention.add_argument("--tracker-url", help="Rasa's SQL tracker store (default TRACKER_STORE_URL or TRACKER_DB_*)")
    retention.set_defaults(func=cmd_retention)

    person = sub.add_parser("person", help="one person's data by pseudonym: show or delete")
    person.add_argument("action", choices=["show", "delete"])
    person.add_argument("pseudonym", help="the conversation's sender id (e.g. whatsapp-3f2a..., shown on its case)")
    person.add_argument("--tracker-url", help="Rasa's SQL tracker store (default TRACKER_STORE_URL or TRACKER_DB_*)")
    person.set_defaults(func=cmd_person)
