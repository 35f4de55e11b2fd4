"""Who is asking: the one place that reads a request's client address."""

from django.conf import settings


def client_ip(request):
    """The reader's or staff member's address: from the trusted proxy when behind one."""
    if request is None:
        return None
    if settings.BEHIND_PROXY and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"]
    return request.META.get("REMOTE_ADDR") or None
