from django import template

from ..models import FollowLink
from ..sharing import share_links

register = template.Library()


@register.inclusion_tag("includes/follow_links.html", takes_context=True)
def follow_links(context):
    return {"links": list(FollowLink.objects.all()), "site_name": context.get("site_name")}


@register.inclusion_tag("includes/share_links.html", takes_context=True)
def share(context, obj, title):
    url = context["request"].build_absolute_uri(obj.get_absolute_url())
    return {"url": url, "links": share_links(url=url, title=title)}
