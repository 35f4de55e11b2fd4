"""`{% link "reports:detail" slug=report.slug %}`: Django's `{% url %}`, remembered.

Load it with `{% load links %}`. The admin keeps `{% url %}`, which knows about its
per-request current app.
"""

from django import template

from genocidewatch.links import link

register = template.Library()
register.simple_tag(link, name="link")
