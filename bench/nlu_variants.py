"""Intent classifiers that `bench/compare_nlu.py` measures against ours (issue 8: "a comparison against Rasa's
default pipeline and a keyword baseline"; "spaCy's lemmas or vectors only if they raise the measured accuracy").

Each is our `NgramIntentClassifier` with a different scikit-learn model, so that everything else in the
pipeline (option numbers, the fallback, the emergency detector) stays the same and only the features differ:

- `KeywordBaselineClassifier`: what a hand-kept keyword bot does, with its keywords learnt from the same
  training data: a topic's keywords are the words (accents and case folded, 4 letters or more) seen at least
  twice in its examples and at least half of the time in that topic; a message goes to the topic whose
  keywords it contains most. No keyword, no topic (the fallback).
- `LemmaNgramIntentClassifier`: ours with the word n-grams taken over spaCy lemmas (es_core_news_sm).
- `SpacyVectorIntentClassifier`: ours plus the mean of es_core_news_sm's token vectors (the small Spanish
  pipeline has no static word vectors; spaCy falls back to its tok2vec context tensors, 96 dimensions).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin

from bot.language import fold
from bot.nlu.classifier import NgramIntentClassifier

WORD = re.compile(r"[a-z]{4,}")
_NLP: Any = None


def spacy_pipeline() -> Any:
    """es_core_news_sm with what lemmas and token vectors need (no parser, no NER), loaded once."""
    global _NLP
    if _NLP is None:
        from bot.language.places import import_spacy

        _NLP = import_spacy().load("es_core_news_sm", exclude=["parser", "ner", "senter"])
    return _NLP


def lemmatised(text: str) -> str:
    """The folded lemmas of a message ("trabajaba en fincas" -> "trabajar en finca")."""
    return fold(" ".join(token.lemma_ for token in spacy_pipeline()(text)))


# --- keyword baseline -------------------------------------------------------------------------------------

class KeywordOverlap(BaseEstimator, ClassifierMixin):
    def __init__(self, min_count: int = 2, min_share: float = 0.5) -> None:
        self.min_count = min_count
        self.min_share = min_share

    def fit(self, texts: list[str], labels: list[str]) -> "KeywordOverlap":
        counts: dict[str, Counter] = defaultdict(Counter)
        for text, label in zip(texts, labels, strict=True):
            for word in set(WORD.findall(fold(text))):
                counts[word][label] += 1
        self.classes_ = np.array(sorted(set(labels)))
        index = {label: i for i, label in enumerate(self.classes_)}
        self.keywords_: dict[str, int] = {}
        for word, by_label in counts.items():
            label, count = by_label.most_common(1)[0]
            if count >= self.min_count and count / sum(by_label.values()) >= self.min_share:
                self.keywords_[word] = index[label]
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        scores = np.zeros((len(texts), len(self.classes_)))
        for row, text in enumerate(texts):
            for word in set(WORD.findall(fold(text))):
                if word in self.keywords_:
                    scores[row, self.keywords_[word]] += 1
        totals = scores.sum(axis=1, keepdims=True)
        return np.divide(scores, totals, out=np.zeros_like(scores), where=totals > 0)

    def predict(self, texts: list[str]) -> np.ndarray:
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class KeywordBaselineClassifier(NgramIntentClassifier):
    def build_model(self) -> Any:
        return KeywordOverlap()


# --- spaCy lemmas -----------------------------------------------------------------------------------------

@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LemmaNgramIntentClassifier(NgramIntentClassifier):
    def build_model(self) -> Any:
        ours = super().build_model()
        words = ours.steps[0][1].transformer_list[0][1]  # the word n-grams; the character n-grams stay
        words.set_params(preprocessor=lemmatised)
        return ours


# --- spaCy vectors ----------------------------------------------------------------------------------------

class SpacyMeanVector(BaseEstimator, TransformerMixin):
    """Unit-length mean token vector of a message, times `weight` (to balance it against the TF-IDF rows)."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, texts: list[str], labels: Any = None) -> "SpacyMeanVector":
        return self

    def transform(self, texts: list[str]) -> np.ndarray:
        vectors = np.array([doc.vector for doc in spacy_pipeline().pipe(list(texts))], dtype=float)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return self.weight * np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SpacyVectorIntentClassifier(NgramIntentClassifier):
    def build_model(self) -> Any:
        from sklearn.pipeline import make_pipeline, make_union

        ours = super().build_model()
        features, classifier = ours.steps[0][1], ours.steps[-1][1]
        return make_pipeline(make_union(*[t for _, t in features.transformer_list], SpacyMeanVector()), classifier)
