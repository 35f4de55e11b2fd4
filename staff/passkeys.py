"""Passkeys (WebAuthn) as a second factor, through django-otp-webauthn.

The package's views do the ceremonies; these subclasses keep them to signed-in staff, write
the audit log, and send a verified session back into the admin. A passkey never replaces
the password here (`OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False`).
"""

import json

from django.urls import path, reverse
from django.utils import timezone
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions, views
from django_otp_webauthn.models import WebAuthnCredential

from audit.models import AuditEvent, record


def has_passkey(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


class StaffOnly:
    def get_user(self):
        user = super().get_user()
        return user if user is not None and user.is_active and user.is_staff else None


class BeginRegistration(StaffOnly, views.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(StaffOnly, views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        passkey = WebAuthnCredential.objects.get(pk=json.loads(response.content)["id"])
        if not passkey.name:
            passkey.name = f"Passkey added {timezone.localdate():%-d %b %Y}"
            passkey.save(update_fields=["name"])
        record(AuditEvent.Action.PASSKEY_ADDED, request=self.request, obj=passkey)
        return response


class AfterPassword(StaffOnly):
    def check_can_authenticate(self):
        # Only as the second step, after the password: never for someone not signed in.
        if self.get_user() is None:
            raise exceptions.NotAuthenticated()


class BeginAuthentication(AfterPassword, views.BeginCredentialAuthenticationView):
    pass


class CompleteAuthentication(AfterPassword, views.CompleteCredentialAuthenticationView):
    def get_success_url(self):
        return self.get_redirect_url() or reverse("admin:index")


# The package's client script finds these addresses by their names in this namespace.
app_name = "otp_webauthn"
urlpatterns = [
    path(
        "registration/begin/",
        BeginRegistration.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        CompleteRegistration.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        BeginAuthentication.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        CompleteAuthentication.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
