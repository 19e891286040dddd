"""The `run` fixture of test_actions.py (an action run as Rasa would, failing on an unexpected apology), for
every action test module."""
from tests.actions.test_actions import run  # noqa: F401 - a fixture
