from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute(context, path):
    """The full address of `path` on this site, for social previews and emails."""
    request = context.get("request")
    if request is None:
        from alerts.subscriptions import absolute as from_site_url

        return from_site_url(path)
    return request.build_absolute_uri(path)
