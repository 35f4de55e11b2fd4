from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.translation import get_language

from genocidewatch.pagecache import kept_with_content

from ..models import FollowLink

register = template.Library()


@register.simple_tag(takes_context=True)
def follow_links(context):
    """In every page's footer. The links are kept beside the stored pages and retired with
    them by any change; the block they make is drawn once per process for each different
    set of links and language, since it is the same on every page."""
    links = kept_with_content("follow-links", lambda: list(FollowLink.objects.all()))
    shown = tuple((link.url, link.display_label, link.icon_template) for link in links)
    return _drawn(get_language(), context.get("site_name"), shown)


@lru_cache(maxsize=64)
def _drawn(language, site_name, links):
    return render_to_string("includes/follow_links.html", {"links": links, "site_name": site_name})
