"""Rasa custom actions for Brújula (run with `python -m rasa_sdk --actions actions`)."""
from actions.actions import *  # noqa: F401,F403  (rasa-sdk discovers Action subclasses on import)
