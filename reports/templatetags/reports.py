from django import template
from django.utils.safestring import mark_safe

from ..richtext import sanitize_html

register = template.Library()


@register.filter
def rich_text(html):
    """Staff-written HTML, sanitised again on the way out."""
    return mark_safe(sanitize_html(html))  # noqa: S308 - the allow-list has just been applied


@register.filter
def file_size(num_bytes):
    """A size as readers expect it on a download link: “57 KB”, “1.2 MB”."""
    if num_bytes is None:
        return ""
    if num_bytes < 1000:
        return f"{num_bytes} bytes"
    if num_bytes < 1000 * 1000:
        return f"{round(num_bytes / 1000)} KB"
    return f"{num_bytes / 1000 / 1000:.1f} MB"
