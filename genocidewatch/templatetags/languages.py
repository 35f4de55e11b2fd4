"""`{% language_links as languages %}`: the page in every language (genocidewatch/languages.py).

A view restricts the languages a page exists in by putting `translated_languages` (a list
of codes) in its context: the `hreflang` alternates then name only those, and the switcher
says the others are not translated yet.
"""

from django import template

from genocidewatch import languages as site_languages

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    request = context.get("request")
    if request is None:
        return []
    return site_languages.alternates(request, context.get("translated_languages"))


@register.filter
def x_default(languages):
    return site_languages.x_default(languages)
