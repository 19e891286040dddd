"""Channels: how people reach the assistant (web chat, WhatsApp through Twilio, Telegram), one package each,
over the shared bases in channels/base.py. They depend on `bot`, never on `actions` or the console."""
