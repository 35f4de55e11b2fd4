"""The editorial desk: what the admin's home page shows a staff member, read in a fixed
number of queries whatever the number of reports."""

from django.db.models import Count, Max, Q

from alerts.models import Delivery
from audit.models import AuditEvent

from . import counts
from .models import Report

SHOWN = 8  # rows per section; the full lists are a link away


def _with_submissions(waiting):
    """Who submitted each report waiting for review, and when (its latest submission)."""
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.SUBMIT,
        object_type="reports.report",
        object_id__in=[str(r.pk) for r in waiting],
    ).order_by("created_at", "id")
    latest = {event.object_id: event for event in events}
    for report in waiting:
        report.submission = latest.get(str(report.pk))
    return waiting


def desk_for(user):
    """The desk's sections for this person."""
    reports = Report.objects.select_related("country", "updated_by")
    alerts = (
        Delivery.objects.values("report", "report__title")
        .annotate(
            sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
            failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
            last=Max("sent_at"),
        )
        .order_by("-last")[:SHOWN]
    )
    return {
        "waiting": _with_submissions(
            list(
                reports.filter(status=Report.Status.IN_REVIEW, revises__isnull=True).order_by(
                    "updated_at"
                )[:SHOWN]
            )
        ),
        "changes": list(
            reports.filter(revises__isnull=False)
            .select_related("revises")
            .order_by("-updated_at")[:SHOWN]
        ),
        "scheduled": list(reports.scheduled().order_by("published_at")[:SHOWN]),
        "mine": list(
            reports.filter(
                status=Report.Status.DRAFT, revises__isnull=True, updated_by=user
            ).order_by("-updated_at")[:SHOWN]
        ),
        "published": list(reports.public().newest_first()[:SHOWN]),
        "alerts": list(alerts),
        # Readers' views and PDF downloads over the last 30 days (reports/counts.py).
        "most_read": counts.top_reports(30, limit=SHOWN),
    }
