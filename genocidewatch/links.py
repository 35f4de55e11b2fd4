"""Addresses of pages, worked out once per process.

Django's `reverse` matches the URL patterns afresh on every call, and a report page names
about thirty addresses: that was a quarter of the time it took to render. The patterns never
change while a process runs, so each (name, arguments) pair is worked out once.
"""

from functools import lru_cache

from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language


@lru_cache(maxsize=50_000)
def _reversed(viewname, args, kwargs, prefix, language):
    return reverse(viewname, args=args, kwargs=dict(kwargs))


def link(viewname, *args, **kwargs):
    """`reverse(viewname, args=args, kwargs=kwargs)`, remembered (per language: the same
    page has an address of its own in each)."""
    key = tuple(sorted(kwargs.items()))
    return _reversed(viewname, args, key, get_script_prefix(), get_language())
