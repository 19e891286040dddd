"""Telegram, with python-telegram-bot: the channel and its admin commands (`bot telegram ...`)."""
from channels.telegram.channel import (
    ALLOWED_UPDATES,
    CHANNEL,
    TelegramInput,
    TelegramSender,
    callback_data,
    new_bot,
    outgoing_parts,
    resolve_callback,
)

__all__ = ["ALLOWED_UPDATES", "CHANNEL", "TelegramInput", "TelegramSender", "callback_data", "new_bot",
           "outgoing_parts", "resolve_callback"]
