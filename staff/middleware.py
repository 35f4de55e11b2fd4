from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .policy import has_authenticator, needs_verification

# Pages a signed-in but not yet verified staff member may still reach.
OPEN_PATHS = ("/admin/login/", "/admin/logout/", "/admin/two-factor/", "/admin/jsi18n/")


class TwoFactorMiddleware:
    """Keep staff out of the admin until they give a code from their authenticator app.

    After the password, someone with an authenticator is asked for a code; an editor or
    superuser without one (when two factors are required) is first shown how to set one
    up. Until then every admin page sends them there. Needs django-otp's OTPMiddleware
    before it, which tells whether this session has been verified.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if (
            path.startswith("/admin/")
            and not path.startswith(OPEN_PATHS)
            and needs_verification(request.user)
        ):
            step = "staff:verify" if has_authenticator(request.user) else "staff:setup"
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
