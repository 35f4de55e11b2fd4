from axes.signals import user_locked_out
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


@receiver(user_locked_out)
def record_lockout(sender, request, username, ip_address, **kwargs):
    record(AuditEvent.Action.LOCKED_OUT, request=request, actor_name=str(username or "")[:150])
