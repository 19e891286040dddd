"""The dashboard: replies per day by channel and by language, top topics, fallback rate, emergency and crisis
replies, unanswered questions waiting and stale answers, for a date range (default: the last 30 days).

Numbers come from the turn log (bot.staff.stats: one row per reply, no sender, no text). The charts are drawn
in the page by console/static/dashboard.js with Chart.js served from console/static/vendor; the data travels in
a `<script type="application/json">` block (the CSP allows no inline script), and every number is also in a
plain table."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask import Blueprint, render_template, request

from bot.content.inbox import UnansweredInbox
from bot.settings import get_settings
from bot.staff.models import EDITOR
from bot.staff.stats import TurnStats, stale_content
from console import repos
from console.i18n import current_language, register
from console.permissions import requires

bp = Blueprint("dashboard", __name__)
DEFAULT_DAYS = 30
MAX_DAYS = 366


def _date(value: Optional[str]) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


def date_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The days asked for (both included): `since` and `until` from the query, else the last 30 days."""
    until = _date(request.args.get("until")) or today
    since = _date(request.args.get("since")) or until - dt.timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        since, until = until, since
    since = max(since, until - dt.timedelta(days=MAX_DAYS - 1))
    return since, until


def _series(days: list[str], counts) -> dict[str, list[int]]:
    """{key: [count per day]} for the chart, keys sorted."""
    index = {day: i for i, day in enumerate(days)}
    series: dict[str, list[int]] = {}
    for c in counts:
        series.setdefault(c.key, [0] * len(days))[index[c.day]] += c.count
    return dict(sorted(series.items()))


@bp.route("/")
@requires(EDITOR)
def index():
    url = repos.database_url()
    today = dt.datetime.now(dt.timezone.utc).date()
    since, until = date_range(today)
    start = dt.datetime.combine(since, dt.time())
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
    stats = TurnStats(url)
    summary = stats.summary(start, end)
    days = [(since + dt.timedelta(days=i)).isoformat() for i in range((until - since).days + 1)]
    by_channel = stats.per_day(start, end, "channel")
    by_lang = stats.per_day(start, end, "lang")
    topics = stats.top_topics(start, end)
    titles = repos.content().titles([c.topic_id for c in topics], current_language())
    max_age = get_settings().content_max_age_months
    stale = stale_content(max_age, today, url)
    chart = {
        "days": days,
        "byChannel": _series(days, by_channel),
        "byLang": _series(days, by_lang),
        "topTopics": {"labels": [titles.get(c.topic_id, c.topic_id) for c in topics],
                      "counts": [c.count for c in topics]},
    }
    return render_template(
        "dashboard/index.html", since=since, until=until, summary=summary, by_channel=by_channel,
        by_lang=by_lang, topics=topics, titles=titles, waiting=UnansweredInbox(url).waiting(), stale=stale,
        max_age=max_age, chart=chart)


register({
    "dashboard.title": {"es": "Panel", "en": "Dashboard"},
    "dashboard.since": {"es": "Desde", "en": "From"},
    "dashboard.until": {"es": "Hasta", "en": "Until"},
    "dashboard.range": {"es": "Del {since} al {until} (UTC)", "en": "From {since} to {until} (UTC)"},
    "dashboard.messages": {"es": "Mensajes respondidos", "en": "Messages answered"},
    "dashboard.fallback_rate": {"es": "No entendidos", "en": "Fallback rate"},
    "dashboard.emergency": {"es": "Respuestas de emergencia", "en": "Emergency replies"},
    "dashboard.crisis": {"es": "Respuestas de crisis", "en": "Crisis replies"},
    "dashboard.waiting": {"es": "Preguntas sin respuesta esperando", "en": "Unanswered questions waiting"},
    "dashboard.stale": {"es": "Respuestas vencidas", "en": "Stale answers"},
    "dashboard.stale_help": {"es": "Publicadas, con fuentes de hace más de {months} meses (o sin fecha).",
                             "en": "Published, with sources older than {months} months (or undated)."},
    "dashboard.by_channel": {"es": "Mensajes por día y canal", "en": "Messages per day by channel"},
    "dashboard.by_lang": {"es": "Mensajes por día e idioma", "en": "Messages per day by language"},
    "dashboard.top_topics": {"es": "Temas más consultados", "en": "Top topics"},
    "dashboard.day": {"es": "Día", "en": "Day"},
    "dashboard.channel": {"es": "Canal", "en": "Channel"},
    "dashboard.language": {"es": "Idioma", "en": "Language"},
    "dashboard.count": {"es": "Mensajes", "en": "Messages"},
    "dashboard.topic": {"es": "Tema", "en": "Topic"},
    "dashboard.kind": {"es": "Tipo", "en": "Type"},
    "dashboard.text": {"es": "Texto", "en": "Text"},
    "dashboard.valid_as_of": {"es": "Fuentes de", "en": "Sources as of"},
    "dashboard.unknown": {"es": "sin fecha", "en": "undated"},
    "dashboard.chart_note": {"es": "Los números de cada gráfico están también en la tabla de abajo.",
                             "en": "Each chart's numbers are also in the table below it."},
})
