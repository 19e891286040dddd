"""The emergency detector (issue 8 §5): spelling normalisation, danger phrases, and the Rasa component
trained on a small hand-made data set. No full model is needed.

The sentences here are our own; the evaluation sets in ../shared/eval are never copied.
"""
from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.safety import CRISIS, EMERGENCY, normalise, phrase_danger, shows_immediate_danger
from bot.safety.danger import compile_phrase, matching_phrases, not_now, word_matches
from bot.safety.detector import (
    EmergencyDetector,
    FastScorer,
    build_pipeline,
    decide,
    model_danger,
    override,
    training_labels,
)
from bot.safety.phrases import CRISIS_PHRASES, EMERGENCY_PHRASES, LONG_AGO_PHRASES


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Me kieren matar x fa!!", "me quieren matar por fabor"),
        ("AYUDAAAA", "ayuda"),
        ("¿Qué hago? q onda", "que ago que onda"),
        ("stoy encerrada", "estoi enserada"),
        ("estoy encerrada", "estoi enserada"),
        ("I'm locked in, we can't get out", "i am locqued in we can not get out"),
        ("xq no contestan", "porque no contestan"),
        ("suicidarme / suisidarme", "suisidarme suisidarme"),
        ("ya no quiero vivir", "ya no quiero bibir"),
        ("", ""),
    ],
)
def test_normalise_merges_the_usual_spellings(text, expected):
    assert normalise(text) == expected


def test_normalise_is_the_same_for_every_spelling_of_a_danger_phrase():
    spellings = ["me quieren matar", "ME QUIEREN MATAR", "me kieren matar", "me qieren matarrr", "me quieren mátar"]
    assert len({normalise(s) for s in spellings}) == 1


@pytest.mark.parametrize(
    "token, word, same",
    [
        ("auxlio", "auxilio", True),  # a letter dropped
        ("auxiilo", "auxilio", True),  # two letters swapped
        ("persigiendo", "persiguiendo", True),
        ("mata", "matar", True),
        ("secuestraran", "secuestraron", False),  # another tense, not a typo
        ("sed", "sede", False),  # short words must match exactly
        ("secuestrados", "secuestrad*", True),
        ("secustrada", "secuestrad*", True),
    ],
)
def test_word_matching_tolerates_one_dropped_or_swapped_letter(token, word, same):
    assert word_matches(token, word) is same


@pytest.mark.parametrize(
    "text, kind",
    [
        # emergencies, misspelt the way people type on the run
        ("auxlio x fa", EMERGENCY),
        ("me kieren matar", EMERGENCY),
        ("nos tienen ensrrados en una bodega", EMERGENCY),
        ("stoy secuestrada ayudaaa", EMERGENCY),
        ("nos estan persigiendo unos tipos", EMERGENCY),
        ("no podemos respirar aki adentro", EMERGENCY),
        ("se esta ahogando un señor", EMERGENCY),
        ("AYUDA URJENTE", EMERGENCY),
        ("se nos acabo el agua y estamos perdidos en el desierto", EMERGENCY),
        ("me acaban de violar", EMERGENCY),
        ("mi pareja me esta golpeando", EMERGENCY),
        ("we r locked in a trailer", EMERGENCY),
        ("im bein followed", EMERGENCY),
        ("they wont let us out", EMERGENCY),
        ("i got stabbed", EMERGENCY),
        ("hay un niño solito llorando aca", EMERGENCY),
        ("estamos secuestrados y piden 2000 de rescate", EMERGENCY),  # an amount, not a year
        # crisis: suicidal thoughts and self-harm, the writer's or someone else's
        ("ya no kiero bivir", CRISIS),
        ("me kiero matar", CRISIS),
        ("pienso n suisidarme", CRISIS),
        ("me voy a qitar la vida", CRISIS),
        ("mi hijo dice q se quiere matar", CRISIS),
        ("i wanna kill myself", CRISIS),
        ("i dont want to live anymore", CRISIS),
        ("thinking about ending it all", CRISIS),
        ("me golpeo la cabesa contra la pared", CRISIS),
        ("que hago si me quiero matar", CRISIS),  # a crisis phrase always counts, even as a question
        # a message showing both gets the crisis answer
        ("auxilio me quiero morir", CRISIS),
    ],
)
def test_danger_phrases_fire_on_misspelt_emergencies_and_crises(text, kind):
    assert phrase_danger(text) == kind
    assert shows_immediate_danger(text)


@pytest.mark.parametrize(
    "text",
    [
        "que hago si me secuestran en el camino?",
        "q pasa si el coyote me deja tirado en el desierto",
        "is it true coyotes abandon people?",
        "what should i do if someone follows me on the route",
        "cuanta agua hay q llevar pa cruzar el desierto",
        "hace 10 años me secuestraron en mexico, eso cuenta pa el asilo?",
        "i was kidnapped in 2019, can i still report it",
        "mi mama me va a matar si no le mando el pisto jaja",
        "mi jefa me quiere matar jajaja x no lavar los trastes",  # a joke
        "si me quieren matar los mareros puedo pedir asilo?",  # a question about what could happen
        "what happens if we are locked in a trailer",
        "no me quieren matar, solo quieren pisto",  # negated
        "tranquilo, no es emergencia, es una duda de la visa",
        "vos sos de guatemala?",
        "se me perdio el pasaporte, como saco otro",
        "no quiero morir en el desierto, que tan peligroso es",
        "cuanto cobra un coyote",
        "help me understand the h2a requirements",
        "ayuda con los papeles del dpi",
        "mi hijo no quiere vivir en guatemala, se quiere ir",
        "",
    ],
)
def test_danger_phrases_do_not_fire_on_near_misses(text):
    assert phrase_danger(text) is None
    assert not shows_immediate_danger(text)


def test_every_phrase_compiles_and_has_a_required_word():
    for source in CRISIS_PHRASES + EMERGENCY_PHRASES + LONG_AGO_PHRASES:
        assert compile_phrase(source, EMERGENCY).slots
    with pytest.raises(ValueError):
        compile_phrase("[maybe] ~", EMERGENCY)


def test_matching_phrases_names_the_phrase_that_fired():
    assert [p.source for p in matching_phrases("me tienen secuestrado")] == [
        "me|nos tienen|tiene secuestrad*|encerrad*|amarrad*|retenid*"]


@pytest.mark.parametrize(
    "text, past",
    [
        ("hace 3 años estuvimos en una bodega sin comida", True),
        ("en 2019 nos tuvieron en una bodega", True),
        ("when i was a kid my dad hit us", True),
        ("tranqui, no es urgente", True),
        ("not an emergency, just a question", True),
        ("estamos en una bodega sin comida", False),
        ("piden 2000 por cada uno", False),
    ],
)
def test_not_now_recognises_messages_about_the_past_or_not_urgent(text, past):
    assert not_now(text) is past


def test_decide_needs_a_higher_score_for_messages_about_the_past():
    config = EmergencyDetector.get_default_config()
    probabilities = {"none": 0.5, "emergency": 0.5, "crisis": 0.0}
    assert decide("estamos en una bodega sin comida", probabilities, config) == {
        "kind": EMERGENCY, "score": 0.5, "by": "model"}
    assert decide("hace 3 años estuvimos en una bodega sin comida", probabilities, config) is None
    # a phrase decides alone, and the model can make it a crisis
    assert decide("auxilio", {}, config) == {"kind": EMERGENCY, "score": 1.0, "by": "phrase"}
    assert decide("auxilio", {"none": 0.1, "emergency": 0.1, "crisis": 0.8}, config)["kind"] == CRISIS


def test_model_danger_thresholds():
    assert model_danger({"none": 0.9, "emergency": 0.06, "crisis": 0.04}, 0.3, 0.2) is None
    assert model_danger({"none": 0.5, "emergency": 0.4, "crisis": 0.1}, 0.3, 0.2) == {
        "kind": EMERGENCY, "score": 0.5, "by": "model"}
    # the kind follows the larger probability
    assert model_danger({"none": 0.4, "emergency": 0.25, "crisis": 0.35}, 0.3, 0.2)["kind"] == CRISIS
    assert model_danger({"none": 0.4, "emergency": 0.35, "crisis": 0.25}, 0.3, 0.2)["kind"] == EMERGENCY
    # crisis also fires alone from its own, lower threshold
    assert model_danger({"none": 0.78, "emergency": 0.0, "crisis": 0.22}, 0.3, 0.2) == {
        "kind": CRISIS, "score": 0.22, "by": "model"}
    assert model_danger({"none": 0.8, "emergency": 0.02, "crisis": 0.18}, 0.3, 0.2) is None


# --- the Rasa component, trained on a small hand-made data set ------------------------------------------

EMERGENCY_EXAMPLES = [
    "auxilio", "socorro ayudenme", "me quieren matar", "nos tienen encerrados en una casa",
    "estamos en un camion cerrado y no hay aire", "el coyote nos dejo en el desierto sin agua",
    "me estan siguiendo unos hombres armados", "estoy sangrando mucho", "me cai del tren y no me puedo mover",
    "se lo llevo el rio a mi compañero", "help we are locked in a truck", "they are going to kill us",
    "im bleeding and alone", "the guide left us in the desert with no water", "someone is chasing me right now",
    "nos secuestraron y piden rescate", "hay un niño solo en la orilla del rio llorando",
    "mi esposo me esta pegando ahorita", "a man is outside with a gun looking for me",
    "we are trapped in a house and cant leave",
]
CRISIS_EXAMPLES = [
    "me quiero matar", "ya no quiero vivir", "pienso en quitarme la vida", "quiero morirme",
    "me corto los brazos para no sentir", "nadie me va a extrañar si me muero", "i want to kill myself",
    "i dont want to live anymore", "thinking of ending my life", "i keep hurting myself",
    "mi hijo dice q se quiere matar", "everyone would be better off without me",
]
OTHER_EXAMPLES = {
    "risks.extortion": [
        "que hago si me secuestran en el camino", "cuantos migrantes secuestran en mexico",
        "what if the cartel kidnaps me on the way", "how do kidnappers ask families for ransom",
    ],
    "risks.smugglers": [
        "es cierto q los coyotes abandonan a la gente", "cuanto cobra un coyote",
        "is it true coyotes abandon people", "can i trust a smuggler",
    ],
    "risks.route_dangers": [
        "cuanta agua hay q llevar pa el desierto", "es peligroso cruzar el rio", "how hot is the desert",
        "is the train dangerous",
    ],
    "labour.h2a": ["como aplico a la visa h2a", "cuanto pagan en la h2a", "how do i apply for h2a",
                   "what documents for h2a"],
    "reintegration.psychosocial": [
        "me siento triste desde q volvi", "hay terapia para retornados", "i feel anxious since i came back",
        "is there counseling for families",
    ],
    "greet": ["hola", "buenas", "hello", "hi"],
    "select_option": ["2", "la dos", "opcion 3", "the second one"],
}
NEAR_MISSES = [
    "que hago si me secuestran en el camino?",
    "is it true coyotes abandon people?",
    "cuanta agua hay q llevar pa el desierto",
    "how do i apply for the h2a visa",
    "hola buenas",
]


def training_data() -> TrainingData:
    examples = [Message(data={"text": t, "intent": "help.emergency"}) for t in EMERGENCY_EXAMPLES]
    examples += [Message(data={"text": t, "intent": "help.crisis"}) for t in CRISIS_EXAMPLES]
    examples += [Message(data={"text": t, "intent": intent}) for intent, texts in OTHER_EXAMPLES.items()
                 for t in texts]
    return TrainingData(training_examples=examples)


@pytest.fixture(scope="module")
def detector(tmp_path_factory) -> EmergencyDetector:
    """Trained, persisted and loaded again from the model storage, as Rasa does."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    resource = Resource("emergency_detector")
    context = ExecutionContext(GraphSchema({}), "test")
    EmergencyDetector.create({}, storage, resource, context).train(training_data())
    return EmergencyDetector.load({}, storage, resource, context)


def parsed(detector: EmergencyDetector, text: str, intent: str = "risks.smugglers", confidence: float = 0.4,
           ranking: list | None = None) -> Message:
    """A message as the topic classifier and the FallbackClassifier left it, then through the detector."""
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set("intent_ranking", ranking if ranking is not None else [{"name": intent, "confidence": confidence}],
                add_to_output=True)
    return detector.process([message])[0]


@pytest.mark.parametrize(
    "text, kind",
    [
        ("nos tienen encerrados en una bodega, ayudenos", EMERGENCY),
        ("me kieren matar", EMERGENCY),
        ("ayudaaa el coyote nos dejo sin agua en el desierto", EMERGENCY),
        ("ya no kiero vivir", CRISIS),
        ("i want to kill myself", CRISIS),
    ],
)
def test_the_component_sets_danger_and_overrides_the_intent(detector, text, kind):
    ranking = [{"name": "nlu_fallback", "confidence": 0.2}, {"name": "risks.smugglers", "confidence": 0.15},
               {"name": "greet", "confidence": 0.1}]
    message = parsed(detector, text, "nlu_fallback", 0.2, ranking)
    danger = message.get("danger")
    assert danger["kind"] == kind and danger["by"] in ("phrase", "model") and 0 < danger["score"] <= 1
    expected = {EMERGENCY: "help.emergency", CRISIS: "help.crisis"}[kind]
    assert message.get("intent") == {"name": expected, "confidence": 1.0}
    # what was predicted before stays in the ranking, after the danger intent (low confidence cannot bypass)
    assert [r["name"] for r in message.get("intent_ranking")] == [expected, "nlu_fallback", "risks.smugglers",
                                                                   "greet"]
    assert "danger" in message.as_dict(only_output_properties=True)


def test_the_model_alone_catches_danger_without_any_phrase(detector):
    text = "a man is outside with a gun looking for me and my kids"
    assert phrase_danger(text) is None
    danger = detector.detect(text)
    assert danger is not None and danger["by"] == "model" and danger["kind"] == EMERGENCY


def test_the_component_keeps_the_topic_intent_when_it_was_already_a_danger_intent(detector):
    message = parsed(detector, "me quieren matar", "help.emergency", 0.9,
                     [{"name": "help.emergency", "confidence": 0.9}, {"name": "risks.smugglers", "confidence": 0.05}])
    assert message.get("intent") == {"name": "help.emergency", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["help.emergency", "risks.smugglers"]


@pytest.mark.parametrize("text", ["2", " 3 ", "la dos", "opción 1", "/greet", "/help.emergency", "", "   "])
def test_numbers_and_payloads_are_never_touched(detector, text):
    message = parsed(detector, text, "select_option", 1.0)
    assert message.get("danger") is None
    assert message.get("intent") == {"name": "select_option", "confidence": 1.0}
    assert message.get("intent_ranking") == [{"name": "select_option", "confidence": 1.0}]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_the_component_never_fires_on_near_misses(detector, text):
    message = parsed(detector, text)
    assert message.get("danger") is None
    assert message.get("intent") == {"name": "risks.smugglers", "confidence": 0.4}


@pytest.mark.parametrize("intents", [None, {"help.emergency", "greet", "labour.h2a"}])
def test_the_fast_scorer_gives_the_pipelines_probabilities(intents):
    examples = [m for m in training_data().intent_examples if intents is None or m.get("intent") in intents]
    pipeline = build_pipeline(EmergencyDetector.get_default_config())
    pipeline.fit([m.get("text") for m in examples], training_labels([m.get("intent") for m in examples]))
    texts = ["me kieren matar", "hola", "", "???", "how do i apply for the h2a visa", "zzzz"]
    scorer = FastScorer(pipeline)
    for text, expected in zip(texts, pipeline.predict_proba(texts), strict=True):
        got = scorer.probabilities(text)
        assert [got[c] for c in pipeline.classes_] == pytest.approx(list(expected), abs=1e-9)


def test_without_a_trained_model_the_phrases_still_work(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    untrained = EmergencyDetector.load({}, storage, Resource("missing"), context)
    assert parsed(untrained, "auxilio me estan siguiendo").get("danger") == {
        "kind": EMERGENCY, "score": 1.0, "by": "phrase"}
    assert parsed(untrained, "cuanto cobra un coyote").get("danger") is None


def test_override_keeps_the_previous_top_intent_when_the_ranking_is_empty():
    message = Message(data={"text": "x"})
    message.set("intent", {"name": "labour.h2a", "confidence": 0.7})
    override(message, "help.crisis")
    assert [r["name"] for r in message.get("intent_ranking")] == ["help.crisis", "labour.h2a"]
