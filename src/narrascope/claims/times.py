"""Time expressions, normalised against the article's date when it is known.

spaCy finds DATE and TIME entities; dateparser reads them. A relative expression ("on Monday",
"last week") has a value only when the article date is known; an expression that reads the
same against two different reference dates is absolute and always gets its value.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

LEADING_WORDS = (
    "on ",
    "in ",
    "since ",
    "by ",
    "until ",
    "from ",
    "at ",
    "during ",
    "before ",
    "after ",
)
_PROBE_BASES = (datetime(2001, 1, 10), datetime(2013, 7, 20))
_FORMATS = {
    "year": "%Y",
    "month": "%Y-%m",
    "week": "%Y-%m-%d",
    "day": "%Y-%m-%d",
    "time": "%Y-%m-%dT%H:%M",
}


@lru_cache(maxsize=64)
def _parser(base: datetime) -> Any:
    """A parser reading relative expressions against ``base`` (one per article date)."""
    from dateparser.date import DateDataParser

    settings = {"PREFER_DATES_FROM": "past", "RELATIVE_BASE": base}
    return DateDataParser(languages=["en"], settings=settings)


@lru_cache(maxsize=4096)
def _parse_time_cached(text: str, reference: datetime | None) -> tuple[Any, Any, bool]:
    parsed = _parse_time(text, reference)
    return parsed["value"], parsed["granularity"], parsed["relative"]


def parse_time(text: str, reference: datetime | None) -> dict[str, Any]:
    """``{"value", "granularity", "relative"}`` for a time expression (value None if unknown)."""
    value, granularity, relative = _parse_time_cached(text, reference)
    return {"value": value, "granularity": granularity, "relative": relative}


def _parse_time(text: str, reference: datetime | None) -> dict[str, Any]:
    """``{"value", "granularity", "relative"}`` for a time expression (value None if unknown)."""
    core = text.strip()
    for word in LEADING_WORDS:
        if core.lower().startswith(word):
            core = core[len(word) :]
    probes = [_read(core, base) for base in _PROBE_BASES]
    relative = probes[0] != probes[1]
    if relative and reference is None:
        return {"value": None, "granularity": None, "relative": True}
    value, granularity = _read(core, reference or _PROBE_BASES[0])
    return {"value": value, "granularity": granularity, "relative": relative}


def _read(text: str, base: datetime) -> tuple[str | None, str | None]:
    try:
        data = _parser(base).get_date_data(text)
    except Exception:  # dateparser raises assorted errors on odd strings; unknown is fine
        return None, None
    if data is None or data.date_obj is None:
        return None, None
    period = data.period or "day"
    return data.date_obj.strftime(_FORMATS.get(period, "%Y-%m-%d")), period


def article_date(published: str | None) -> datetime | None:
    if not published:
        return None
    try:
        return datetime.fromisoformat(published[:19].replace("Z", ""))
    except ValueError:
        return None


def find_times(
    sent: Any, reference: datetime | None, ents: Sequence[Any] | None = None
) -> list[dict[str, Any]]:
    """Time expressions in a spaCy sentence span, normalised where possible."""
    out = []
    for ent in list(sent.ents) if ents is None else ents:
        if ent.label_ not in ("DATE", "TIME"):
            continue
        parsed = parse_time(ent.text, reference)
        out.append({"text": ent.text, "start": ent.start_char, "end": ent.end_char, **parsed})
    return out
