from django import template

from .. import counts

register = template.Library()


@register.simple_tag
def reader_counts(report, days=30):
    """A report's views and downloads, for its page in the admin."""
    return counts.for_report(report, days=days)
