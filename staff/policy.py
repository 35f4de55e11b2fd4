"""Who must prove a second factor, and when."""

from django.conf import settings

from reports.workflow import can_publish


def has_authenticator(user):
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


def must_use_two_factor(user):
    """Editors and superusers can publish and manage people: with `REQUIRE_2FA` (the
    production default) they cannot work without an authenticator app. Authors may add one."""
    return settings.REQUIRE_2FA and (user.is_superuser or can_publish(user))


def second_factor_given(user):
    """Whether this session has given the second factor it owes, if it owes one.

    False for staff who have a second factor (or must have one) but signed in with the
    password alone: until they give it, they count as anonymous readers everywhere.
    """
    return verification_step(user) is None


def _is_verified(user):
    # OTPMiddleware gives request.user `is_verified`; a user object from anywhere else has
    # given no second factor, so it is treated as not verified.
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def verification_step(user):
    """Where a signed-in staff member must go before working in the admin, or None.

    "staff:verify" for anyone with an authenticator who has not yet given this session's
    code; "staff:setup" for an editor or superuser who must have one and has none.
    """
    if not (user.is_authenticated and user.is_staff) or _is_verified(user):
        return None
    if has_authenticator(user):
        return "staff:verify"
    return "staff:setup" if must_use_two_factor(user) else None
