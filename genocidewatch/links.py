"""Addresses of pages, worked out once per process.

Django's `reverse` matches the URL patterns afresh on every call, and a report page names
about thirty addresses: that was a quarter of the time it took to render. The patterns never
change while a process runs, so each (name, arguments) pair is worked out once.
"""

from functools import lru_cache

from django.urls import get_script_prefix, reverse


@lru_cache(maxsize=50_000)
def _reversed(viewname, args, kwargs, prefix):
    return reverse(viewname, args=args, kwargs=dict(kwargs))


def link(viewname, *args, **kwargs):
    """`reverse(viewname, args=args, kwargs=kwargs)`, remembered."""
    return _reversed(viewname, args, tuple(sorted(kwargs.items())), get_script_prefix())
