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


@pytest.mark.parametrize("language, apology_start", [
    (None, "Lo siento, ahora no puedo consultar la información."),
    ("en", "Sorry, I cannot look up the information right now."),
])
def test_when_the_action_server_is_down_the_person_gets_the_apology(runtime, language, apology_start):
    import asyncio

    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, SlotSet
    from rasa.shared.core.slots import TextSlot
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    from bot.tooling.processes import free_port

    nobody_listens = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")
    tracker = DialogueStateTracker("person", [TextSlot("language", mappings=[])])
    if language:
        tracker.update(SlotSet("language", language))
    channel = CollectingOutputChannel()
    events = asyncio.run(RemoteAction("action_answer_topic", nobody_listens).run(
        channel, None, tracker, Domain.empty()))
    assert len(events) == 1 and isinstance(events[0], BotUttered)
    assert events[0].text.startswith(apology_start)
    assert [m["text"] for m in channel.messages] == [events[0].text]
    assert "emergenc" in events[0].text  # what to do in danger, even now


def test_a_tracker_store_outage_reaches_the_channel_instead_of_a_blank_conversation(runtime):
    import asyncio

    from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from sqlalchemy.exc import OperationalError

    class Down(InMemoryTrackerStore):
        async def retrieve(self, sender_id):
            raise OperationalError("SELECT", {}, ConnectionRefusedError("database restarting"))

        async def save(self, tracker):
            raise OperationalError("INSERT", {}, ConnectionRefusedError("database restarting"))

    store = FailSafeTrackerStore(Down(Domain.empty()))
    with pytest.raises(OperationalError):
        asyncio.run(store.retrieve("person"))
    tracker = asyncio.run(InMemoryTrackerStore(Domain.empty()).get_or_create_tracker("person"))
    with pytest.raises(OperationalError):
        asyncio.run(store.save(tracker))
    assert asyncio.run(store.fallback_tracker_store.retrieve("person")) is None  # nothing kept in memory instead


def test_a_slash_message_rasa_cannot_parse_is_not_written_to_the_logs(runtime, capfd, caplog):
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.training_data.message import Message

    text = "/@ Rosa Quixtán 55512345"  # a "/" message Rasa cannot read as an intent
    YAMLStoryReader.unpack_regex_message(Message(data={"text": text}))
    captured = capfd.readouterr()
    everything = captured.out + captured.err + caplog.text
    assert "message.parsing.failed" in everything  # Rasa's warning still says what happened
    assert "Quixtán" not in everything and "55512345" not in everything
