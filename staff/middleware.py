from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from .policy import verification_step

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
        if path.startswith("/admin/") and not path.startswith(OPEN_PATHS):
            step = verification_step(request.user)
            if step:
                next_page = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse(step)}?{next_page}")
        return self.get_response(request)


class StaffTimeZoneMiddleware:
    """Show the admin in the time zone the staff member chose in their profile, and read
    the times they type in it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/admin/") or not request.user.is_authenticated:
            return self.get_response(request)
        from .models import StaffProfile

        profile = StaffProfile.objects.filter(user=request.user).first()
        if profile is None or not profile.time_zone:
            return self.get_response(request)
        with timezone.override(profile.zone):
            return self.get_response(request)
