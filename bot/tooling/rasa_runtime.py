"""Costs removed from Rasa's per-message path, found by profiling a reply under load (docs/performance.md).
Applied once in the Rasa server (channels/base.py, when the channels are created); each keeps Rasa's behaviour.

- Every custom action's response was checked with `jsonschema.validate`, which first re-checks Rasa's (constant)
  response schema against the JSON Schema meta-schema: about 30% of the Rasa server's CPU time. Here the schema
  is checked once and its validator reused; responses are validated exactly as before.
- Every event read from the tracker store looked its class up by walking all subclasses of `Event` (about 5%).
  Here the lookup is cached by type name.

And two behaviours:
- When the tracker store cannot be read or written (PostgreSQL restarting), Rasa's FailSafeTrackerStore answers
  from a blank, in-memory conversation: the person is greeted as new, "3" means nothing, and what they said is
  kept nowhere. Here the error reaches the channel instead, which answers with the apology; the conversation
  goes on where it was when the database is back.
- When the action server cannot be reached (restarting, overloaded, down), Rasa logs the error
and the person gets nothing. Here they get the apology (with its line on what to do in danger) in their
language, and the conversation goes on; Rasa's wait for the action server is ACTION_TIMEOUT_SECONDS instead of
five minutes.
"""
from __future__ import annotations

import functools
import logging
from typing import Any, Optional

logger = logging.getLogger(__name__)
_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    _compile_action_response_schema()
    _cache_event_classes()
    _apologise_when_actions_fail()
    _no_blank_conversations()
    _no_message_text_in_warnings()
    _applied = True
    logger.info("Rasa runtime: action response schema compiled once, event classes cached, apology when the "
                "action server or the tracker store fails")


def _compile_action_response_schema() -> None:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    original = RemoteAction._validate_action_result
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def validate_action_result(self: Any, result: dict) -> bool:
        # What jsonschema.validate does after checking the schema (best_match of the errors), then Rasa's message.
        error: Optional[ValidationError] = best_match(validator.iter_errors(result))
        if error is None:
            return True
        try:
            original(self, result)  # Rasa's own error, with its explanation
        except ValidationError:
            raise
        raise error

    RemoteAction._validate_action_result = validate_action_result


def _cache_event_classes() -> None:
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type

    @functools.lru_cache(maxsize=None)
    def cached(type_name: str) -> Optional[type]:
        return original(type_name)

    def resolve_by_type(type_name: str, default: Optional[type] = None) -> Optional[type]:
        try:
            found = cached(type_name)
        except ValueError:
            if default is not None:
                return default
            raise
        return found

    Event.resolve_by_type = staticmethod(resolve_by_type)


def _apologise_when_actions_fail() -> None:
    import rasa.core.actions.action as rasa_actions
    from rasa.shared.core.events import BotUttered

    from bot.language import text
    from bot.settings import get_settings

    settings = get_settings()
    rasa_actions.DEFAULT_REQUEST_TIMEOUT = settings.action_timeout_seconds
    original = rasa_actions.RemoteAction.run

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list:
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except rasa_actions.ActionExecutionRejection:
            raise  # a form's validation said no: Rasa's own handling
        except Exception as error:  # noqa: BLE001 - connection refused, timeout, 5xx, a broken response
            logger.error("custom action %s did not run (%s); the person gets the apology", self.name(),
                         type(error).__name__)
            lang = tracker.get_slot("language") or settings.default_language
            apology = text("unavailable", lang)
            await output_channel.send_response(tracker.sender_id, {"text": apology})
            return [BotUttered(apology, metadata={"reply_kind": "error"})]

    rasa_actions.RemoteAction.run = run


def _no_blank_conversations() -> None:
    from rasa.core.tracker_store import FailSafeTrackerStore

    async def retrieve(self: Any, sender_id: str) -> Any:
        return await self._tracker_store.retrieve(sender_id)

    async def retrieve_full_tracker(self: Any, sender_id: str) -> Any:
        return await self._tracker_store.retrieve_full_tracker(sender_id)

    async def save(self: Any, tracker: Any) -> None:
        await self._tracker_store.save(tracker)

    FailSafeTrackerStore.retrieve = retrieve
    FailSafeTrackerStore.retrieve_full_tracker = retrieve_full_tracker
    FailSafeTrackerStore.save = save


class _WithoutUserText:
    """Rasa's structlog logger, minus the `user_text` field: a message starting with "/" that is not one of our
    payloads made Rasa log what the person wrote (`message.parsing.failed`)."""

    def __init__(self, inner: Any):
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)
        if not callable(method):
            return method

        def without_text(*args: Any, **fields: Any) -> Any:
            fields.pop("user_text", None)
            return method(*args, **fields)

        return without_text


def _no_message_text_in_warnings() -> None:
    from rasa.shared.core.training_data.story_reader import yaml_story_reader

    if not isinstance(yaml_story_reader.structlogger, _WithoutUserText):
        yaml_story_reader.structlogger = _WithoutUserText(yaml_story_reader.structlogger)
