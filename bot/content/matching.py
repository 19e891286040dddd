"""Finding the FAQ entry a message asks about: nearest neighbour over the phrasings, no retraining.

Every phrasing of an entry (and every published question) is a TF-IDF vector of accent-folded word 1-2-grams
and character 3-5-grams; a message's score for an entry is its best cosine similarity with one of the entry's
phrasings. Phrasings filed under a topic without an entry stand for the topic as a whole (slug None).

Each match also names the phrasing that scored best for its label (`phrasing_id`; None when a published
question scored best), so the turn statistics can show which phrasings people's messages matched.

The index is built from the database and rebuilt when the FAQ repository's revision changes (checked at most
once a second), so a phrasing added by staff or `bot examples add` is used within seconds.

How the actions use the scores (thresholds below, chosen on the development sets; see the README):
- within the topic the classifier chose, the best entry is answered when its score is at least FAQ_MIN_SCORE
  and the message has at least FAQ_MIN_WORDS words;
- when the classifier is unsure (top confidence below UNSURE_CONFIDENCE), an entry of another topic that
  scores at least SWITCH_MIN_SCORE, and beats the chosen topic's best entry by SWITCH_MARGIN, wins;
- a message the classifier could not place (fallback) is answered from the FAQ when its best entry scores at
  least RESCUE_MIN_SCORE;
- otherwise the topic's overview is given, with its entries that score best offered as options.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Optional

import numpy as np

from bot.content.faq import FaqRepository
from bot.language import fold
from bot.settings import get_settings

FAQ_MIN_SCORE = 0.3
FAQ_MIN_WORDS = 3  # "h2a" or "visa h2a?" names a topic, not a specific question: the overview answers it
UNSURE_CONFIDENCE = 0.5
SWITCH_MIN_SCORE = 0.55
SWITCH_MARGIN = 0.1
RESCUE_MIN_SCORE = 0.5
REVISION_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class Match:
    topic_id: str
    entry_slug: Optional[str]  # None: a phrasing about the topic in general
    score: float
    phrasing_id: Optional[int] = None  # the phrasing that scored best (None: the published question did)


class _Index:
    def __init__(self, rows: list[tuple[str, Optional[str], str, Optional[int]]]):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.labels = sorted({(row[0], row[1]) for row in rows}, key=lambda label: (label[0], label[1] or ""))
        position = {label: i for i, label in enumerate(self.labels)}
        self.row_label = np.array([position[(row[0], row[1])] for row in rows], dtype=np.int64)
        self.row_phrasing = [row[3] for row in rows]
        texts = [row[2] for row in rows]
        self.words = TfidfVectorizer(preprocessor=fold, ngram_range=(1, 2), sublinear_tf=True)
        self.chars = TfidfVectorizer(preprocessor=fold, analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self.word_matrix = self.words.fit_transform(texts) if texts else None
        self.char_matrix = self.chars.fit_transform(texts) if texts else None

    def scores(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Best similarity of the text with each label's phrasings (0 to 1), and the row that gave it (-1: none)."""
        best = np.zeros(len(self.labels))
        best_row = np.full(len(self.labels), -1, dtype=np.int64)
        if self.word_matrix is None or not fold(text).strip():
            return best, best_row
        similarity = (self.word_matrix @ self.words.transform([text]).T).toarray().ravel()
        similarity += (self.char_matrix @ self.chars.transform([text]).T).toarray().ravel()
        similarity /= 2
        np.maximum.at(best, self.row_label, similarity)
        # Rows from worst to best: with repeated labels the last assignment (the best row) is the one kept.
        ascending = np.argsort(similarity, kind="stable")
        best_row[self.row_label[ascending]] = ascending
        return best, best_row

    def phrasing_of(self, row: int) -> Optional[int]:
        return self.row_phrasing[row] if row >= 0 else None


class FaqMatcher:
    """Ranks FAQ entries (and topics) for a message. One per database; cheap to ask, rebuilt on change."""

    def __init__(self, repo: Optional[FaqRepository] = None):
        self.repo = repo or FaqRepository()
        self._lock = threading.Lock()
        self._index: Optional[_Index] = None
        self._revision: Optional[tuple] = None
        self._checked_at = 0.0

    def _current(self) -> _Index:
        with self._lock:
            now = time.monotonic()
            if self._index is None or now - self._checked_at >= REVISION_CHECK_SECONDS:
                revision = self.repo.revision()
                if self._index is None or revision != self._revision:
                    self._index = _Index(self.repo.index_rows())
                    self._revision = revision
                self._checked_at = now
            return self._index

    def rank(self, text: str, topic_id: Optional[str] = None, limit: int = 5,
             entries_only: bool = False) -> list[Match]:
        """The best labels for a message, best first; only those of `topic_id` when given."""
        index = self._current()
        scores, best_row = index.scores(text)
        order = np.argsort(-scores, kind="stable")
        found: list[Match] = []
        for i in order:
            topic, slug = index.labels[i]
            if (topic_id is not None and topic != topic_id) or (entries_only and slug is None):
                continue
            found.append(Match(topic, slug, round(float(scores[i]), 4),
                               index.phrasing_of(int(best_row[i])) if scores[i] > 0 else None))
            if len(found) >= limit:
                break
        return found


_matchers: dict[str, FaqMatcher] = {}
_matchers_lock = threading.Lock()


def matcher_for(database_url: Optional[str] = None) -> FaqMatcher:
    """The process's matcher for a database (default: the configured one), built on first use."""
    url = database_url or get_settings().database_url
    with _matchers_lock:
        if url not in _matchers:
            _matchers[url] = FaqMatcher(FaqRepository(url))
        return _matchers[url]
