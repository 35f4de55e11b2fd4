"""A country's dated changes of assessment, with the editor's reasons.

When a report becomes public with an alert level or stages other than those of the
country's previous public report, or published changes move a public report's level or
stages, the editor says why (a short public text) and a `StatusChange` records it. The
workflow (reports/workflow.py) asks here whether a step needs a reason and records the
change in the step's own transaction.

A change belongs to the publication that made it: unpublishing the report removes its
changes, and publishing it again asks again against the country's reports as they then
are. Readers only ever see changes through `StatusChange.objects.public()`, which follows
`Report.objects.public()`.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import AlertLevel, Report, StatusChange

REASON_MAX_LENGTH = 500


@dataclass(frozen=True)
class Difference:
    level_from: str
    level_to: str
    stages_added: list
    stages_removed: list

    def __str__(self):
        return StatusChange(**self.__dict__).summary


def difference(*, before, level, stages):
    """How (`level`, stage numbers) differs from the report `before`, or None."""
    if before is None:
        return None
    old = set(before.stages.values_list("number", flat=True))
    new = set(stages)
    if before.alert_level == level and old == new:
        return None
    return Difference(before.alert_level, level, sorted(new - old), sorted(old - new))


def previous_public(report, *, country_id, at):
    """The country's public report that readers had before `report` (public from `at`)."""
    return (
        Report.objects.public()
        .filter(country=country_id, published_at__lte=at)
        .exclude(pk=report.pk)
        .order_by("-published_at", "-pk")
        .first()
    )


def on_publication(report, *, at=None):
    """What publishing `report` (public from `at`) changes in its country's assessment."""
    at = at or timezone.now()
    return difference(
        before=previous_public(report, country_id=report.country_id, at=at),
        level=report.alert_level,
        stages=report.stages.values_list("number", flat=True),
    )


def on_changes(copy, live):
    """What publishing a working copy's changes onto `live` changes: against the live
    report as readers have it when it is public, else (scheduled) as a publication."""
    if not live.is_public:
        return on_publication(copy, at=live.published_at)
    if copy.country_id != live.country_id:
        before = previous_public(live, country_id=copy.country_id, at=timezone.now())
    else:
        before = live
    return difference(
        before=before,
        level=copy.alert_level,
        stages=copy.stages.values_list("number", flat=True),
    )


def check_reason(change, reason):
    """Refuse a step that changes the assessment without a reason."""
    if change is not None and not (reason or "").strip():
        raise ValidationError(
            "This changes the country's assessment (%(change)s): say why, in a sentence "
            "readers will see in the country's change log.",
            code="reason_required",
            params={"change": str(change)},
        )
    if len((reason or "").strip()) > REASON_MAX_LENGTH:
        raise ValidationError(
            "Keep the reason to %(limit)s characters.",
            code="reason_too_long",
            params={"limit": REASON_MAX_LENGTH},
        )


def record_publication(report, change, *, reason):
    """Record the change `report`'s publication makes (replacing that of an earlier
    publication or schedule of it)."""
    StatusChange.objects.filter(report=report, correction__isnull=True).delete()
    if change is None:
        return None
    return StatusChange.objects.create(
        country_id=report.country_id,
        report=report,
        changed_at=report.published_at,
        reason=reason.strip(),
        **change.__dict__,
    )


def record_changes(live, change, *, reason, correction):
    """Record the change published changes made: dated now when the report is public, or
    as its publication when it is still scheduled."""
    if correction is None:
        return record_publication(live, change, reason=reason)
    if change is None:
        return None
    return StatusChange.objects.create(
        country_id=live.country_id,
        report=live,
        correction=correction,
        changed_at=correction.made_at,
        reason=reason.strip(),
        **change.__dict__,
    )


def withdraw(report):
    """Unpublishing a report withdraws the changes it made."""
    StatusChange.objects.filter(report=report).delete()


def level_label(level):
    return AlertLevel(level).label
