"""The evaluation report's arithmetic and file format (the model run itself is in tests/test_eval.py)."""
from __future__ import annotations

import json

import pytest

from bot.tooling.evaluation import (
    BotMessage,
    Case,
    Fact,
    Outcome,
    fact_found,
    fold_pattern,
    outcome_from_tracker,
    read_cases,
    report,
    without_source_lines,
)
from tests.conftest import SHARED


def outcome(expected, predicted, kind="answer", lang="es"):
    return Outcome(Case("x", "es", expected), predicted, kind, lang)


def test_report_counts_accuracy_per_topic_and_confusions():
    result = report([
        outcome("labour.h2a", "labour.h2a"),
        outcome("labour.h2a", "labour.h2b"),
        outcome("labour.fees", "labour.fees"),
        outcome("out_of_scope", "fallback", kind="fallback"),
        outcome("out_of_scope", "labour.h2a", kind="answer"),
    ])
    assert result["overall_accuracy"] == pytest.approx(3 / 5)
    assert result["per_topic"]["labour.h2a"] == {"correct": 1, "count": 2, "accuracy": 0.5}
    assert result["per_topic"]["out_of_scope"]["accuracy"] == 0.5
    assert {"expected": "labour.h2a", "predicted": "labour.h2b", "count": 1} in result["confusions"]


def test_out_of_scope_counts_as_right_for_the_out_of_scope_reply():
    assert outcome("out_of_scope", "out_of_scope", kind="out_of_scope").correct
    assert not outcome("out_of_scope", "menu", kind="menu").correct


def test_read_cases_requires_the_columns(tmp_path):
    good = tmp_path / "good.tsv"
    good.write_text('text\tlang\ttopic\nvisa "h2a"?\tes\tlabour.h2a\n\n', encoding="utf-8")
    assert read_cases(good) == [Case('visa "h2a"?', "es", "labour.h2a")]
    bad = tmp_path / "bad.tsv"
    bad.write_text("message\ttopic\nhola\tgreet\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing columns"):
        read_cases(bad)


# --- top-3, fallback rate, per language --------------------------------------------------------------


def ranked(expected, predicted, ranking, kind="answer", lang="es"):
    return Outcome(Case("x", lang, expected), predicted, kind, lang, tuple(ranking))


def test_top3_counts_the_ranking_without_nlu_fallback_and_the_topic_answered():
    result = report([
        # answered: right at top-1 and so at top-3, whatever the ranking
        ranked("labour.h2a", "labour.h2a", []),
        # fallback, but the expected topic is third once the nlu_fallback marker is left out
        ranked("labour.fees", "fallback", ["nlu_fallback", "labour.h2a", "labour.h2b", "labour.fees"], "fallback"),
        # fourth real guess: not in the top 3
        ranked("labour.scams", "labour.h2a", ["labour.h2a", "labour.h2b", "labour.fees", "labour.scams"]),
        # out_of_scope answered with a fallback is right, so also top-3
        ranked("out_of_scope", "fallback", ["nlu_fallback", "labour.h2a"], "fallback"),
    ])
    assert result["overall_accuracy"] == 0.5
    assert result["top3_accuracy"] == 0.75
    assert result["fallback_rate"] == 0.5


def test_accuracy_per_language():
    result = report([
        ranked("labour.h2a", "labour.h2a", ["labour.h2a"], lang="es"),
        ranked("labour.h2a", "labour.h2b", ["labour.h2b", "labour.h2a"], lang="es"),
        ranked("labour.h2a", "fallback", ["nlu_fallback", "labour.fees"], "fallback", lang="es"),
        ranked("labour.fees", "labour.fees", ["labour.fees"], lang="en"),
    ])
    assert result["per_language"]["es"] == {
        "correct": 1, "top3": 2, "fallbacks": 1, "count": 3,
        "accuracy": 0.3333, "top3_accuracy": 0.6667, "fallback_rate": 0.3333,
    }
    assert result["per_language"]["en"]["accuracy"] == 1.0
    assert result["per_language"]["en"]["count"] == 1


# --- emergencies ----------------------------------------------------------------------------------------


def turn(expected, predicted, *message_topics, kind="answer"):
    messages = tuple(BotMessage(f"reply {i}", topic) for i, topic in enumerate(message_topics))
    return Outcome(Case(f"msg {expected} {predicted}", "es", expected), predicted, kind, "es", (), messages)


def test_emergency_recall_reads_every_message_of_the_turn_not_the_last_slot():
    result = report([
        # the safety net: emergency answer first, then the topic (the slot says risks.extortion)
        turn("help.emergency", "risks.extortion", "help.emergency", "risks.extortion"),
        turn("help.emergency", "help.emergency", "help.emergency"),
        turn("help.emergency", "fallback", None, kind="fallback"),  # missed
        turn("help.crisis", "help.crisis", "help.crisis"),
        turn("help.crisis", "help.emergency", "help.emergency"),  # alarm, but not the crisis answer
        # others: one false alarm among four
        turn("risks.extortion", "risks.extortion", "help.emergency", "risks.extortion"),
        turn("risks.extortion", "risks.extortion", "risks.extortion"),
        turn("labour.h2a", "labour.h2a", "labour.h2a"),
        turn("out_of_scope", "fallback", None, kind="fallback"),
    ])
    assert result["emergency_recall"] == 0.8  # 4 of 5 emergency or crisis cases
    assert result["crisis_recall"] == 0.5  # 1 of 2 crisis cases got help.crisis
    assert result["false_alarm_rate"] == 0.25  # 1 of 4 other cases
    emergency = result["emergency"]
    assert (emergency["cases"], emergency["alerted"], emergency["crisis_cases"], emergency["crisis_answered"]) == (
        5, 4, 2, 1)
    assert (emergency["other_cases"], emergency["false_alarms"]) == (4, 1)
    assert [m["predicted"] for m in emergency["missed"]] == ["fallback"]
    assert [m["predicted"] for m in emergency["crisis_missed"]] == ["help.emergency"]
    assert [a["expected"] for a in emergency["false_alarm_cases"]] == ["risks.extortion"]
    # the topic answered is still the slot's: the extortion message was answered right
    assert result["per_topic"]["risks.extortion"]["accuracy"] == 1.0


def test_emergency_figures_are_none_without_cases():
    result = report([turn("labour.h2a", "labour.h2a", "labour.h2a")])
    assert result["emergency_recall"] is None
    assert result["crisis_recall"] is None
    assert result["false_alarm_rate"] == 0.0
    assert result["facts_found_share"] is None
    assert result["questions_complete_share"] is None
    assert result["answer_facts"] is None


# --- answer facts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern, reply, found", [
    (r"petici[oó]n", "La PETICIÓN del empleador", True),  # accent and case in the reply
    (r"petición", "la peticion", True),  # accent in the regex only
    (r"patr[oó]n", "el patrón", True),
    (r"\bH-?4\b", "visas h4 para la familia", True),
    (r"se\S+", "sé a", False),  # \S keeps its meaning: the pattern is not lowered
    (r"[\s\S]{0,20}gratuit", "es GRATUITO", True),
    (r"ministerio de trabajo", "Texto.\nFuente: Ministerio de Trabajo", False),  # only in the source line
    (r"ministry of labou?r", "Text.\n  Source: Ministry of Labour; IOM", False),
    (r"ministerio de trabajo", "Vaya al Ministerio de Trabajo.\nFuente: OIM", True),
    ("espan\u0303a", "España", True),  # a decomposed tilde (a literal combining mark) in the regex
    (r"\u00f3n", "migración", True),  # an accent written as an escape: the regex as written, on the text as sent
])
def test_fact_found_ignores_accents_case_and_source_lines(pattern, reply, found):
    assert fact_found(pattern, reply) is found


def test_fold_pattern_folds_only_accented_literals():
    assert fold_pattern(r"petici[oó]n[\s\S]{0,9}\bAÑO\b") == r"petici[oo]n[\s\S]{0,9}\bANO\b"
    assert fold_pattern("\\ó") == "o"


def test_without_source_lines():
    assert without_source_lines("Título\n\nCuerpo\n\nFuente: OIM; MINEX\nSource: IOM") == "Título\n\nCuerpo\n"


def facts(*regexes):
    return tuple(Fact(r, f"statement {r}", "https://example.org") for r in regexes)


def answered(topic, lang, fact_regexes, *texts, predicted=None):
    case = Case(f"question {topic} {lang}", lang, topic, facts(*fact_regexes))
    messages = tuple(BotMessage(t, topic) for t in texts)
    return Outcome(case, predicted or topic, "answer", lang, (), messages)


def test_answer_facts_shares_per_topic_and_missed_statements():
    result = report([
        # 2 of 3 facts: the third is only in the source line; the reply is two messages joined
        answered("labour.h2a", "es", ["petici[oó]n", r"\bH-?4\b", "mintrab"],
                 "La Petición del patrón.", "Visas H-4.\n\nFuente: MINTRAB"),
        # complete: accents folded on both sides
        answered("labour.h2a", "en", ["migraci[oó]n"], "MIGRACIÓN segura"),
        # wrong topic answered: its only fact is missing
        answered("labour.fees", "es", ["gratis"], "Visa H-2A.", predicted="labour.h2a"),
        # a set may mix questions without facts: not counted in the fact figures
        answered("labour.fees", "es", [], "Sin hechos"),
    ])
    assert result["facts_found_share"] == 0.6  # 3 of 5 facts
    assert result["questions_complete_share"] == 0.3333  # 1 of 3 questions with facts
    facts_report = result["answer_facts"]
    assert (facts_report["facts"], facts_report["found"]) == (5, 3)
    assert (facts_report["questions"], facts_report["complete"]) == (3, 1)
    assert facts_report["per_topic"]["labour.h2a"] == {
        "questions": 2, "complete": 1, "facts": 4, "found": 3,
        "facts_found_share": 0.75, "questions_complete_share": 0.5,
    }
    assert facts_report["per_topic"]["labour.fees"]["facts_found_share"] == 0.0
    assert [(m["expected"], m["predicted"], m["statement"]) for m in facts_report["missed"]] == [
        ("labour.h2a", "labour.h2a", "statement mintrab"),
        ("labour.fees", "labour.h2a", "statement gratis"),
    ]


FACT_TSV = (
    "text\tlang\ttopic\tmust_regex\tmust_statement\tfact_source\n"
    "¿Cómo aplico a la H-2A?\tes\tlabour.h2a\templeador\tHace falta un empleador.\thttps://a.example\n"
    "How do I apply for H-2A?\ten\tlabour.h2a\temployer\tAn employer is needed.\thttps://b.example\n"
    "¿Cómo aplico a la H-2A?\tes\tlabour.h2a\tpetici[oó]n\tEl empleador presenta una petición.\thttps://c.example\n"
    "¿Cuánto cuesta?\tes\tlabour.fees\tgratis\tEs gratis.\t\n"
    "¿Cómo aplico a la H-2A?\tes\tlabour.h2a\tI-?129\tEl formulario I-129.\thttps://c.example\n"
)


def test_read_cases_groups_fact_rows_by_question(tmp_path):
    path = tmp_path / "answers.tsv"
    path.write_text(FACT_TSV, encoding="utf-8")
    cases = read_cases(path)
    assert [(c.text, c.lang, c.topic, len(c.facts)) for c in cases] == [
        ("¿Cómo aplico a la H-2A?", "es", "labour.h2a", 3),
        ("How do I apply for H-2A?", "en", "labour.h2a", 1),
        ("¿Cuánto cuesta?", "es", "labour.fees", 1),
    ]
    assert cases[0].facts == (
        Fact("empleador", "Hace falta un empleador.", "https://a.example"),
        Fact("petici[oó]n", "El empleador presenta una petición.", "https://c.example"),
        Fact("I-?129", "El formulario I-129.", "https://c.example"),
    )
    assert cases[2].facts == (Fact("gratis", "Es gratis.", ""),)


def test_read_cases_rejects_bad_fact_rows(tmp_path):
    header = "text\tlang\ttopic\tmust_regex\tmust_statement\tfact_source\n"
    bad_regex = tmp_path / "bad_regex.tsv"
    bad_regex.write_text(header + "hola\tes\tlabour.h2a\tpetici(on\tx\ty\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad_regex.tsv:2: bad must_regex"):
        read_cases(bad_regex)
    two_topics = tmp_path / "two_topics.tsv"
    two_topics.write_text(header + "hola\tes\tlabour.h2a\ta\tx\ty\nhola\tes\tlabour.h2b\tb\tx\ty\n", encoding="utf-8")
    with pytest.raises(ValueError, match="two topics"):
        read_cases(two_topics)


def test_the_shared_fact_set_reads_and_compiles():
    path = SHARED / "eval" / "dev_answers.tsv"
    if not path.exists():
        pytest.skip(f"{path} not found: the shared evaluation sets are an optional input")
    cases = read_cases(path)
    assert cases and all(c.facts for c in cases)
    assert len({(c.text, c.lang) for c in cases}) == len(cases)


# --- reading a turn from the tracker, and the command ---------------------------------------------------


def test_outcome_reads_the_bot_messages_of_the_last_turn_and_the_ranking():
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    ranking = [{"name": "nlu_fallback", "confidence": 0.2}, {"name": "risks.extortion", "confidence": 0.15}]
    tracker = DialogueStateTracker.from_events("s", [
        UserUttered("hola", {"name": "greet", "confidence": 1.0}),
        BotUttered("Hola", metadata={"topic_id": "help.crisis"}),  # an earlier turn: not read
        UserUttered("me tienen secuestrado", {"name": "nlu_fallback", "confidence": 0.2},
                    parse_data={"intent_ranking": ranking}),
        ActionExecuted("action_answer_topic"),
        BotUttered("Emergencia\n\nFuente: 110", metadata={"topic_id": "help.emergency", "answer_version": 3}),
        BotUttered("Extorsión", metadata={"topic_id": "risks.extortion"}),
        SlotSet("topic_id", "risks.extortion"),
        SlotSet("reply_kind", "answer"),
        SlotSet("language", "es"),
    ])
    outcome = outcome_from_tracker(Case("me tienen secuestrado", "es", "help.emergency"), tracker)
    assert outcome.predicted == "risks.extortion"
    assert outcome.ranking == ("nlu_fallback", "risks.extortion")
    assert outcome.messages == (BotMessage("Emergencia\n\nFuente: 110", "help.emergency"),
                                BotMessage("Extorsión", "risks.extortion"))
    assert outcome.alarmed and not outcome.crisis_answered
    assert outcome.reply_text == "Emergencia\n\nFuente: 110\nExtorsión"


def test_eval_command_skips_missing_files_and_reports_one_key_per_file(tmp_path, monkeypatch, capsys):
    from bot.cli.main import main
    from bot.tooling import evaluation

    dev = tmp_path / "dev.tsv"
    dev.write_text("text\tlang\ttopic\nvisa h2a\tes\tlabour.h2a\n", encoding="utf-8")
    answers = tmp_path / "answers.tsv"
    answers.write_text(FACT_TSV, encoding="utf-8")
    runs = []

    def fake_evaluate_sets(case_sets, model, action_url=None):
        runs.append(list(case_sets))
        return {name: [Outcome(c, c.topic, "answer", c.lang, (c.topic,), (BotMessage("empleador", c.topic),))
                       for c in cases] for name, cases in case_sets.items()}

    monkeypatch.setattr(evaluation, "evaluate_sets", fake_evaluate_sets)
    report_path = tmp_path / "report.json"
    code = main(["eval", str(dev), str(tmp_path / "missing.tsv"), str(answers), "--model", "m.tar.gz",
                 "--report", str(report_path)])
    out, err = capsys.readouterr()
    assert code == 0
    assert runs == [["dev.tsv", "answers.tsv"]]  # one run (one agent) for all the files
    assert "missing.tsv: no such file, skipped" in err and len(err.strip().splitlines()) == 1
    assert "== dev.tsv ==" in out and "== answers.tsv ==" in out and "answer facts:" in out
    saved = json.loads(report_path.read_text(encoding="utf-8"))
    assert list(saved) == ["dev.tsv", "answers.tsv"]
    assert saved["dev.tsv"]["overall_accuracy"] == 1.0
    assert saved["answers.tsv"]["count"] == 3
    assert saved["answers.tsv"]["facts_found_share"] == 0.2  # only "empleador" of 5 facts

    assert main(["eval", str(dev), "--model", "m.tar.gz", "--min-accuracy", "1.0"]) == 0
    assert main(["eval", str(tmp_path / "none.tsv"), "--model", "m.tar.gz"]) == 2
    assert "nothing to run" in capsys.readouterr().err
