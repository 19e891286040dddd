"""Saving and loading a component's trained model inside the Rasa model archive (our own artefacts only)."""
from __future__ import annotations

import logging
import pickle
from typing import Any, Optional

from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

logger = logging.getLogger(__name__)


def save_model(model_storage: ModelStorage, resource: Resource, filename: str, model: Any) -> None:
    with model_storage.write_to(resource) as directory:
        (directory / filename).write_bytes(pickle.dumps(model))


def load_model(model_storage: ModelStorage, resource: Resource, filename: str, missing: str) -> Optional[Any]:
    """The model saved by `save_model`, or None (logging `missing`) when the archive has none."""
    try:
        with model_storage.read_from(resource) as directory:
            # Our own artefact, written by save_model() into the model archive we built.
            return pickle.loads((directory / filename).read_bytes())  # noqa: S301
    except (ValueError, FileNotFoundError):
        logger.warning(missing)
        return None
