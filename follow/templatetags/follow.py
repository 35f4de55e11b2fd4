from django import template

from genocidewatch.pagecache import kept_with_content

from ..models import FollowLink

register = template.Library()


@register.inclusion_tag("includes/follow_links.html", takes_context=True)
def follow_links(context):
    # In every page's footer: kept beside the stored pages, retired with them by any change.
    links = kept_with_content("follow-links", lambda: list(FollowLink.objects.all()))
    return {"links": links, "site_name": context.get("site_name")}
