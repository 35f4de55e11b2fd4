"""Addresses of pages, worked out once per process.

Django's `reverse` matches the URL patterns afresh on every call, and a report page names
about thirty addresses: that was a quarter of the time it took to render. The patterns never
change while a process runs, so each (name, arguments) pair is worked out once.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language, override


@lru_cache(maxsize=50_000)
def _reversed(viewname, args, kwargs, prefix, language):
    # The active language gives the address its prefix (/fr/…), so it is part of the key.
    with override(language):
        return reverse(viewname, args=args, kwargs=dict(kwargs))


def link(viewname, *args, **kwargs):
    """`reverse(viewname, args=args, kwargs=kwargs)`, remembered, in the active language."""
    key = tuple(sorted(kwargs.items()))
    return _reversed(viewname, args, key, get_script_prefix(), get_language())


def neutral_link(viewname, *args, **kwargs):
    """The address of something that is the same in every language (a PDF edition, an
    image): always the unprefixed one, whatever page links to it."""
    key = tuple(sorted(kwargs.items()))
    return _reversed(viewname, args, key, get_script_prefix(), settings.LANGUAGE_CODE)
