from django import template
from django.utils.html import format_html_join

from genocidewatch.templatetags.icons import icon_markup

from ..links import share_links

register = template.Library()

# One network's share link. The list is put together here, not by a loop in the template:
# six links of a few template nodes each cost a report page more than the rest of the block.
LINK = '<li><a href="{}" class="icon-link" rel="noopener noreferrer">{}<span>{}</span></a></li>'


@register.inclusion_tag("includes/share_links.html", takes_context=True)
def share(context, obj, title):
    url = context["request"].build_absolute_uri(obj.get_absolute_url())
    links = share_links(url=url, title=title)
    items = format_html_join(
        "\n    ", LINK, ((link.url, icon_markup(link.platform), link.label) for link in links)
    )
    return {"url": url, "items": items}
