"""Setting up and giving the second factor: a code from an authenticator app (TOTP)."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent, record

from .forms import CodeForm
from .policy import has_authenticator

DEVICE_NAME = "Authenticator app"


def _next_page(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "admin:index"


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
    if has_authenticator(user):
        if request.user.is_verified():
            messages.info(request, "Two-factor sign-in is already on for your account.")
            return redirect("admin:index")
        return redirect("staff:verify")
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
            form=form,
            qr_code=_qr_svg(device.config_url),
            secret=_grouped(secret),
        ),
    )


@never_cache
@staff_member_required
def verify(request):
    """Ask for this session's code."""
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
    if device is None:
        return redirect("staff:setup")
    if request.user.is_verified():
        return redirect(_next_page(request))
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST":
        if form.is_valid():
            otp_login(request, device)
            return redirect(_next_page(request))
        record(AuditEvent.Action.TWO_FACTOR_FAILED, request=request)
    return render(
        request,
        "staff/verify.html",
        _context(request, title="Enter your sign-in code", form=form),
    )
