"""Times as staff read them: in their own time zone, with UTC beside it."""

from datetime import UTC

from django.utils import timezone


def _format(moment):
    return f"{moment.day} {moment:%b %Y, %H:%M} {moment.tzname()}"


def local_and_utc(moment):
    """“4 Dec 2026, 10:00 CET (09:00 UTC)”: the person's zone first, UTC beside it when
    the two differ."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    text = _format(local)
    if local.utcoffset() or local.tzname() != "UTC":
        utc = moment.astimezone(UTC)
        same_day = utc.date() == local.date()
        text += f" ({utc:%H:%M} UTC)" if same_day else f" ({_format(utc)})"
    return text
