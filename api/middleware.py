"""Any web page, on any site, may read the API from a reader's browser."""

from django.http import HttpResponse

API_PREFIX = "/api/"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
# What a script on another site may send: conditional requests and content negotiation.
ALLOWED_HEADERS = "Accept, Accept-Language, Cache-Control, If-Modified-Since, If-None-Match"
# What it may read besides the simple headers: what a client needs to ask again cheaply.
EXPOSED_HEADERS = "ETag, Last-Modified"


class OpenCorsMiddleware:
    """`Access-Control-Allow-Origin: *` on every answer under /api/, and preflights answered.

    The API is public, read-only and uses no cookies, so the open value is safe: no
    credentials are ever allowed. Placed inside the page cache, so a stored answer keeps
    these headers; the preflight is answered here, before anything else runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
            response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response["Access-Control-Allow-Origin"] = "*"
        return response
