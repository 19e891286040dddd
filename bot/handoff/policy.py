"""When people answer, and which topics earn the offer of a person.

Office hours are configured with `HANDOFF_TIME_ZONE` (America/Guatemala), `HANDOFF_OFFICE_DAYS` (ISO weekdays,
1 = Monday: "1-5" or "1,2,3,4,5") and `HANDOFF_OFFICE_HOURS` ("08:00-17:00", local time). A person who accepts
the offer is told whether someone is at work now, or when to expect an answer.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.content.topics import CRISIS_TOPIC, EMERGENCY_TOPIC

GUATEMALA = "America/Guatemala"
# Topics whose answer offers a person at once: trafficking, violence, extortion and kidnapping, a missing
# relative, reporting a crime, danger now and a crisis (content/topics.tsv).
SENSITIVE_TOPICS = frozenset({
    "risks.trafficking", "risks.violence", "risks.extortion", "help.missing", "help.report", EMERGENCY_TOPIC,
    CRISIS_TOPIC,
})


def parse_days(value: str) -> frozenset[int]:
    """ISO weekdays from "1-5", "1,3,5" or "1-3,6"; ValueError when malformed or empty."""
    days: set[int] = set()
    for part in str(value).replace(" ", "").split(","):
        if not part:
            continue
        first, dash, last = part.partition("-")
        start, end = int(first), int(last) if dash else int(first)
        if not (1 <= start <= end <= 7):
            raise ValueError(f"weekdays are 1 (Monday) to 7 (Sunday), got {part!r}")
        days.update(range(start, end + 1))
    if not days:
        raise ValueError("at least one weekday is needed")
    return frozenset(days)


def parse_hours(value: str) -> tuple[dt.time, dt.time]:
    """("08:00", "17:00") from "08:00-17:00"; ValueError unless it opens before it closes."""
    opens, dash, closes = str(value).replace(" ", "").partition("-")
    if not dash:
        raise ValueError("write the hours as HH:MM-HH:MM")
    start, end = dt.time.fromisoformat(opens), dt.time.fromisoformat(closes)
    if start >= end:
        raise ValueError("the office must open before it closes")
    return start, end


def parse_zone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None


@dataclass(frozen=True)
class OfficeHours:
    zone: ZoneInfo
    days: frozenset[int]
    opens: dt.time
    closes: dt.time

    @classmethod
    def from_settings(cls, settings=None) -> "OfficeHours":
        if settings is None:
            from bot.settings import get_settings

            settings = get_settings()
        opens, closes = parse_hours(settings.handoff_office_hours)
        return cls(parse_zone(settings.handoff_time_zone), parse_days(settings.handoff_office_days), opens, closes)

    def local(self, now: Optional[dt.datetime] = None) -> dt.datetime:
        """`now` (naive UTC as stored, or aware; default the current time) in the office's time zone."""
        now = now or dt.datetime.now(dt.timezone.utc)
        if now.tzinfo is None:
            now = now.replace(tzinfo=dt.timezone.utc)
        return now.astimezone(self.zone)

    def is_open(self, now: Optional[dt.datetime] = None) -> bool:
        here = self.local(now)
        return here.isoweekday() in self.days and self.opens <= here.time() < self.closes

    def next_opening(self, now: Optional[dt.datetime] = None) -> dt.datetime:
        """The next time the office opens after `now`, local time (`now` itself when it is open)."""
        here = self.local(now)
        if self.is_open(here):
            return here
        for ahead in range(0, 8):
            day = here.date() + dt.timedelta(days=ahead)
            start = dt.datetime.combine(day, self.opens, tzinfo=self.zone)
            if day.isoweekday() in self.days and start > here:
                return start
        raise AssertionError("an office with at least one weekday opens within a week")


def _clock(moment: dt.time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def _day_names(lang: str) -> list[str]:
    from bot.language import text

    return text("weekdays", lang).split(",")


def describe(hours: OfficeHours, lang: str) -> str:
    """"de lunes a viernes, de 8:00 a 17:00 (hora de Guatemala)" / "Monday to Friday, 8:00 to 17:00 (...)"."""
    from bot.language import text

    names = _day_names(lang)
    days = sorted(hours.days)
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        day_text = text("handoff_days_range", lang, first=names[days[0] - 1], last=names[days[-1] - 1])
    elif len(days) == 1:
        day_text = names[days[0] - 1]
    else:
        listed = [names[d - 1] for d in days]
        day_text = f"{', '.join(listed[:-1])} {text('and', lang)} {listed[-1]}"
    zone = text("guatemala_time", lang) if hours.zone.key == GUATEMALA else hours.zone.key
    return text("handoff_hours", lang, days=day_text, opens=_clock(hours.opens), closes=_clock(hours.closes),
                zone=zone)


def when_to_expect(hours: OfficeHours, lang: str, now: Optional[dt.datetime] = None) -> str:
    """One sentence for a person who just asked for a person: someone is at work now, or from when to expect an
    answer (today, tomorrow or a named day, local time)."""
    from bot.language import text

    described = describe(hours, lang)
    if hours.is_open(now):
        return text("handoff_open_now", lang, hours=described)
    here = hours.local(now)
    opening = hours.next_opening(now)
    ahead = (opening.date() - here.date()).days
    day = _day_names(lang)[opening.isoweekday() - 1]
    time = _clock(opening.time())
    if ahead == 0:
        when = text("handoff_today", lang, time=time)
    elif ahead == 1:
        when = text("handoff_tomorrow", lang, day=day, time=time)
    else:
        when = text("handoff_on_day", lang, day=day, time=time)
    return text("handoff_closed_now", lang, hours=described, when=when)
