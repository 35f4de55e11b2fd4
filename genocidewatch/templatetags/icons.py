"""`{% icon "download" %}`: the site's icon of that name (templates/icons/<name>.svg), inline.

The icons are fixed files, so each is read once per process; an `{% include %}` would look
the file up and render it again each time a page shows it (a report page shows a dozen).
"""

from functools import lru_cache

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag
def icon(name):
    return icon_markup(name)


@lru_cache(maxsize=64)
def icon_markup(name):
    """The icon's SVG, safe to put in a page."""
    return render_to_string(f"icons/{name}.svg")
