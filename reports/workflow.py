"""The editorial workflow: each step is a function named for what it does.

Draft → In review → Published, and back. Every step checks that the person may take it and
that the report is in a state it can be taken from, saves a revision (so the history shows
who did what), and writes an audit event. Nothing here is reachable without those checks.
"""

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alerts import subscriptions as alerts
from audit.models import AuditEvent, record

from .models import Report

Status = Report.Status


def can_edit(user, report):
    """Authors change drafts; editors change reports in any state."""
    if not user.has_perm("reports.change_report"):
        return False
    return report is None or report.status == Status.DRAFT or can_publish(user)


def can_submit(user):
    return user.has_perm("reports.submit_report")


def can_publish(user):
    return user.has_perm("reports.publish_report")


def _require(allowed):
    if not allowed:
        raise PermissionDenied("Your role does not allow this step.")


def _require_state(report, *states):
    if report.status not in states:
        raise ValidationError(
            "This report is %(state)s, so this step does not apply to it.",
            code="wrong_state",
            params={"state": report.state.lower()},
        )


@transaction.atomic
def _move(report, *, user, request, action, comment, detail="", **fields):
    locked = Report.objects.select_for_update().get(pk=report.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.updated_by = user
    locked.edit_version = F("edit_version") + 1
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        locked.save()
    locked.refresh_from_db()
    record(action, request=request, actor=user, obj=locked, detail=detail)
    return locked


def report_submit(report, *, user, request=None):
    _require(can_submit(user) and can_edit(user, report))
    _require_state(report, Status.DRAFT)
    return _move(
        report,
        user=user,
        request=request,
        action=AuditEvent.Action.SUBMIT,
        comment="Submitted for review.",
        status=Status.IN_REVIEW,
    )


def report_return(report, *, user, note, request=None):
    _require(can_publish(user))
    _require_state(report, Status.IN_REVIEW)
    return _move(
        report,
        user=user,
        request=request,
        action=AuditEvent.Action.RETURN,
        comment="Returned to the author.",
        detail=note,
        status=Status.DRAFT,
        review_note=note,
    )


@transaction.atomic
def report_publish(report, *, user, at=None, request=None):
    """Publish now, or at `at`: a time in the future schedules the report."""
    _require(can_publish(user))
    _require_state(report, Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED)
    if report.status == Status.PUBLISHED and not report.is_scheduled:
        raise ValidationError("This report is already public.", code="already_public")
    now = timezone.now()
    at = at or now
    scheduled = at > now
    when = timezone.localtime(at)
    published = _move(
        report,
        user=user,
        request=request,
        action=AuditEvent.Action.SCHEDULE if scheduled else AuditEvent.Action.PUBLISH,
        comment=f"Scheduled for {when:%Y-%m-%d %H:%M %Z}." if scheduled else "Published.",
        detail=f"Public from {when:%Y-%m-%d %H:%M %Z}",
        status=Status.PUBLISHED,
        published_at=at,
        published_by=user,
        review_note="",
    )
    # Queued when this transaction commits, about this report as just saved: at once, or
    # at its scheduled time.
    alerts.announce(published)
    return published


def report_unpublish(report, *, user, request=None):
    _require(can_publish(user))
    _require_state(report, Status.PUBLISHED)
    return _move(
        report,
        user=user,
        request=request,
        action=AuditEvent.Action.UNPUBLISH,
        comment="Unpublished.",
        status=Status.DRAFT,
    )
