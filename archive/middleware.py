from django.http import HttpResponsePermanentRedirect

from .models import Redirect


class OldAddressRedirectMiddleware:
    """An address with no page of its own answers 301 when it is a known old address.

    Asked only after the site answered 404, so it costs one query on a miss and nothing on
    any page that exists (stored pages never reach it). A 301 is not a stored page: it is
    looked up afresh each time, so a redirect added or removed in the admin takes effect on
    the next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        target = Redirect.target_for(request.path_info)
        if target is None:
            return response
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
