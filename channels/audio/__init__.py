"""Audio answers served from the Rasa server (signed, expiring links)."""
from channels.audio.channel import AudioInput

__all__ = ["AudioInput"]
