"""Intent classifier: logistic regression on TF-IDF word (1-2) and character (2-5) n-grams.

Why not DIET: on our data (about 2,000 short WhatsApp-style examples, 45 intents) this scored higher on the
development set (see README, "Understanding") than DIET on the same n-gram features, trains in seconds
instead of minutes on two cores, and its probabilities are stable from one training run to the next. No
pre-trained weights are involved. Text is lower-cased and accents removed first, because people type
"como", "cómo" and "komo" for the same word (the character n-grams absorb the rest of the spelling).
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional, Text

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

logger = logging.getLogger(__name__)
MODEL_FILE = "ngram_intent_classifier.pkl"
# A message that is only an option number ("2", "opción 3", "la dos") picks from the options shown last,
# whatever the n-grams say: the choice must never depend on a statistical guess.
SELECT_OPTION = "select_option"


def build_pipeline(config: Dict[Text, Any]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    words = TfidfVectorizer(preprocessor=fold, ngram_range=(1, config["word_max_ngram"]), sublinear_tf=True)
    chars = TfidfVectorizer(
        preprocessor=fold, analyzer="char_wb", ngram_range=(config["char_min_ngram"], config["char_max_ngram"]),
        sublinear_tf=True, min_df=2,
    )
    return make_pipeline(
        make_union(words, chars),
        LogisticRegression(C=config["C"], max_iter=config["max_iter"], random_state=config["random_state"],
                           solver=config["solver"], tol=config["tol"]),
    )


class _MultinomialScorer:
    """The features of a fitted pipeline (features -> multinomial logistic regression), then the regression as
    one sparse-times-dense product. sklearn multiplies by `coef_.T`, a strided view: slow for a sparse row."""

    def __init__(self, features: Any, weights: Any, intercept: Any):
        self.features, self.weights, self.intercept = features, weights, intercept

    @classmethod
    def of(cls, model: Any) -> Optional["_MultinomialScorer"]:
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        steps = getattr(model, "steps", None)
        if not steps or len(steps) != 2 or not isinstance(steps[1][1], LogisticRegression):
            return None
        regression = steps[1][1]
        if len(regression.classes_) < 3 or regression.multi_class not in ("auto", "multinomial") \
                or regression.solver == "liblinear":
            return None  # one-vs-rest or binary: sklearn's own computation
        return cls(steps[0][1], np.ascontiguousarray(regression.coef_.T), regression.intercept_.copy())

    def __call__(self, texts: List[str]) -> Any:
        import numpy as np

        scores = self.features.transform(texts) @ self.weights + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class NgramIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 10.0,
            "max_iter": 3000,
            "random_state": 7,
            # Stochastic average gradient: the same predictions as the default L-BFGS on our data (probabilities
            # within 0.02 on the training set, every top intent the same) in a tenth of the time (about 10 s
            # instead of 70-120 s for 4,400 examples and 45 intents on two cores), which keeps training under a
            # minute. Deterministic with random_state.
            "solver": "sag",
            "tol": 1e-3,
            "word_max_ngram": 2,
            "char_min_ngram": 2,
            "char_max_ngram": 5,
            "ranking_length": 10,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[Any] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._scorer: Optional[Callable[[List[str]], Any]] = None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "NgramIntentClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("fewer than two intents with examples: the classifier is not trained")
            return self._resource
        model = self.build_model()
        model.fit([m.get(TEXT) for m in examples], [m.get(INTENT) for m in examples])
        self._model = model
        save_model(self._model_storage, self._resource, MODEL_FILE, model)
        return self._resource

    def build_model(self) -> Any:
        """The untrained scikit-learn pipeline (a separate method so that experiments can swap features)."""
        return build_pipeline(self._config)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "NgramIntentClassifier":
        model = load_model(model_storage, resource, MODEL_FILE,
                           "no trained intent classifier in the model; every message will fall back")
        return cls(config, model_storage, resource, model)

    def probabilities(self, text: str) -> Any:
        """`predict_proba` for one message, without scikit-learn's per-call overhead: softmax(x·W + b) with the
        weights laid out for a sparse row (transposed, contiguous), built on first use. The same numbers as
        `predict_proba` for a multinomial logistic regression (a test checks it); anything else uses sklearn."""
        if self._scorer is None:
            self._scorer = _MultinomialScorer.of(self._model) or self._model.predict_proba
        return self._scorer([text])[0]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if option_number(text) is not None:
                choice = {"name": SELECT_OPTION, "confidence": 1.0}
                message.set(INTENT, choice, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [choice], add_to_output=True)
                continue
            if self._model is None or not text.strip():
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            probabilities = self.probabilities(text)
            ranked = sorted(zip(self._model.classes_, probabilities, strict=True), key=lambda pair: -pair[1])
            top = ranked[: self._config["ranking_length"]]
            ranking = [{"name": str(name), "confidence": float(p)} for name, p in top]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
