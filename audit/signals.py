from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .models import AuditEvent, record


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    record(AuditEvent.Action.LOGIN, request=request, actor=user)


@receiver(user_login_failed)
def record_failed_login(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in `credentials`; only the name is kept.
    attempted = str(credentials.get("username", ""))[:150]
    record(AuditEvent.Action.LOGIN_FAILED, request=request, actor_name=attempted)
