"""Security headers the site sends with every response, and who may keep it."""

import time

from django.conf import settings
from django.http import HttpResponse

from .serving import public_cache_control


class PermissionsPolicyMiddleware:
    """Tell browsers that no page here may use the camera, microphone or location."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class AdminContentSecurityPolicyMiddleware:
    """The admin's own, looser Content Security Policy.

    The public site allows no inline script or style at all. The admin's rich-text editor
    declares its modules in an inline import map and Django's admin widgets set inline
    styles, so /admin/ alone also allows inline code, and still nothing from another host.
    Listed after Django's CSP middleware, so it chooses the policy before that one writes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            response._csp_config = settings.ADMIN_CSP
        return response


class PublicCacheControlMiddleware:
    """Say who may keep a page, and for how long.

    A public page fetched without a session may be kept by browsers and shared caches, but is
    checked again (with its ETag, answered 304 when unchanged) once `PUBLIC_PAGE_MAX_AGE`
    seconds have passed for browsers (0 by default: every time) and `SHARED_CACHE_MAX_AGE`
    for a proxy or CDN (1 by default: a busy page is rendered at most once a second, and
    seen at most a second after a change). Anything for staff, any response setting a
    cookie (forms carry a CSRF cookie) and anything a view already marked is never stored
    anywhere.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        personal = (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or response.cookies
            or request.path.startswith("/admin/")
        )
        if (
            request.method in ("GET", "HEAD")
            and response.status_code in (200, 404)
            and not personal
        ):
            response["Cache-Control"] = public_cache_control(
                browser_seconds=settings.PUBLIC_PAGE_MAX_AGE
            )
        else:
            response["Cache-Control"] = "private, no-store"
        return response


class ProxyCacheDeadlineMiddleware:
    """Tell the shipped nginx to keep a public response no later than the end of this second.

    nginx counts `s-maxage` in whole seconds from when a copy arrived, so with `s-maxage=1`
    a copy taken just before a report was retracted would be sent for up to two seconds
    more. `X-Accel-Expires: @<this second>` (read by nginx alone, never passed on to the
    reader) ends it within the second instead; nginx then asks again with the ETag, and
    gets a cheap 304 while nothing changed. First in MIDDLEWARE, so a stored page gets a
    deadline of its own, not the one it was stored with.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Cache-Control", "").startswith("public"):
            response["X-Accel-Expires"] = f"@{int(time.time())}"
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than `REQUEST_MAX_BYTES` before anything reads it.

    Django limits form fields and file counts, but not the size of uploaded files; without
    this a client could make a worker read gigabytes only to have them refused later. The
    shipped proxy has the same limit, so such a request normally never reaches a worker.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if not declared.isdigit():
            return HttpResponse("Bad request.\n", status=400, content_type="text/plain")
        if int(declared) > settings.REQUEST_MAX_BYTES:
            limit = settings.REQUEST_MAX_BYTES // 1_000_000
            return HttpResponse(
                f"This request is larger than the site accepts ({limit} MB).\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
