"""The local web chat (no account needed), served by the Rasa server."""
from channels.webchat.channel import WebChatInput, sign, valid_token

__all__ = ["WebChatInput", "sign", "valid_token"]
