"""The site's answer when a request fails: 503 while a server it needs is away, else 500.

The database restarting or out of reach, or the cache server down, is not a fault in the
page: the same request will work in a moment. Readers and editors then get a 503 that says
so, with Retry-After, rather than the 500 page; the shipped nginx hands readers its last
copy of a page instead (proxy_cache_use_stale in deploy/nginx.conf.template).
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# OperationalError also covers a deadlock or a lock timeout: trying again is right there too.
UNAVAILABLE = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)
RETRY_AFTER_SECONDS = 30


def _server_away(error):
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, UNAVAILABLE):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def server_error(request):
    """handler500. Django calls it while handling the exception, so sys.exc_info() is it."""
    if not _server_away(sys.exc_info()[1]):
        return defaults.server_error(request)
    # Rendered without the request, as the 500 page is: context processors may need the
    # very server that is away.
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
