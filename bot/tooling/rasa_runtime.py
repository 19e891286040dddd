"""Costs removed from Rasa's per-message path, found by profiling a reply under load (docs/performance.md).
Applied once in the Rasa server (channels/base.py, when the channels are created); each keeps Rasa's behaviour.

- Every custom action's response was checked with `jsonschema.validate`, which first re-checks Rasa's (constant)
  response schema against the JSON Schema meta-schema: about 30% of the Rasa server's CPU time. Here the schema
  is checked once and its validator reused; responses are validated exactly as before.
- Every event read from the tracker store looked its class up by walking all subclasses of `Event` (about 5%).
  Here the lookup is cached by type name.
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
    _applied = True
    logger.info("Rasa runtime: action response schema compiled once, event classes cached")


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
