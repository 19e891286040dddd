"""Rasa input channels: the local web chat here; WhatsApp (Twilio) and Telegram in their own modules."""
