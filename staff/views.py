"""Setting up and giving the second factor: a passkey, a code from an authenticator app
(TOTP) or a one-time recovery code; and a password reset by email that leaves it in place."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from audit.models import AuditEvent, record

from .forms import CodeForm, ProfileForm, RecoveryCodeForm
from .models import StaffProfile
from .passkeys import has_passkey
from .policy import has_authenticator, must_use_two_factor, verification_step

DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10


def _next_page(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _has_app(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def _context(request, **extra):
    return {**admin.site.each_context(request), "next": _next_page(request), **extra}


def _qr_svg(text):
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    # The SVG is drawn geometry only (the text becomes path data, never markup).
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308


def _grouped(secret_base32):
    return " ".join(secret_base32[i : i + 4] for i in range(0, len(secret_base32), 4))


@never_cache
@staff_member_required
def setup(request):
    """Show the QR code of a new authenticator secret; the first right code turns it on."""
    user = request.user
    if has_authenticator(user) and not user.is_verified():
        return redirect("staff:verify")
    if _has_app(user):
        messages.info(request, "Your authenticator app is already set up.")
        return redirect("staff:security")
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        record(AuditEvent.Action.TWO_FACTOR_ON, request=request)
        messages.success(request, "Two-factor sign-in is on. Keep your phone with you.")
        return redirect(_next_page(request))
    if request.method == "POST":
        record(AuditEvent.Action.TWO_FACTOR_FAILED, request=request)
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "staff/setup.html",
        _context(
            request,
            title="Set up two-factor sign-in",
            must=must_use_two_factor(user),
            form=form,
            qr_code=_qr_svg(device.config_url),
            secret=_grouped(secret),
        ),
    )


@never_cache
@staff_member_required
def verify(request):
    """Ask for this session's second factor: a passkey, a code, or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_next_page(request))
    if not has_authenticator(user):
        return redirect("staff:setup")
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    form = CodeForm(request.POST or None, device=device) if device else None
    if request.method == "POST" and form is not None:
        if form.is_valid():
            otp_login(request, device)
            return redirect(_next_page(request))
        record(AuditEvent.Action.TWO_FACTOR_FAILED, request=request)
    return render(
        request,
        "staff/verify.html",
        _context(
            request,
            title="Confirm it is you",
            form=form,
            has_passkey=has_passkey(user),
            has_recovery_codes=StaticToken.objects.filter(
                device__user=user, device__confirmed=True
            ).exists(),
        ),
    )


@never_cache
@staff_member_required
def recovery(request):
    """Give one of the printed recovery codes instead of the usual second factor."""
    user = request.user
    if user.is_verified():
        return redirect(_next_page(request))
    device = StaticDevice.objects.devices_for_user(user, confirmed=True).first()
    if device is None:
        return redirect("staff:verify")
    form = RecoveryCodeForm(request.POST or None, device=device)
    if request.method == "POST":
        if form.is_valid():
            otp_login(request, device)
            left = device.token_set.count()
            record(
                AuditEvent.Action.RECOVERY_CODE_USED,
                request=request,
                detail=f"{left} recovery codes left",
            )
            messages.warning(
                request,
                f"That recovery code is now used up; {left} left. If you lost your phone or "
                "passkey, add a new one under “Sign-in security” and make new recovery codes.",
            )
            return redirect(_next_page(request))
        record(AuditEvent.Action.TWO_FACTOR_FAILED, request=request)
    return render(
        request,
        "staff/recovery.html",
        _context(request, title="Use a recovery code", form=form),
    )


def _security_context(request, **extra):
    user = request.user
    return _context(
        request,
        title="Sign-in security",
        passkeys=WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by(
            "created_at"
        ),
        has_app=_has_app(user),
        codes_left=StaticToken.objects.filter(device__user=user, device__confirmed=True).count(),
        **extra,
    )


def _security_gate(request):
    """The security page is open to the sign-in steps (it is where factors are added), so
    it checks for itself that this session has given the factor it owes."""
    step = verification_step(request.user)
    return redirect(step) if step else None


@never_cache
@staff_member_required
def security(request):
    """A staff member's own second factors: passkeys, authenticator app, recovery codes."""
    return _security_gate(request) or render(
        request, "staff/security.html", _security_context(request)
    )


@never_cache
@require_POST
@staff_member_required
def recovery_codes(request):
    """Make a new set of recovery codes, shown on this one page and never again; the old
    set stops working."""
    gate = _security_gate(request)
    if gate:
        return gate
    user = request.user
    if not (has_passkey(user) or _has_app(user)):
        messages.error(
            request,
            "Add a passkey or an authenticator app first: recovery codes stand in "
            "for one of them when it is lost.",
        )
        return redirect("staff:security")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():  # the old set ends only if the new one is stored
        device, _ = StaticDevice.objects.get_or_create(
            user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        record(AuditEvent.Action.RECOVERY_CODES_MADE, request=request)
    return render(request, "staff/security.html", _security_context(request, new_codes=codes))


class StaffPasswordResetForm(PasswordResetForm):
    def get_users(self, email):
        return (user for user in super().get_users(email) if user.is_staff)


class PasswordResetView(auth_views.PasswordResetView):
    """The same answer for every address: whether it belongs to anyone is never said."""

    form_class = StaffPasswordResetForm
    subject_template_name = "staff/password_reset_subject.txt"
    email_template_name = "staff/password_reset_email.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password, and nothing more: the person signs in afterwards as always, second
    factor included (no sign-in straight from the link)."""

    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        record(AuditEvent.Action.PASSWORD_RESET, request=self.request, actor=form.user)
        return response


@never_cache
@staff_member_required
def profile(request):
    """A staff member's own settings: the time zone the admin shows times in."""
    mine = StaffProfile.objects.filter(user=request.user).first() or StaffProfile(user=request.user)
    form = ProfileForm(request.POST or None, instance=mine)
    if request.method == "POST" and form.is_valid():
        form.save()
        zone = form.instance.time_zone or settings.TIME_ZONE
        messages.success(request, f"Saved. Times are now shown in {zone.replace('_', ' ')}.")
        return redirect("staff_profile")
    return render(
        request,
        "staff/profile.html",
        _context(request, title="Your settings", form=form, site_zone=settings.TIME_ZONE),
    )
