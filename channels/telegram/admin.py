"""`bot telegram set-webhook` and `bot telegram poll`, added to the `bot` CLI as a plugin (the entry point
`brujula.cli` in pyproject.toml), so the core CLI never imports this channel.

Polling hands each update to the running server's webhook, with the secret token, so local development
goes through exactly the code production uses.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import urllib.request

from bot.settings import Settings, get_settings
from channels.telegram.channel import ALLOWED_UPDATES, new_bot

logger = logging.getLogger(__name__)


async def set_webhook(settings: Settings) -> str:
    url = f"{settings.public_base_url}/webhooks/telegram/webhook"
    async with new_bot(settings) as bot:
        await bot.set_webhook(url=url, secret_token=settings.telegram_webhook_secret,
                              allowed_updates=ALLOWED_UPDATES)
    return url


def _forward(local_url: str, secret: str, update: dict) -> int:
    request = urllib.request.Request(local_url, data=json.dumps(update).encode(), method="POST", headers={
        "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


async def poll(settings: Settings, local_url: str, rounds: int = 0) -> int:
    """Long-poll Telegram and forward updates; `rounds=0` runs until interrupted."""
    bot = new_bot(settings)
    offset = None
    done = 0
    async with bot:
        await bot.delete_webhook()
        print(f"polling Telegram; forwarding updates to {local_url} (Ctrl+C to stop)", flush=True)
        try:
            while rounds == 0 or done < rounds:
                done += 1
                updates = await bot.get_updates(offset=offset, timeout=30, allowed_updates=ALLOWED_UPDATES)
                for update in updates:
                    offset = update.update_id + 1
                    try:
                        await asyncio.to_thread(_forward, local_url, settings.telegram_webhook_secret,
                                                update.to_dict())
                    except OSError as error:
                        logger.warning("could not forward update %s: %s", update.update_id, error)
        except KeyboardInterrupt:
            pass
    return 0


def command(args: argparse.Namespace) -> int:
    """Register the webhook with Telegram, or poll for updates on a laptop without a public URL."""
    settings = get_settings()
    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set", file=sys.stderr)
        return 2
    if args.action == "set-webhook":
        url = asyncio.run(set_webhook(settings))
        print(f"webhook set: {url} (updates: message, edited_message, callback_query)")
        return 0
    return asyncio.run(poll(settings, args.local_url))


def register(subcommands: "argparse._SubParsersAction") -> None:
    """Add `bot telegram` to the CLI."""
    telegram = subcommands.add_parser("telegram", help="Telegram webhook registration or local long polling")
    telegram.add_argument("action", choices=["set-webhook", "poll"])
    telegram.add_argument("--local-url", default="http://localhost:5005/webhooks/telegram/webhook",
                          help="with poll: the running Rasa server's Telegram webhook")
    telegram.set_defaults(func=command)
