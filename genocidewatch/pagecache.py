"""Rendered public pages, kept in the configured cache and keyed by the content version.

A page is stored with the current *content version*: a random token that changes whenever
anything a page can show changes (a report and its parts, the vocabularies, the follow
links) and when a scheduled report's time comes. Changing the token retires every stored
page at once, so a reader never gets a page older than the last change; nothing has to know
which pages a change touched.

The token and the time of the next scheduled publication are kept together in the same cache
as the pages, so all processes must share that cache (Redis in production); see
`PAGE_CACHE_SECONDS` in settings.

Only anonymous readers are served from here: a request carrying a session or a flash
message goes through to the views, and only responses that the views and
`PublicCacheControlMiddleware` marked `public`, without cookies, are kept.
"""

import hashlib
import logging
import secrets
import time
from datetime import UTC, datetime

from asgiref.local import Local
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

VERSION_KEY = "content-version"
# Larger responses (images, cards) are cheap to send from storage; pages are tens of KB.
LARGEST_KEPT_BYTES = 512 * 1024
# How long `kept_with_content` keeps a value when stored pages are off: a change retires it
# sooner through the content version; this only lets unused entries expire.
KEPT_SECONDS = 3600

logger = logging.getLogger(__name__)
STATIC_PREFIX = "/" + settings.STATIC_URL.lstrip("/")


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def _next_scheduled_publication():
    """When the earliest published-but-not-yet-due report becomes public, as a timestamp."""
    from django.db.models import Min

    from reports.models import Report

    due = Report.objects.scheduled().aggregate(due=Min("published_at"))["due"]
    return due.timestamp() if due else None


def _new_version(*, after=None):
    """Start a content version: (token, next scheduled publication, when it started).

    `after`: the version whose scheduled time has just passed. Every process that sees that
    time pass starts the same next version (its token follows from the last one), so readers
    arriving together at that moment do not each start one, retiring each other's pages and
    data files (each of which the next reader would build again)."""
    if after is None:
        token = secrets.token_hex(8)
    else:
        token = hashlib.sha256(f"{after[0]}:{after[1]}".encode()).hexdigest()[:16]
    state = (token, _next_scheduled_publication(), time.time())
    _cache().set(VERSION_KEY, state, timeout=None)
    return state


def _first_version():
    """Start a version when the cache holds none (emptied, restarted): the first process to
    store one wins, and every other reader arriving meanwhile takes that one."""
    state = (secrets.token_hex(8), _next_scheduled_publication(), time.time())
    if _cache().add(VERSION_KEY, state, timeout=None):
        return state
    found = _cache().get(VERSION_KEY)
    if found is None or len(found) != 3:
        return _new_version()
    return found


def _retire_pages():
    # A cache that is down holds no pages to retire, and must not stop an editor's save.
    try:
        _new_version()
    except Exception:
        logger.exception("Could not retire stored pages: the cache did not answer")


def _current_state(state):
    """The content version now, starting a new one when a scheduled time has passed."""
    if state is None:
        return _first_version()
    if len(state) != 3:
        return _new_version()
    due = state[1]
    if due is not None and time.time() >= due:
        return _new_version(after=state)  # a scheduled report has just become public
    return state


def _last_modified(started):
    """Nothing a page shows has changed since its version started, so that time is the
    page's Last-Modified. HTTP dates count whole seconds: a page rendered within the second
    its version began gets none, or a change later in that same second could pass for
    "not modified"."""
    now = time.time()
    return http_date(started) if now >= started + 1 else None


def current_version():
    """The content version now: a token that changes with anything public pages show
    (and when a scheduled report's time comes). Other stores of what public pages are
    built from (the bulk data files) key their copies by it."""
    return _current_state(_cache().get(VERSION_KEY))[0]


def current_version_and_start():
    """`current_version()` and `last_change()` from one cache read: a stored copy keyed by
    the version is unchanged since that time."""
    token, _, started = _current_state(_cache().get(VERSION_KEY))
    return token, datetime.fromtimestamp(started, tz=UTC)


def last_change():
    """When anything public pages show last changed, as far as the site knows: the start of
    the current content version (the time pages' Last-Modified is read from)."""
    try:
        state = _current_state(_cache().get(VERSION_KEY))
    except Exception:
        # With the cache away nothing can be said to be unchanged since an earlier time.
        logger.exception("Page cache unavailable")
        return datetime.now(tz=UTC)
    return datetime.fromtimestamp(state[2], tz=UTC)


def content_changed(action=None, **kwargs):
    """Retire every stored page: now, and again once the change is committed.

    Now, so the writer's own next request (and a test inside one transaction) sees the
    change; after the commit, so a page another reader rendered from the old rows while the
    transaction was open, and stored under the interim token, is retired too.
    """
    if action is not None and action.startswith("pre_"):
        return  # a many-to-many change announces itself before and after; after is enough
    _retire_pages()
    transaction.on_commit(_retire_pages)


# What `kept_with_content` gave during the request being answered: a page asks for the
# identity and menus from several templates, and each ask would otherwise cost a cache round
# trip (or, with stored pages off, two queries). Only inside a request, and forgotten at its
# end, so a long-lived worker (emails, tasks) never keeps an old identity.
_this_request = Local()

# Every key this process has been asked for. The first ask in a request reads all of them,
# with the content version, in one cache round trip: a page wants three or four of them, and
# each round trip to a shared cache costs more than the read itself.
_asked_keys = set()


class _Kept:
    def __init__(self):
        self.values = {}
        self.found = None  # what the one cache read of this request found
        self.read_keys = frozenset()


def _request_started(**kwargs):
    _this_request.kept = _Kept()


def _request_finished(**kwargs):
    _this_request.kept = None


request_started.connect(_request_started, dispatch_uid="pagecache-request-started")
request_finished.connect(_request_finished, dispatch_uid="pagecache-request-finished")


def kept_with_content(key, make):
    """`make()`, kept beside the stored pages until the next change retires them.

    For what every page shows (the site's identity, its menus, the ten stages): one cache
    read instead of queries, and never older than the pages it goes into; read once per
    request. Kept between requests when pages are stored, and also with stored pages off
    when the cache is shared by every process (Redis): a change starts a new content version
    whatever `PAGE_CACHE_SECONDS` says, so it retires these everywhere. Not kept with stored
    pages off on a process's own memory, where one process could not retire another's.

    What is kept must read the same in every language (names are translated when a page
    is drawn, addresses worked out then): one copy serves every reader.
    """
    _asked_keys.add(key)
    this = getattr(_this_request, "kept", None)
    if this is None:
        return _kept(key, make, _read({key}))
    if key not in this.values:
        if key not in this.read_keys:
            this.read_keys = frozenset(_asked_keys)
            this.found = _read(this.read_keys)
        this.values[key] = _kept(key, make, this.found)
    return this.values[key]


def _kept_between_requests():
    if settings.PAGE_CACHE_SECONDS > 0:
        return True
    return not isinstance(_cache(), (LocMemCache, DummyCache))


def _read(keys):
    """The content version and what is kept under `keys`, in one round trip; None when
    nothing is kept between requests or the cache does not answer."""
    if not _kept_between_requests():
        return None
    try:
        found = _cache().get_many([VERSION_KEY, *keys])
        found[VERSION_KEY] = _current_state(found.get(VERSION_KEY))[0]
    except Exception:
        logger.exception("Page cache unavailable")
        return None
    return found


def _kept(key, make, found):
    if found is None:
        return make()
    version = found[VERSION_KEY]
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = make()
    try:
        _cache().set(key, (version, value), timeout=settings.PAGE_CACHE_SECONDS or KEPT_SECONDS)
    except Exception:
        logger.exception("Page cache unavailable")
    return value


def _key(request):
    scheme = "https" if request.is_secure() else "http"
    return f"page:{scheme}://{request.get_host()}{request.get_full_path()}"


class PageCacheMiddleware:
    """Serve anonymous readers' GET and HEAD requests from stored pages when it can."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._may_use_cache(request):
            return self.get_response(request)
        # One round trip brings the version and the stored page; the page counts only if it
        # was stored under the version that is current now.
        key = _key(request)
        try:
            found = _cache().get_many([VERSION_KEY, key])
            version, _, started = _current_state(found.get(VERSION_KEY))
        except Exception:
            # Readers still get pages, rendered afresh, while the cache is away.
            logger.exception("Page cache unavailable")
            return self.get_response(request)
        entry = found.get(key)
        if entry is not None and entry[0] == version:
            response = self._conditional(request, self._rebuilt(entry))
            response["X-Page-Cache"] = "hit"
            return self._without_body_for_head(request, response)
        response = self.get_response(request)
        if self._may_store(response):
            last_modified = _last_modified(started)
            if last_modified and not response.has_header("Last-Modified"):
                response["Last-Modified"] = last_modified
            entry = (version, response.status_code, list(response.items()), response.content)
            response["X-Page-Cache"] = "miss"
            try:
                _cache().set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
            except Exception:
                logger.exception("Page cache unavailable")
        return self._without_body_for_head(request, response)

    @staticmethod
    def _rebuilt(entry):
        _, status, headers, content = entry
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        return response

    @staticmethod
    def _without_body_for_head(request, response):
        """HEAD gets the headers of the stored GET answer, Content-Length included."""
        if request.method == "HEAD" and not response.streaming and response.content:
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response

    @staticmethod
    def _may_use_cache(request):
        return (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and not request.path_info.startswith(STATIC_PREFIX)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
        )

    @staticmethod
    def _may_store(response):
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and cache_control.startswith("public")
            and len(response.content) <= LARGEST_KEPT_BYTES
        )

    @staticmethod
    def _conditional(request, response):
        """A stored page answers If-None-Match / If-Modified-Since as the page itself would."""
        last_modified = response.get("Last-Modified")
        return get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(last_modified) if last_modified else None,
            response=response,
        )
