"""The emergency detector: a Rasa NLU component that low confidence cannot bypass (issue 8 §5).

It runs last in the NLU pipeline, after the topic classifier and the FallbackClassifier (config.yml), on every
message in every state (menus and fallbacks included), and looks for danger in two independent ways:

1. danger phrases (`bot.safety.phrases`, matched by `bot.safety.danger` on spelling-normalised words);
2. a small classifier trained on our own examples: help.emergency and help.crisis are the positives (two
   classes, "emergency" and "crisis"), every other intent a negative ("none"). Logistic regression (balanced
   class weights) on character n-grams (2-5, within words) of two views of the text, spelling-normalised
   (`bot.safety.danger.normalise`: folded, shorthand expanded, repeated letters squeezed, letters with the
   same sound merged) and only folded, plus word n-grams (1-2) of the normalised text.

Every parsed message gets a `danger` key in the parse data:

    None, or {"kind": "emergency" | "crisis", "score": float, "by": "phrase" | "model"}

On danger, the top `intent` becomes help.emergency / help.crisis with confidence 1.0 and `intent_ranking`
keeps what was predicted before, after the danger intent (so an action can also answer what else was asked;
a FallbackClassifier "nlu_fallback" no longer decides the turn). A message that is only an option number
("2", "la dos") or a slash payload ("/greet") is never touched: choosing an option must stay predictable.

How the thresholds were chosen (2026-11-29, 4,367 training examples: 256 emergency, 104 crisis; 5-fold
stratified cross-validation, also with simulated misspellings of the held-out fold: "x"/"q" for por/que,
dropped letters, repeated letters). Cross-validation first: the model fires at
P(emergency) + P(crisis) >= `threshold` or P(crisis) >= `crisis_threshold`; the highest thresholds keeping
recall and crisis-as-crisis recall at or above 98% on the misspelt folds were 0.20 / 0.10; the development
sets second: 0.15 catches one more emergency on dev_safety for about one more false alarm in a hundred.
At 0.15 / 0.10 (phrases + model): cross-validated recall 99.7% (misspelt 98.6%), crisis detected as crisis
100% (98.1%), false alarms on the other intents 4.8% (5.3%) — these include the phrases, which were written
with the training data in view; the model alone: 98.3% (96.7%), crisis 93.3% (87.5%). A message dated to
years ago or saying it is not urgent needs P >= `past_threshold` (0.6). See the report of issue 8 §5 for the
development-set figures.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import fold, option_number
from bot.nlu.artefacts import load_model, save_model
from bot.safety.danger import CRISIS, EMERGENCY, normalise, not_now, phrase_danger

logger = logging.getLogger(__name__)

MODEL_FILE = "emergency_detector.pkl"
DANGER = "danger"
NONE = "none"
EMERGENCY_INTENT = "help.emergency"
CRISIS_INTENT = "help.crisis"
INTENT_OF_KIND = {EMERGENCY: EMERGENCY_INTENT, CRISIS: CRISIS_INTENT}
KIND_OF_INTENT = {intent: kind for kind, intent in INTENT_OF_KIND.items()}


def build_pipeline(config: Dict[Text, Any]):
    """The classifier: text -> {"none", "emergency", "crisis"}. Character n-grams of two views of the text,
    spelling-normalised (`normalise`: "me kieren matar x fa" and "me quieren matar por favor" look alike)
    and only folded (`fold`: keeps the letters people actually typed, which the normalisation merges), plus
    word n-grams of the normalised text. Both views together beat either alone in cross-validation,
    clean and with simulated misspellings."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    def chars(preprocessor):
        return TfidfVectorizer(
            preprocessor=preprocessor, analyzer="char_wb", sublinear_tf=True, min_df=config["min_df"],
            ngram_range=(config["char_min_ngram"], config["char_max_ngram"]),
        )

    words = TfidfVectorizer(preprocessor=normalise, ngram_range=(1, config["word_max_ngram"]), sublinear_tf=True)
    return make_pipeline(
        make_union(chars(normalise), chars(fold), words),
        LogisticRegression(C=config["C"], class_weight="balanced", max_iter=config["max_iter"],
                           random_state=config["random_state"]),
    )


class FastScorer:
    """The trained pipeline's `predict_proba` for one text, computed directly from its vocabularies, idf
    weights and coefficients: the same numbers (a test checks) without scikit-learn's per-call overhead,
    which cost about 5 ms a message against well under 1 ms here. The detector runs on every message."""

    def __init__(self, pipeline: Any) -> None:
        import numpy as np

        union, classifier = pipeline.steps[0][1], pipeline.steps[-1][1]
        self.classes = [str(c) for c in classifier.classes_]
        self.intercept = np.asarray(classifier.intercept_, dtype=float)
        self.blocks = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            size = len(vectorizer.vocabulary_)
            self.blocks.append((
                vectorizer.build_analyzer(), vectorizer.vocabulary_, np.asarray(vectorizer.idf_, dtype=float),
                classifier.coef_[:, offset: offset + size], vectorizer.sublinear_tf,
            ))
            offset += size

    def probabilities(self, text: str) -> Dict[str, float]:
        import numpy as np

        decision = self.intercept.copy()
        for analyze, vocabulary, idf, coef, sublinear in self.blocks:
            counts: Dict[int, int] = {}
            for term in analyze(text):
                index = vocabulary.get(term)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            indices = np.fromiter(counts.keys(), dtype=int, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=float, count=len(counts))
            values = (1.0 + np.log(tf) if sublinear else tf) * idf[indices]
            decision = decision + coef[:, indices] @ (values / np.sqrt(values @ values))
        if len(self.classes) == 2:  # scikit-learn's binary case: one decision, logistic
            positive = 1.0 / (1.0 + np.exp(-decision[0]))
            return {self.classes[0]: float(1.0 - positive), self.classes[1]: float(positive)}
        exp = np.exp(decision - decision.max())
        return {c: float(p) for c, p in zip(self.classes, exp / exp.sum(), strict=True)}


def training_labels(intents: Sequence[Optional[str]]) -> List[str]:
    """help.emergency -> "emergency", help.crisis -> "crisis", any other intent -> "none"."""
    return [KIND_OF_INTENT.get(intent or "", NONE) for intent in intents]


def model_danger(probabilities: Dict[str, float], threshold: float, crisis_threshold: float) -> Optional[Dict]:
    """The model's verdict from its class probabilities: danger when P(emergency) + P(crisis) reaches
    `threshold`, or P(crisis) alone reaches the lower `crisis_threshold` (a crisis must always be caught).
    The kind is crisis when P(crisis) is the larger of the two (or fired alone), else emergency: a person
    lost in the desert must get the emergency answer, not the crisis one."""
    emergency, crisis = probabilities.get(EMERGENCY, 0.0), probabilities.get(CRISIS, 0.0)
    score = emergency + crisis
    if score < threshold and crisis < crisis_threshold:
        return None
    kind = CRISIS if crisis > emergency or score < threshold else EMERGENCY
    return {"kind": kind, "score": round(float(score), 4), "by": "model"}


def is_choice_or_payload(text: str) -> bool:
    """A message that only picks an option ("2", "opción 3", "la dos") or is a button payload ("/greet")."""
    stripped = (text or "").strip()
    return stripped.startswith("/") or option_number(stripped) is not None


def decide(text: str, probabilities: Dict[str, float], config: Dict[Text, Any]) -> Optional[Dict[str, Any]]:
    """The detector's verdict on a text, given the model's class probabilities ({} without a model).

    A danger phrase decides alone (score 1.0, "by": "phrase"); its kind is crisis when the phrase or the model
    says crisis. Otherwise the model decides (`model_danger`), with the higher `past_threshold` when the
    message dates itself to years ago or says it is not urgent (`bot.safety.danger.not_now`)."""
    by_phrase = phrase_danger(text)
    threshold, crisis_threshold = config["threshold"], config["crisis_threshold"]
    if not by_phrase and not_now(text):
        threshold = crisis_threshold = max(threshold, config["past_threshold"])
    by_model = model_danger(probabilities, threshold, crisis_threshold)
    if by_phrase:
        kind = CRISIS if CRISIS in (by_phrase, (by_model or {}).get("kind")) else EMERGENCY
        return {"kind": kind, "score": 1.0, "by": "phrase"}
    return by_model


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class EmergencyDetector(GraphComponent, IntentClassifier):
    """Danger phrases plus a small emergency / crisis / none classifier; overrides the intent on danger."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Chosen for recall by 5-fold cross-validation, then the development sets (module docstring):
            # the model fires at P(emergency) + P(crisis) >= threshold, or P(crisis) >= crisis_threshold ...
            "threshold": 0.15,
            "crisis_threshold": 0.10,
            # ... but at least this when the message dates itself to years ago or says it is not urgent
            "past_threshold": 0.6,
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
        self._scorer = FastScorer(model) if model is not None else None

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
        self._model, self._scorer = model, FastScorer(model)
        save_model(self._model_storage, self._resource, MODEL_FILE, model)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "EmergencyDetector":
        model = load_model(model_storage, resource, MODEL_FILE,
                           "no trained emergency classifier in the model; only the danger phrases will be used")
        return cls(config, model_storage, resource, model)

    def probabilities(self, text: str) -> Dict[str, float]:
        """The model's class probabilities for a text ({} without a trained model)."""
        return self._scorer.probabilities(text) if self._scorer is not None else {}

    def detect(self, text: str) -> Optional[Dict[str, Any]]:
        """{"kind", "score", "by"} when the text shows danger, else None (see `decide`)."""
        if not text or not text.strip() or is_choice_or_payload(text):
            return None
        return decide(text, self.probabilities(text), self._config)

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
