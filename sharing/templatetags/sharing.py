from django import template

from genocidewatch.links import link

from ..cards import card_version
from ..links import share_links

register = template.Library()


@register.inclusion_tag("includes/share_links.html", takes_context=True)
def share(context, obj, title):
    url = context["request"].build_absolute_uri(obj.get_absolute_url())
    return {"url": url, "links": share_links(url=url, title=title)}


@register.simple_tag(takes_context=True)
def card_url(context, report):
    version = card_version(report, context.get("site_name"))
    path = link("sharing:card", slug=report.slug, version=version)
    return context["request"].build_absolute_uri(path)
