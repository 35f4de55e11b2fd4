"""The site's languages: which one a request is in, and the same page in the others.

A page's language is decided by its address alone: English (the default) at the root,
every other language under its own prefix (`/fr/…`, `/ar/…`). Never by a cookie or the
browser's Accept-Language, for two reasons: the page cache and the shared caches key pages
by their address, so an address must always give the same language; and readers who share
a link expect their friends to see what they saw.

The URL patterns themselves are not translated, so the same page in another language is
the same path under another prefix: no pattern has to be matched again to find it.
"""

from functools import wraps

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.utils import translation


def prefix(code):
    """The path prefix of a language: "" for the default one, "/fr" for French."""
    return "" if code == settings.LANGUAGE_CODE else f"/{code}"


def language_of(path_info):
    """The language an address is in (its prefix), or the default language."""
    return translation.get_language_from_path(path_info) or settings.LANGUAGE_CODE


def without_prefix(path_info):
    """The path with its language prefix taken off: "/fr/reports/" → "/reports/"."""
    code = translation.get_language_from_path(path_info)
    if code is None or code == settings.LANGUAGE_CODE:
        return path_info
    return path_info[len(prefix(code)) :] or "/"


def in_language(path_info, code):
    """The same page's path in language `code`."""
    return prefix(code) + without_prefix(path_info)


def is_right_to_left(code):
    return code.split("-")[0] in settings.LANGUAGES_BIDI


class PathLocaleMiddleware:
    """Activate the language of the address for the rest of the request.

    Unlike Django's LocaleMiddleware, it never reads a cookie or Accept-Language, so an
    unprefixed address is English for every reader and its response need not vary on
    Accept-Language (which would split each page into one stored copy per browser).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = language_of(request.path_info)
        request.LANGUAGE_CODE = code
        # Only for this request: the thread goes back to the language it had, so work done
        # after it (a task run in the same thread, a test) is not in a reader's language.
        with translation.override(code):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        return response


def language_neutral(view):
    """For addresses that are the same file in every language (PDF editions, images): a
    prefixed address answers with a permanent redirect to the one unprefixed address, so
    each file has a single address for browsers and caches to keep."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if language_of(request.path_info) != settings.LANGUAGE_CODE:
            query = request.META.get("QUERY_STRING", "")
            path = request.path[: len(request.path) - len(request.path_info)]
            path += without_prefix(request.path_info)
            return HttpResponsePermanentRedirect(path + (f"?{query}" if query else ""))
        return view(request, *args, **kwargs)

    return wrapped


def default_language_redirect(request, rest=""):
    """/en/… was never an address: English lives at the root. Send it there for good."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect("/" + rest + (f"?{query}" if query else ""))


def alternates(request, available=None):
    """The page in every language, for `hreflang` links and the language switcher.

    `available` (codes) restricts which languages the page exists in, when a view says so
    with `translated_languages` in its context; the others are listed as not translated.
    """
    current = translation.get_language() or settings.LANGUAGE_CODE
    query = request.META.get("QUERY_STRING", "")
    script = request.path[: len(request.path) - len(request.path_info)]
    codes = [code for code, _ in settings.LANGUAGES]
    available = codes if available is None else [c for c in codes if c in set(available)]
    found = []
    for code, name in settings.LANGUAGES:
        path = script + in_language(request.path_info, code) + (f"?{query}" if query else "")
        found.append(
            {
                "code": code,
                "name": name,
                "url": request.build_absolute_uri(path),
                "path": path,
                "current": code == current,
                "translated": code in available,
                "bidi": is_right_to_left(code),
            }
        )
    return found


def x_default(languages):
    """The address for readers whose language is none of the page's: the default
    language's when the page has it, else the first it has."""
    offered = [language for language in languages if language["translated"]]
    for language in offered:
        if language["code"] == settings.LANGUAGE_CODE:
            return language
    return offered[0] if offered else None
