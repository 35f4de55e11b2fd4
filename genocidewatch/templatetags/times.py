"""Machine-readable times in pages, as HTML allows them."""

from django import template

register = template.Library()


@register.filter(expects_localtime=True)
def machine_time(value):
    """A datetime for a `datetime` attribute: ISO 8601 to the second.

    `date:"c"` keeps microseconds, and HTML allows at most three fractional digits; no
    reader needs more than the second.
    """
    if not value:
        return ""
    return value.replace(microsecond=0).isoformat()
