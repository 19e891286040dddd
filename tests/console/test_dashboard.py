"""The dashboard: the numbers of the turn log as tables (the charts read the same data), with a date range."""
from __future__ import annotations

import datetime as dt
import json
import re

from bot.content.repository import ContentRepository
from bot.staff.stats import TurnFacts, write_turns


def table(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    cells = r"<t[dh][^>]*>(.*?)</t[dh]>"
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(cells, row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def stat(html: str, name: str) -> str:
    return re.search(rf'id="stat-{name}">(.*?)</td>', html, re.S).group(1).strip()


def turn(day: dt.date, channel="webchat", lang="es", topic="labour.h2a", kind="answer") -> TurnFacts:
    return TurnFacts(dt.datetime.combine(day, dt.time(9)), channel, lang, topic, kind, None, None)


def test_the_dashboard_shows_counts_per_day_topics_fallbacks_danger_and_waiting(as_user, console_db):
    today = dt.datetime.now(dt.timezone.utc).date()
    yesterday = today - dt.timedelta(days=1)
    old = today - dt.timedelta(days=40)
    write_turns(console_db, [
        turn(yesterday), turn(yesterday, channel="whatsapp", lang="en"),
        turn(today, topic=None, kind="fallback"), turn(today, topic="help.emergency", kind="emergency"),
        turn(old, channel="telegram"),
    ])
    ContentRepository(console_db).log_unanswered("una pregunta sin respuesta", "es", "webchat")
    html = as_user("eva").get("/").get_data(as_text=True)
    assert (stat(html, "messages"), stat(html, "fallback"), stat(html, "emergency"), stat(html, "crisis"),
            stat(html, "waiting")) == ("4", "25.0 % (1)", "1", "0", "1")
    assert table(html, "table-channel") == [[yesterday.isoformat(), "webchat", "1"],
                                            [yesterday.isoformat(), "whatsapp", "1"],
                                            [today.isoformat(), "webchat", "2"]]
    assert table(html, "table-lang") == [[yesterday.isoformat(), "en", "1"], [yesterday.isoformat(), "es", "1"],
                                         [today.isoformat(), "es", "2"]]
    title = ContentRepository(console_db).titles(["labour.h2a"], "es")["labour.h2a"]
    assert table(html, "table-topics")[0] == [f"{title} labour.h2a", "2"]
    data = json.loads(re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html,
                                re.S).group(1))
    assert len(data["days"]) == 30 and data["days"][-1] == today.isoformat()
    assert data["byChannel"]["whatsapp"][-2:] == [1, 0]
    assert '<script src="/static/vendor/chart.umd.min.js"></script>' in html
    assert '<script src="/static/dashboard.js"></script>' in html


def test_the_date_range_filter_selects_the_days(as_user, console_db):
    write_turns(console_db, [turn(dt.date(2026, 1, 5)), turn(dt.date(2026, 1, 6), channel="telegram"),
                             turn(dt.date(2026, 2, 1))])
    html = as_user("eva").get("/?since=2026-01-01&until=2026-01-31").get_data(as_text=True)
    assert stat(html, "messages") == "2"
    assert table(html, "table-channel") == [["2026-01-05", "webchat", "1"], ["2026-01-06", "telegram", "1"]]
    assert "Del 2026-01-01 al 2026-01-31 (UTC)" in html
    # Nonsense dates fall back to the last 30 days.
    assert as_user("eli").get("/?since=yesterday&until=x").status_code == 200


def test_stale_answers_are_listed(as_user, console_db):
    repo = ContentRepository(console_db)
    draft = repo.save_draft("labour.h2a", "es", {"valid_as_of": "2015-02"})
    repo.publish("labour.h2a", "es", draft.version)
    html = as_user("eva").get("/").get_data(as_text=True)
    rows = table(html, "table-stale")
    h2a = [r[:3] + r[4:] for r in rows if r[1:3] == ["labour.h2a", "es"]]
    assert h2a == [["answer", "labour.h2a", "es", "2015-02"]]
    assert stat(html, "stale") == str(len(rows))


def test_the_chart_library_is_served_by_the_console(browser):
    response = browser.get("/static/vendor/chart.umd.min.js")
    assert response.status_code == 200 and b"Chart" in response.data[:2000]
