"""Rasa custom actions for Brújula (run with `python -m actions.server`: rasa_sdk's server with /metrics and /ready).

Importing the package is the action server's start: the settings are validated here, once, so a bad
configuration stops the server with a one-line reason instead of failing inside a conversation.
"""
from bot.settings import validate_at_start

validate_at_start("action server")

from actions.actions import *  # noqa: E402,F401,F403  (rasa-sdk discovers Action subclasses on import)
