"""The emergency detector: a Rasa NLU component that low confidence cannot bypass (issue 8 §5).

It runs after the topic classifier and the FallbackClassifier (config.yml), on every message in every state,
and looks for danger in two independent ways:

1. danger phrases (`bot.safety.phrases`, matched by `bot.safety.danger` on spelling-normalised words);
2. a small classifier trained on our own examples: help.emergency and help.crisis are the positives (two
   classes, "emergency" and "crisis"), every other intent a negative ("none"). Logistic regression on
   character n-grams (2-5, within words) and word n-grams (1-2) of the normalised text
   (`bot.safety.danger.normalise`: folded, shorthand expanded, repeated letters squeezed, letters with the
   same sound merged), with balanced class weights. The thresholds are chosen for recall by 5-fold
   cross-validation on the training data (see README of the measurement in the component's docstring
   below and `get_default_config`).

When either finds danger the message gets

    message["danger"] = {"kind": "emergency" | "crisis", "score": float, "by": "phrase" | "model"}

(in the parse data), its top `intent` becomes help.emergency or help.crisis with confidence 1.0, and the
`intent_ranking` keeps what was predicted before, after the danger intent (so the action can also answer
what else was asked, and the FallbackClassifier's nlu_fallback no longer decides the turn). Otherwise
`danger` is None and nothing else changes. A message that is only an option number ("2", "la dos") or a
slash payload ("/greet") is never touched: choosing an option must stay predictable.
"""
from __future__ import annotations

import logging
import pickle
from typing import Any, Dict, List, Optional, Sequence, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import option_number
from bot.safety.danger import CRISIS, EMERGENCY, normalise, phrase_danger

logger = logging.getLogger(__name__)

MODEL_FILE = "emergency_detector.pkl"
DANGER = "danger"
NONE = "none"
EMERGENCY_INTENT = "help.emergency"
CRISIS_INTENT = "help.crisis"
INTENT_OF_KIND = {EMERGENCY: EMERGENCY_INTENT, CRISIS: CRISIS_INTENT}
KIND_OF_INTENT = {intent: kind for kind, intent in INTENT_OF_KIND.items()}


def build_pipeline(config: Dict[Text, Any]):
    """The classifier: normalised text -> {"none", "emergency", "crisis"}."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    chars = TfidfVectorizer(
        preprocessor=normalise, analyzer="char_wb", sublinear_tf=True, min_df=config["min_df"],
        ngram_range=(config["char_min_ngram"], config["char_max_ngram"]),
    )
    words = TfidfVectorizer(preprocessor=normalise, ngram_range=(1, config["word_max_ngram"]), sublinear_tf=True)
    return make_pipeline(
        make_union(chars, words),
        LogisticRegression(C=config["C"], class_weight="balanced", max_iter=config["max_iter"],
                           random_state=config["random_state"]),
    )


def training_labels(intents: Sequence[Optional[str]]) -> List[str]:
    """help.emergency -> "emergency", help.crisis -> "crisis", any other intent -> "none"."""
    return [KIND_OF_INTENT.get(intent or "", NONE) for intent in intents]


def model_danger(probabilities: Dict[str, float], threshold: float, crisis_threshold: float) -> Optional[Dict]:
    """The model's verdict from its class probabilities: danger when P(emergency) + P(crisis) reaches
    `threshold` or P(crisis) alone reaches `crisis_threshold`; the kind is crisis when P(crisis) reaches
    `crisis_threshold` or is the larger of the two."""
    emergency, crisis = probabilities.get(EMERGENCY, 0.0), probabilities.get(CRISIS, 0.0)
    score = emergency + crisis
    if score < threshold and crisis < crisis_threshold:
        return None
    kind = CRISIS if crisis >= crisis_threshold or crisis > emergency else EMERGENCY
    return {"kind": kind, "score": round(float(score), 4), "by": "model"}


def is_choice_or_payload(text: str) -> bool:
    """A message that only picks an option ("2", "opción 3", "la dos") or is a button payload ("/greet")."""
    stripped = (text or "").strip()
    return stripped.startswith("/") or option_number(stripped) is not None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class EmergencyDetector(GraphComponent, IntentClassifier):
    """Danger phrases plus a small emergency / crisis / none classifier; overrides the intent on danger."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Chosen by 5-fold cross-validation on data/nlu for recall (see the measurement notes in the
            # module docstring): P(emergency) + P(crisis) >= threshold, or P(crisis) >= crisis_threshold.
            "threshold": 0.35,
            "crisis_threshold": 0.25,
            "C": 10.0,
            "max_iter": 3000,
            "random_state": 7,
            "min_df": 1,
            "char_min_ngram": 2,
            "char_max_ngram": 5,
            "word_max_ngram": 2,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[Any] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "EmergencyDetector":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        labels = training_labels([m.get(INTENT) for m in examples])
        if NONE not in labels or len(set(labels)) < 2:
            logger.warning("no emergency or crisis examples (or no others): only the danger phrases will be used")
            return self._resource
        model = build_pipeline(self._config)
        model.fit([m.get(TEXT) for m in examples], labels)
        self._model = model
        with self._model_storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_bytes(pickle.dumps(model))
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "EmergencyDetector":
        model = None
        try:
            with model_storage.read_from(resource) as directory:
                # Our own artefact, written by train() into the model archive we built.
                model = pickle.loads((directory / MODEL_FILE).read_bytes())  # noqa: S301
        except (ValueError, FileNotFoundError):
            logger.warning("no trained emergency classifier in the model; only the danger phrases will be used")
        return cls(config, model_storage, resource, model)

    def probabilities(self, text: str) -> Dict[str, float]:
        """The model's class probabilities for a text ({} without a trained model)."""
        if self._model is None:
            return {}
        return {str(c): float(p) for c, p in zip(self._model.classes_, self._model.predict_proba([text])[0],
                                                  strict=True)}

    def detect(self, text: str) -> Optional[Dict[str, Any]]:
        """{"kind", "score", "by"} when the text shows danger, else None. Phrases first (score 1.0); when
        both phrases and model fire, the kind is crisis if either says crisis."""
        if not text or not text.strip() or is_choice_or_payload(text):
            return None
        by_phrase = phrase_danger(text)
        by_model = model_danger(self.probabilities(text), self._config["threshold"],
                                self._config["crisis_threshold"])
        if by_phrase:
            kind = CRISIS if CRISIS in (by_phrase, (by_model or {}).get("kind")) else EMERGENCY
            return {"kind": kind, "score": 1.0, "by": "phrase"}
        return by_model

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            danger = self.detect(message.get(TEXT) or "")
            message.set(DANGER, danger, add_to_output=True)
            if danger:
                override(message, INTENT_OF_KIND[danger["kind"]])
        return messages


def override(message: Message, intent_name: str) -> None:
    """Make `intent_name` the top intent at confidence 1.0, keeping the earlier ranking after it."""
    top = {"name": intent_name, "confidence": 1.0}
    previous = message.get(INTENT) or {}
    ranking = [dict(r) for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent_name]
    if previous.get("name") and previous.get("name") != intent_name \
            and all(r.get("name") != previous["name"] for r in ranking):
        ranking.insert(0, dict(previous))
    message.set(INTENT, top, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
