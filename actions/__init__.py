"""Rasa custom actions for Brújula (run with `python -m rasa_sdk --actions actions`).

Importing the package is the action server's start: the settings are validated here, once, so a bad
configuration stops the server with a one-line reason instead of failing inside a conversation.
"""
from bot.settings import validate_at_start

validate_at_start("action server")


def _warm_up_redaction() -> None:
    """In the action server (`python -m rasa_sdk`), load spaCy's name and place recogniser in the background
    now, so the first question that goes to the unanswered log is not kept waiting 2-4 s for it. Not in other
    processes that import the actions (the tests load Rasa and TensorFlow beside them)."""
    import sys
    import threading
    from pathlib import Path

    if not sys.argv or Path(sys.argv[0]).parent.name != "rasa_sdk":
        return
    from bot.privacy import warm_up

    threading.Thread(target=warm_up, name="redaction-warm-up", daemon=True).start()


_warm_up_redaction()

from actions.actions import *  # noqa: E402,F401,F403  (rasa-sdk discovers Action subclasses on import)
