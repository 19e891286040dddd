"""The unanswered-questions inbox: what people asked that the assistant could not answer, for content staff.

    inbox = UnansweredInbox(url)
    groups = inbox.groups()                                  # open questions, similar ones together, newest first
    inbox.teach(group.ids, "labour.h2a", actor="eva")        # each question becomes a phrasing ("taught")
    slug, lang = inbox.new_content(group.ids, "labour.h2a", actor="eva")   # a draft FAQ entry to write
    inbox.dismiss(group.ids, actor="eva")

Questions are stored already redacted (bot.content.repository.log_unanswered). Every action changes the status
of the questions still open among `ids` (open -> taught | new_content | dismissed), with who and when, and writes
one audit entry in the same transaction as the change.

Grouping: TF-IDF over accent-folded character 3-5-grams (within word boundaries), cosine similarity, and a
greedy "leader" pass from the newest question: a question joins the first group whose first (newest) question
is at least GROUP_THRESHOLD similar, else it starts a group. Why this and not rapidfuzz token_set_ratio:
people misspell and abbreviate ("h2a", "visa h-2a", "trabajo en el canada"), which character n-grams of folded
text absorb; token_set_ratio scores a short question contained in a long one as identical ("visa" vs "visa de
trabajo en canada" = 100) and needs a Python loop per pair, while one sparse matrix product compares a few
thousand questions at once. It is the same representation the FAQ matcher uses, so questions that land together
here are also close for the matcher once taught. The leader pass (not single linkage) keeps groups from
chaining A~B~C into one group where A and C have nothing in common.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional, Sequence

from sqlalchemy import func, select

from bot.content.faq import FaqRepository, split_target
from bot.content.interface import LanguageRepository
from bot.content.models import BLOCKER, FaqEntry, Topic, UnansweredQuestion
from bot.content.repository import ContentError
from bot.db import session_scope, utcnow
from bot.language import fold
from bot.staff import audit

OPEN, TAUGHT, NEW_CONTENT, DISMISSED = "open", "taught", "new_content", "dismissed"
STATUSES = (OPEN, TAUGHT, NEW_CONTENT, DISMISSED)
TAUGHT_ORIGIN = "taught"
GROUP_THRESHOLD = 0.5
MAX_OPEN = 2000  # the newest open questions grouped on one page
QUESTION_MAX_CHARS = 200  # the content pack's limit for an FAQ question
DRAFT_ANSWER = {"es": "(Respuesta por escribir.)", "en": "(Answer to be written.)"}
DRAFT_NOTE = "Pregunta del buzón sin respuesta: escribir la respuesta y sus fuentes antes de publicar."


class AlreadyHandled(ContentError):
    """None of the questions is open any more (someone else resolved them first)."""


@dataclass(frozen=True)
class InboxQuestion:
    id: int
    text: str
    lang: Optional[str]
    channel: Optional[str]
    created_at: dt.datetime
    top_guesses: tuple[str, ...]  # the classifier's likeliest topics, best first


@dataclass(frozen=True)
class QuestionGroup:
    questions: tuple[InboxQuestion, ...]  # newest first

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(q.id for q in self.questions)

    @property
    def text(self) -> str:
        """The newest question stands for the group."""
        return self.questions[0].text

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({q.lang or "?" for q in self.questions}))

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(sorted({q.channel or "?" for q in self.questions}))

    @property
    def newest(self) -> dt.datetime:
        return self.questions[0].created_at

    @property
    def texts(self) -> tuple[str, ...]:
        """Distinct wordings, newest first."""
        seen: dict[str, str] = {}
        for q in self.questions:
            seen.setdefault(" ".join(q.text.lower().split()), q.text)
        return tuple(seen.values())

    @property
    def likely_topic(self) -> Optional[str]:
        """The topic the classifier guessed most often first (a default for the "teach" form)."""
        firsts = [q.top_guesses[0] for q in self.questions if q.top_guesses]
        return max(sorted(set(firsts)), key=firsts.count) if firsts else None


def group_questions(questions: Sequence[InboxQuestion], threshold: float = GROUP_THRESHOLD) -> list[QuestionGroup]:
    """Similar questions together (see the module docstring); groups and their questions newest first."""
    ordered = sorted(questions, key=lambda q: (q.created_at, q.id), reverse=True)
    if not ordered:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(preprocessor=fold, analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([q.text for q in ordered])
    except ValueError:  # nothing but blanks: no vocabulary
        return [QuestionGroup((q,)) for q in ordered]
    similarity = (matrix @ matrix.T).toarray()
    leaders: list[int] = []
    members: dict[int, list[int]] = {}
    for i in range(len(ordered)):
        leader = next((j for j in leaders if similarity[i, j] >= threshold), None)
        if leader is None:
            leaders.append(i)
            members[i] = [i]
        else:
            members[leader].append(i)
    return [QuestionGroup(tuple(ordered[i] for i in members[leader])) for leader in leaders]


def _slug_words(text: str, size: int = 60) -> str:
    words = re.findall(r"[a-z0-9]+", fold(text))
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > size:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "pregunta"


class UnansweredInbox:
    """The inbox's repository: one short-lived session per call, frozen views, audited changes."""

    def __init__(self, database_url: Optional[str] = None) -> None:
        self.database_url = database_url

    def open_questions(self, limit: int = MAX_OPEN) -> list[InboxQuestion]:
        with session_scope(self.database_url) as s:
            rows = s.scalars(select(UnansweredQuestion).where(UnansweredQuestion.status == OPEN)
                             .order_by(UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc())
                             .limit(limit)).all()
            return [InboxQuestion(r.id, r.text, r.lang, r.channel, r.created_at,
                                  tuple(str(g.get("name")) for g in r.top_guesses or () if isinstance(g, dict)))
                    for r in rows]

    def groups(self, limit: int = MAX_OPEN) -> list[QuestionGroup]:
        return group_questions(self.open_questions(limit))

    def waiting(self) -> int:
        """How many questions are open."""
        with session_scope(self.database_url) as s:
            return s.scalar(select(func.count(UnansweredQuestion.id))
                            .where(UnansweredQuestion.status == OPEN)) or 0

    def status_counts(self) -> dict[str, int]:
        with session_scope(self.database_url) as s:
            rows = s.execute(select(UnansweredQuestion.status, func.count(UnansweredQuestion.id))
                             .group_by(UnansweredQuestion.status)).all()
        return {status: n for status, n in rows}

    @staticmethod
    def _open_rows(session, ids: Sequence[int]) -> list[UnansweredQuestion]:
        wanted = sorted({int(i) for i in ids})
        rows = session.scalars(select(UnansweredQuestion).where(
            UnansweredQuestion.id.in_(wanted), UnansweredQuestion.status == OPEN)
            .order_by(UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc())).all() if wanted else []
        if not rows:
            raise AlreadyHandled("these questions were already handled")
        return list(rows)

    @staticmethod
    def _resolve(session, rows: list[UnansweredQuestion], status: str, resolution: Optional[str], actor: str,
                 action: str) -> None:
        now = utcnow()
        before = {"status": OPEN, "questions": [{"id": r.id, "text": r.text, "lang": r.lang} for r in rows]}
        for row in rows:
            row.status, row.resolution, row.resolved_by, row.resolved_at = status, resolution, actor[:64], now
        audit.record(session, actor, action, "unanswered", ",".join(str(r.id) for r in rows), before,
                     {"status": status, "resolution": resolution})

    def teach(self, ids: Sequence[int], target: str, actor: str) -> int:
        """Attach each distinct wording of the open questions among `ids` to a topic ("labour.h2a") or FAQ entry
        ("labour.h2a/cost") as a phrasing (origin "taught"; the FAQ matcher uses it on the next message), and
        mark them taught. Returns how many phrasings were added (a wording already there is not added twice)."""
        with session_scope(self.database_url) as s:
            rows = self._open_rows(s, ids)
            faq = FaqRepository(self.database_url, s)
            defined = {language.code for language in LanguageRepository(self.database_url).languages()}
            added, seen = 0, set()
            for row in rows:
                key = " ".join(row.text.lower().split())
                if key in seen:
                    continue
                seen.add(key)
                lang = row.lang if row.lang in defined else None
                added += faq.add_phrasing(target, row.text, lang, origin=TAUGHT_ORIGIN)
            self._resolve(s, rows, TAUGHT, target, actor, "inbox.teach")
            return added

    def new_content(self, ids: Sequence[int], topic_id: str, actor: str,
                    lang: Optional[str] = None) -> tuple[str, str]:
        """Open a new FAQ entry under `topic_id` whose question is the group's newest question, as a draft marked
        `blocker` (its answer must be written and sourced); mark the questions new_content. Returns the entry's
        slug and the language of its draft (the question's)."""
        with session_scope(self.database_url) as s:
            rows = self._open_rows(s, ids)
            if s.get(Topic, topic_id) is None or split_target(topic_id)[1] is not None:
                raise ContentError(f"unknown topic {topic_id!r}")
            question = rows[0].text.strip()[:QUESTION_MAX_CHARS]
            known = bool(rows[0].lang) and LanguageRepository(self.database_url).is_defined(rows[0].lang)
            lang = lang or (rows[0].lang if known else "es")
            base = f"{topic_id}/{_slug_words(question)}"
            slug, n = base, 1
            while s.scalar(select(FaqEntry.id).where(FaqEntry.slug == slug)) is not None:
                n += 1
                slug = f"{base}-{n}"
            faq = FaqRepository(self.database_url, s)
            position = (s.scalar(select(func.max(FaqEntry.position)).where(FaqEntry.topic_id == topic_id)) or 0) + 1
            faq.upsert_entry(slug, topic_id, position)
            draft = faq.save_draft(slug, lang, {"question": question, "answer": DRAFT_ANSWER[lang],
                                                "review_status": BLOCKER, "review_note": DRAFT_NOTE},
                                   created_by=actor)
            audit.record(s, actor, "faq.create", "faq", f"{slug} [{lang}]", None,
                         {"version": draft.version, "question": question, "status": draft.status,
                          "review_status": BLOCKER})
            self._resolve(s, rows, NEW_CONTENT, slug, actor, "inbox.new_content")
            return slug, lang

    def dismiss(self, ids: Sequence[int], actor: str) -> int:
        """Mark the open questions among `ids` dismissed (nothing to teach). Returns how many."""
        with session_scope(self.database_url) as s:
            rows = self._open_rows(s, ids)
            self._resolve(s, rows, DISMISSED, None, actor, "inbox.dismiss")
            return len(rows)
