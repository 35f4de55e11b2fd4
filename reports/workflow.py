"""The editorial workflow: one table of steps, and a function named for each.

Draft → In review → Published (public at once, or scheduled for a time), and back. The
table says, for every step, which states it starts from, who may take it, its button, what
it asks first and what it records; the admin draws its buttons, its permission checks and
its state filter from it. Every step checks the person and the state, saves a revision (so
the history shows who did what) and writes an audit event, in one transaction.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from alerts import subscriptions as alerts
from audit.models import AuditEvent, record
from opendata import cap

from . import changelog, changes, checks, translations
from .models import Authorship, Correction, Recommendation, Report

Status = Report.Status
State = Report.State


@dataclass(frozen=True)
class Step:
    name: str
    label: str  # the button under a report
    sources: tuple  # the states (Report.State) it can be taken from
    permission: str
    to: str  # the status it leaves the report in (Report.Status)
    records: str  # the comment of the revision it keeps
    action: str  # the audit event it writes
    # What the step's own page asks first: "note", "time", "correction", and "reason" (why
    # the country's assessment changes), which is asked only when the step changes it
    # (`needs_reason`).
    asks: tuple = ()
    on: str = "both"  # "reports", "changes" (a working copy of a live report) or "both"
    # The author's own act on a text they may change; editors' steps need their permission
    # alone.
    needs_edit_right: bool = False
    run: Callable | None = None  # the function below that takes it
    done: str = ""  # what the person is told once it is taken, in a plain sentence
    # Refused while the checks before publishing (reports/checks.py) find an error.
    checked: bool = False


STEPS = {
    step.name: step
    for step in (
        Step(
            "submit",
            "Submit for review",
            (State.DRAFT,),
            "reports.submit_report",
            Status.IN_REVIEW,
            "Submitted for review.",
            AuditEvent.Action.SUBMIT,
            done="Submitted for review. An editor will read it and publish it or send it back "
            "with a note.",
            needs_edit_right=True,
        ),
        Step(
            "publish",
            "Publish now",
            (State.DRAFT, State.IN_REVIEW, State.SCHEDULED),
            "reports.publish_report",
            Status.PUBLISHED,
            "Published.",
            AuditEvent.Action.PUBLISH,
            asks=("reason",),
            done="Published. Subscribers will be emailed within a minute.",
            checked=True,
            on="reports",
        ),
        Step(
            "schedule",
            "Schedule…",
            (State.DRAFT, State.IN_REVIEW, State.SCHEDULED),
            "reports.publish_report",
            Status.PUBLISHED,
            "Scheduled for {when}.",
            AuditEvent.Action.SCHEDULE,
            asks=("time", "reason"),
            done="Scheduled for {when}. It becomes public by itself then, and subscribers are "
            "emailed.",
            checked=True,
            on="reports",
        ),
        Step(
            "return",
            "Return to the author…",
            (State.IN_REVIEW,),
            "reports.publish_report",
            Status.DRAFT,
            "Returned to the author.",
            AuditEvent.Action.RETURN,
            asks=("note",),
            done="Returned to the author with your note. It is a draft again.",
        ),
        Step(
            "unpublish",
            "Unpublish",
            (State.PUBLIC, State.SCHEDULED),
            "reports.publish_report",
            Status.DRAFT,
            "Unpublished.",
            AuditEvent.Action.UNPUBLISH,
            done="Unpublished. The report and its PDF editions are off the public site; it is "
            "a draft again.",
            on="reports",
        ),
        Step(
            "publish_changes",
            "Publish the changes…",
            (State.DRAFT, State.IN_REVIEW),
            "reports.publish_report",
            Status.PUBLISHED,  # of the live report; the working copy is removed
            "Published changes: {note}",
            AuditEvent.Action.CHANGES_PUBLISHED,
            asks=("correction", "reason"),
            done="The changes are published. Readers see them now, with your note.",
            checked=True,
            on="changes",
        ),
    )
}


def can_edit(user, report):
    """Authors change drafts; editors change drafts and reports in review. Nobody changes a
    published report's row: its changes are made on a working copy and reviewed
    (reports/changes.py), so readers only ever see what an editor approved."""
    if not user.has_perm("reports.change_report"):
        return False
    if report is None or report.status == Status.DRAFT:
        return True
    return report.status == Status.IN_REVIEW and can_publish(user)


def can_publish(user):
    return user.has_perm(STEPS["publish"].permission)


def can_preview(user):
    """Staff who may change reports see drafts and scheduled reports at their public URLs,
    once they have given the second factor their account has or must have: a session
    signed in with the password alone sees what an anonymous reader sees."""
    from staff.policy import second_factor_given  # staff.policy asks this module who publishes

    return (
        user.is_active
        and user.is_staff
        and user.has_perm("reports.change_report")
        and second_factor_given(user)
    )


def may_take(user, step):
    """Whether the person's role allows the step at all, whatever the report's state."""
    return user.has_perm(step.permission)


def _applies(step, report):
    kind = "changes" if report.is_pending_changes else "reports"
    return step.on in ("both", kind) and report.workflow_state in step.sources


def _allowed(step, user, report):
    return may_take(user, step) and (not step.needs_edit_right or can_edit(user, report))


def steps_for(user, report):
    """The steps this person can take on this report now, in the table's order."""
    if report is None:
        return []
    return [
        step for step in STEPS.values() if _applies(step, report) and _allowed(step, user, report)
    ]


def _first_public(report, now):
    return report.published_at if report.published_at and report.published_at <= now else None


def needs_reason(step, report):
    """What taking `step` on the report now would change in its country's assessment (a
    level or stages other than readers had), or None: the reason is asked only then."""
    if "reason" not in step.asks or report.is_translation:
        return None
    if report.is_pending_changes:
        return changelog.on_changes(report, report.revises)
    now = timezone.now()
    return changelog.on_publication(report, at=_first_public(report, now) or now)


# The step the desk offers as a report's one main button, first found in this order.
PRIMARY = ("publish_changes", "publish", "submit")


def primary_step(steps):
    """Of the steps someone can take now, the one that moves the report on."""
    for name in PRIMARY:
        for step in steps:
            if step.name == name:
                return step
    return None


def _check(step, report, user):
    if not _allowed(step, user, report):
        raise PermissionDenied("Your role does not allow this step.")
    if not _applies(step, report):
        raise ValidationError(
            "This report is %(state)s, so this step does not apply to it.",
            code="wrong_state",
            params={"state": report.state.lower()},
        )
    if step.checked:
        found = checks.errors(report)
        if found:
            raise ValidationError(
                [
                    ValidationError(f"{finding.where}: {finding.message}", code=finding.code)
                    for finding in found
                ]
                + [
                    ValidationError(
                        "Fix these first: a report with errors is not published.",
                        code="checks_failed",
                    )
                ]
            )


@transaction.atomic
def _move(step, report, *, user, request, detail="", comment=None, **fields):
    """Take `step` on the report: checked again under a row lock, then its status and
    `fields` saved with a revision and an audit event."""
    locked = Report.objects.select_for_update().get(pk=report.pk)
    _check(step, locked, user)
    locked.status = step.to
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.updated_by = user
    locked.edit_version = F("edit_version") + 1
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment or step.records)
        locked.save()
    locked.refresh_from_db()
    record(step.action, request=request, actor=user, obj=locked, detail=detail)
    return locked


def take(name, report, *, user, request=None, **arguments):
    """Take the step called `name`, with what its page asked for (`note`, `at`)."""
    return STEPS[name].run(report, user=user, request=request, **arguments)


def _takes(*names):
    def attach(function):
        for name in names:
            STEPS[name] = replace(STEPS[name], run=function)
        return function

    return attach


@_takes("submit")
def report_submit(report, *, user, request=None):
    return _move(STEPS["submit"], report, user=user, request=request)


@_takes("return")
def report_return(report, *, user, note, request=None):
    return _move(STEPS["return"], report, user=user, request=request, detail=note, review_note=note)


@_takes("publish", "schedule")
@transaction.atomic
def report_publish(report, *, user, at=None, reason="", request=None):
    """Publish now, or at `at`: a time in the future schedules the report.

    Published again after an unpublish, it keeps the date it was first public from: readers,
    citations and feeds go on naming that date. Only a time the editor gives changes it.
    A level or stages other than the country's previous public report's need a `reason`,
    recorded in the country's change log."""
    now = timezone.now()
    at = at or _first_public(report, now) or now
    scheduled = at > now
    when = timezone.localtime(at)
    step = STEPS["schedule" if scheduled else "publish"]
    _check(step, report, user)  # the role and state first; checked again under the lock
    # A translation says what its original says: the original's publication made the change.
    change = None if report.is_translation else changelog.on_publication(report, at=at)
    changelog.check_reason(change, reason)
    if report.is_translation:
        # What this text was translated from: a later change to the original is flagged.
        translated = {"translated_from_hash": translations.note_text(report.translation_of)}
    else:
        translated = {}
    published = _move(
        step,
        report,
        user=user,
        request=request,
        comment=step.records.format(when=f"{when:%Y-%m-%d %H:%M %Z}"),
        detail=f"Public from {when:%Y-%m-%d %H:%M %Z}",
        published_at=at,
        published_by=user,
        review_note="",
        **translated,
    )
    changelog.record_publication(published, change, reason=reason)
    # Queued when this transaction commits, about this report as just saved: at once, or
    # at its scheduled time. Subscribers hear of a report once, when its original is
    # published; a translation published later announces nothing of its own.
    if not published.is_translation:
        alerts.announce(published)
    return published


@_takes("unpublish")
@transaction.atomic
def report_unpublish(report, *, user, request=None):
    before = Report.objects.select_for_update().get(pk=report.pk)
    unpublished = _move(STEPS["unpublish"], report, user=user, request=request)
    # Warning systems that took its CAP messages are told they no longer stand.
    cap.withdraw(before)
    # The change log never shows a change made by a report readers no longer have.
    changelog.withdraw(unpublished)
    return unpublished


def report_propose_changes(report, *, user, request=None):
    """The working copy on which changes to a published report are written and reviewed."""
    if not user.has_perm("reports.change_report"):
        raise PermissionDenied("Your role does not allow changing reports.")
    if report.status != Status.PUBLISHED or report.is_pending_changes:
        raise ValidationError(
            "Only a published report is changed through pending changes.", code="not_published"
        )
    with transaction.atomic():
        live = Report.objects.select_for_update().get(pk=report.pk)
        existing = Report.objects.filter(revises=live).first()
        if existing is not None:
            return existing
        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment("Pending changes started from the published text.")
            copy = changes.start_changes(live, user=user)
        record(AuditEvent.Action.CHANGES_STARTED, request=request, actor=user, obj=live, detail="")
        return copy


@_takes("publish_changes")
@transaction.atomic
def report_publish_changes(
    copy, *, user, note="", minor=False, reason="", seen_version=None, request=None
):
    """Publish a working copy's changes onto the live report, with a public note (and a
    reason, when they change the country's level or stages).

    `seen_version` is the copy's edit counter when the editor was shown the differences:
    a save made since then is not published unseen."""
    step = STEPS["publish_changes"]
    copy = Report.objects.select_for_update().get(pk=copy.pk)
    _check(step, copy, user)
    if seen_version is not None and seen_version != copy.edit_version:
        raise ValidationError(
            "Someone saved these changes after you opened this page. Look at the differences "
            "again before publishing them.",
            code="changes_saved_since",
        )
    if not minor and not note.strip():
        raise ValidationError(
            "Say in a sentence what changed: readers see it under the report. Only a typo "
            "fix may go without one.",
            code="note_required",
        )
    live = Report.objects.select_for_update().get(pk=copy.revises_id)
    if live.status != Status.PUBLISHED or live.edit_version != copy.revises_version:
        raise ValidationError(
            "The published report has changed since these changes were started (it was "
            "unpublished, published again or restored), so publishing them would undo that. "
            "Delete these changes and propose new ones from its current text.",
            code="live_changed_since",
        )
    change = changelog.on_changes(copy, live)
    changelog.check_reason(change, reason)
    previous_level, previous_country = live.alert_level, live.country_id
    comment = step.records.format(note=note.strip()) if note.strip() else "Published a typo fix."
    live.updated_by = user
    live.edit_version = F("edit_version") + 1
    if live.is_translation:
        # Reviewed against the original as it is now: the "original changed" flag clears.
        live.translated_from_hash = translations.note_text(live.translation_of)
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        changes.apply_changes(copy, live)
    live.refresh_from_db()
    changes.discard(copy)
    if not live.is_public:
        # Scheduled: readers will meet this text first, so there is no update to tell of.
        changelog.record_changes(live, change, reason=reason, correction=None)
        record(step.action, request=request, actor=user, obj=live, detail=comment)
        return live
    correction = Correction.objects.create(
        report=live, note=note.strip(), minor=minor, made_by=user
    )
    changelog.record_changes(live, change, reason=reason, correction=correction)
    # Subscribers hear of a new level only when it is the country's level now: the report
    # is its latest and stays about the same country.
    if (
        live.alert_level != previous_level
        and live.country_id == previous_country
        and Report.objects.current().filter(pk=live.pk).exists()
    ):
        alerts.announce_level_change(correction, previous_level=previous_level)
    record(step.action, request=request, actor=user, obj=live, detail=comment)
    return live


def _next_year_title(report, year):
    old = str(report.year)
    if old in report.title:
        return report.title.replace(old, str(year))
    return f"{report.title} {year}"


def _free_slug(title):
    base = slugify(title)[:180] or "report"
    slug, n = base, 1
    while Report.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def report_start_next_year(report, *, user, request=None):
    """A new draft for the year after a published report: the same country, byline, stages
    and summary, its recommendations carried over to be reviewed, nothing public."""
    if not user.has_perm("reports.add_report"):
        raise PermissionDenied("Your role does not allow writing reports.")
    if report.status != Status.PUBLISHED or report.is_pending_changes:
        raise ValidationError(
            "Next year's report is started from a published report.", code="not_published"
        )
    year = report.year + 1
    title = _next_year_title(report, year)
    with transaction.atomic():
        draft = Report(
            country=report.country,
            year=year,
            alert_level=report.alert_level,
            title=title,
            slug=_free_slug(title),
            summary=report.summary,
            status=Status.DRAFT,
            updated_by=user,
        )
        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(f"Started from the {report.year} report.")
            draft.save()
            draft.stages.set(report.stages.all())
            Authorship.objects.bulk_create(
                Authorship(report=draft, author_id=a.author_id, order=a.order)
                for a in report.authorships.all()
            )
            Recommendation.objects.bulk_create(
                Recommendation(
                    report=draft,
                    addressee_id=r.addressee_id,
                    text=r.text,
                    order=r.order,
                    carried_over=True,
                )
                for r in report.recommendations.all()
            )
            draft.save()  # the revision follows the byline and recommendations just made
        record(
            AuditEvent.Action.ADD,
            request=request,
            actor=user,
            obj=draft,
            detail=f"Started from “{report}”",
        )
    return draft
