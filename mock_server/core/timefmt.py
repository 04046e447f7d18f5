"""How the sandbox writes and reads instants: with no dependency, so that ``mock-server sign``
and the other commands that only talk to a running sandbox can use them without the database."""

from datetime import UTC, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")


def isoformat_z(moment: datetime) -> str:
    """``2025-10-31T06:00:12.120Z``: UTC with milliseconds, as JavaScript's toISOString."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_z(timestamp: float) -> str:
    """Unix seconds as ``isoformat_z`` writes them."""
    return isoformat_z(datetime.fromtimestamp(timestamp, UTC))


def parse_iso8601(value: str) -> datetime | None:
    """An ISO 8601 date-time, or None. A missing zone designator is read as UTC."""
    text = value.strip()
    if not text or len(text) > 40 or "T" not in text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


# Indonesia's three time zones: a timestamp off by one of these is local time sent as UTC.
_LOCAL_ZONES = {7: "WIB (UTC+7)", 8: "WITA (UTC+8)", 9: "WIT (UTC+9)"}


def skew_diagnosis(skew: float, window: float) -> dict[str, object]:
    """The skew of a client timestamp, with a hint when it looks like a classic mistake."""
    diagnosis: dict[str, object] = {"skew_seconds": round(skew, 3), "window_seconds": window}
    hours = skew / 3600
    for offset, zone in _LOCAL_ZONES.items():
        if abs(abs(hours) - offset) * 3600 <= window:
            diagnosis["hints"] = [
                f"the timestamp is {offset} h {'ahead' if skew > 0 else 'behind'}: local time "
                f"({zone}) was probably sent as UTC; send UTC with a Z"
            ]
    return diagnosis
