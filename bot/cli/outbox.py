"""`bot outbox`: replies waiting to be sent on WhatsApp and Telegram, and those that failed for good, with why.

    bot outbox [--limit N] [--channel whatsapp|telegram]

What staff check when someone says they got no answer. Rows show the pseudonymous sender id (for `bot person
show`), never a phone number, chat id or the reply's text.
"""
from __future__ import annotations

import argparse

OPEN, FAILED = ("pending", "sending"), ("failed", "undelivered")
CHANNELS = ("whatsapp", "telegram")


def cmd_outbox(args) -> int:
    from bot.messaging.store import ChannelStore

    store = ChannelStore()
    channels = [args.channel] if args.channel else list(CHANNELS)
    counts = store.counts(OPEN + FAILED)
    for channel in channels:
        pending, sending = (counts.get((channel, status), 0) for status in OPEN)
        failed = sum(counts.get((channel, status), 0) for status in FAILED)
        print(f"{channel}: {pending + sending} waiting ({sending} being sent), {failed} failed")
    rows = store.messages(FAILED, limit=args.limit, newest_first=True, channel=args.channel)
    if rows:
        print("\nfailed, newest first:")
    for row in rows:
        reason = row.last_error or f"{row.status} according to the platform"
        print(f"#{row.id} {row.channel:<8} {row.sender_id} attempts={row.attempts} "
              f"created={row.created_at:%Y-%m-%d %H:%M} code={row.error_code or '-'} {reason}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    outbox = sub.add_parser("outbox", help="WhatsApp / Telegram replies waiting, and those that failed with why")
    outbox.add_argument("--limit", type=int, default=50, help="failed replies to list (default 50)")
    outbox.add_argument("--channel", choices=CHANNELS)
    outbox.set_defaults(func=cmd_outbox)
