from django import template

from ..models import FollowLink

register = template.Library()


@register.inclusion_tag("includes/follow_links.html", takes_context=True)
def follow_links(context):
    return {"links": list(FollowLink.objects.all()), "site_name": context.get("site_name")}
