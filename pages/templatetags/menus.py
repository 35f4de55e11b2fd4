"""The site's two menus, drawn once per process for each language, menu and current page.

They are the same on every page but for which link is the current one, and a page spent more
on drawing them than on most of its own text; what they show is the key, so a renamed or
added page draws anew, never a stale menu."""

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.translation import get_language

register = template.Library()


def _links(pages, request):
    shown = tuple((item.label, item.url) for item in pages)
    path = request.path if request is not None else None
    current = path if any(url == path for _, url in shown) else None
    return shown, current


@register.simple_tag(takes_context=True)
def main_menu(context):
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    here = match.url_name if match else None
    pages, current = _links(context.get("header_pages", ()), request)
    return _drawn("includes/main_menu.html", get_language(), here, pages, current)


@register.simple_tag(takes_context=True)
def footer_menu(context):
    pages, current = _links(context.get("footer_pages", ()), context.get("request"))
    return _drawn("includes/footer_menu.html", get_language(), None, pages, current)


@lru_cache(maxsize=1024)
def _drawn(template_name, language, here, pages, current):
    context = {"here": here, "pages": pages, "current": current}
    return render_to_string(template_name, context)
