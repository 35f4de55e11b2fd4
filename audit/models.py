from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models

from genocidewatch.clients import client_ip


class AuditEvent(models.Model):
    """One thing that happened, kept for good: rows are added, never changed or removed."""

    class Action(models.TextChoices):
        ADD = "add", "Added"
        CHANGE = "change", "Changed"
        SUBMIT = "submit", "Submitted for review"
        RETURN = "return", "Returned to the author"
        PUBLISH = "publish", "Published"
        SCHEDULE = "schedule", "Scheduled"
        UNPUBLISH = "unpublish", "Unpublished"
        CHANGES_STARTED = "changes_started", "Started changes to a published report"
        CHANGES_PUBLISHED = "changes_published", "Published changes to a report"
        DELETE = "delete", "Deleted"
        RECOVER = "recover", "Recovered after deletion"
        RESTORE = "restore", "Restored an earlier revision"
        ROLE_CHANGE = "role_change", "Changed a staff member's roles"
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Failed to log in"
        LOCKED_OUT = "locked_out", "Sign-in paused after repeated failures"
        TWO_FACTOR_ON = "2fa_on", "Turned on two-factor sign-in"
        TWO_FACTOR_FAILED = "2fa_failed", "Gave a wrong sign-in code"
        PASSKEY_ADDED = "passkey_added", "Registered a passkey"
        RECOVERY_CODES_MADE = "recovery_made", "Made new recovery codes"
        RECOVERY_CODE_USED = "recovery_used", "Signed in with a recovery code"
        PASSWORD_RESET = "password_reset", "Set a new password from an emailed link"

    created_at = models.DateTimeField("when", auto_now_add=True, db_index=True)
    action = models.CharField(max_length=20, choices=Action, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text too, so the record still says who it was after an account is removed,
    # and names the account a failed login tried.
    actor_name = models.CharField("who", max_length=150, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("what", max_length=300, blank=True)
    detail = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField("from", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name}: {self.get_action_display()}"

    def save(self, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("Audit events cannot be changed.")
        super().save(**kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit events cannot be deleted.")


def record(action, *, request=None, actor=None, obj=None, detail="", actor_name=None):
    """Write one audit event. `actor` defaults to the request's user."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=actor_name
        if actor_name is not None
        else (actor.get_username() if actor else ""),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        detail=detail,
        ip_address=client_ip(request),
    )
