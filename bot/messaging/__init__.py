"""Messaging: what the WhatsApp and Telegram channels keep (contacts, seen ids, the outbox), sending replies
in order with retries, and the text handling every channel shares."""
