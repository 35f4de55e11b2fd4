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


def needs_verification(user):
    """A signed-in staff member who has not yet given this session's code."""
    if not (user.is_authenticated and user.is_staff) or user.is_verified():
        return False
    return has_authenticator(user) or must_use_two_factor(user)
