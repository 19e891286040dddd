"""The per-message speed-ups (bot/tooling/rasa_runtime.py, the classifier's scorer) keep Rasa's and
scikit-learn's answers exactly."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def runtime():
    from bot.tooling import rasa_runtime

    rasa_runtime.apply()
    return rasa_runtime


def test_a_valid_action_response_passes_the_compiled_schema(runtime):
    from rasa.core.actions.action import RemoteAction

    response = {"events": [{"event": "slot", "name": "topic_id", "value": "labour.h2a"}],
                "responses": [{"text": "Hola", "buttons": [{"title": "1. Menú", "payload": "/main_menu"}]}]}
    assert RemoteAction("action_answer_topic", None)._validate_action_result(response) is True


@pytest.mark.parametrize("response", [
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},  # a slot event without its name
    {"responses": [{"text": 3}], "events": [{"event": "no-such-event"}]},
])
def test_an_invalid_action_response_is_refused_with_rasas_explanation(runtime, response):
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        RemoteAction("action_answer_topic", None)._validate_action_result(response)


def test_event_classes_are_found_by_type_name_as_before(runtime):
    from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered

    assert [Event.resolve_by_type(name) for name in ("user", "bot", "slot", "action")] == \
        [UserUttered, BotUttered, SlotSet, ActionExecuted]
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no-such-event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no-such-event'"):
        Event.resolve_by_type("no-such-event")


def test_the_classifiers_scorer_gives_scikit_learns_probabilities():
    import numpy as np

    from bot.nlu.classifier import NgramIntentClassifier, _MultinomialScorer, build_pipeline

    examples = {
        "labour": ["visa de trabajo", "trabajo en canada", "h2a agricola", "quiero trabajar en estados unidos"],
        "return": ["me deportaron", "regrese a guatemala", "retornado ayuda", "acabo de llegar deportado"],
        "danger": ["me estan extorsionando", "estoy en peligro", "me secuestraron", "coyote me amenaza"],
        "documents": ["sacar pasaporte", "dpi perdido", "partida de nacimiento", "documentos para viajar"],
    }
    texts = [t for ts in examples.values() for t in ts]
    labels = [label for label, ts in examples.items() for _ in ts]
    model = build_pipeline(NgramIntentClassifier.get_default_config()).fit(texts, labels)
    scorer = _MultinomialScorer.of(model)
    assert scorer is not None
    probes = ["quiero una visa h2a", "me amenazan por telefono", "perdi mi pasaporte", "zzz", "¿dónde está?"]
    assert np.allclose(scorer(probes), model.predict_proba(probes), rtol=0, atol=1e-12)
