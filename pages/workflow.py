"""The pages' workflow: Draft → In review → Published, and back, with the reports' roles.

reports/workflow.py is not reused as it stands: its table is bound to what only reports have
(scheduling, pending changes on a working copy, subscriber alerts, the report's own row
lock). This is the same table, smaller: Authors write drafts and submit them; Editors
publish, return with a note and unpublish. Each step checks the person and the state, keeps
a revision and writes an audit event, in one transaction.

One difference, on purpose: an editor may change a published page in place. A report's
changes are reviewed on a copy because a report is evidence that others cite; a page such as
"Donate" is the organisation's own, and an editor's save is already an editor's approval.
Authors never change a published page.
"""

from dataclasses import dataclass

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent, record

from .models import Page

Status = Page.Status


@dataclass(frozen=True)
class Step:
    name: str
    label: str  # the button under a page: "Save and …"
    sources: tuple  # the statuses it can be taken from
    permission: str
    to: str
    records: str  # the comment of the revision it keeps
    action: str  # the audit event it writes
    needs_edit_right: bool = False


STEPS = {
    step.name: step
    for step in (
        Step(
            "submit",
            "Submit for review",
            (Status.DRAFT,),
            "pages.submit_page",
            Status.IN_REVIEW,
            "Submitted for review.",
            AuditEvent.Action.SUBMIT,
            needs_edit_right=True,
        ),
        Step(
            "publish",
            "Publish",
            (Status.DRAFT, Status.IN_REVIEW),
            "pages.publish_page",
            Status.PUBLISHED,
            "Published.",
            AuditEvent.Action.PUBLISH,
        ),
        Step(
            "return",
            "Return to the author",
            (Status.IN_REVIEW,),
            "pages.publish_page",
            Status.DRAFT,
            "Returned to the author.",
            AuditEvent.Action.RETURN,
        ),
        Step(
            "unpublish",
            "Unpublish",
            (Status.PUBLISHED,),
            "pages.publish_page",
            Status.DRAFT,
            "Unpublished.",
            AuditEvent.Action.UNPUBLISH,
        ),
    )
}


def can_publish(user):
    return user.has_perm("pages.publish_page")


def can_edit(user, page):
    """Authors change drafts; editors change pages in any state."""
    if not user.has_perm("pages.change_page"):
        return False
    return page is None or page.status == Status.DRAFT or can_publish(user)


def can_preview(user):
    """Staff who may change pages read drafts at their public address, once they have given
    the second factor their account has or must have (as for reports)."""
    from staff.policy import second_factor_given

    return (
        user.is_active
        and user.is_staff
        and user.has_perm("pages.change_page")
        and second_factor_given(user)
    )


def _allowed(step, user, page):
    return user.has_perm(step.permission) and (not step.needs_edit_right or can_edit(user, page))


def steps_for(user, page):
    if page is None:
        return []
    return [s for s in STEPS.values() if page.status in s.sources and _allowed(s, user, page)]


@transaction.atomic
def take(name, page, *, user, request=None):
    """Take the step called `name`. Returning a page sends the editor's note saved on it."""
    step = STEPS[name]
    locked = Page.objects.select_for_update().get(pk=page.pk)
    if not _allowed(step, user, locked):
        raise PermissionDenied("Your role does not allow this step.")
    if locked.status not in step.sources:
        raise ValidationError(
            "This page is %(state)s, so this step does not apply to it.",
            code="wrong_state",
            params={"state": locked.get_status_display().lower()},
        )
    if step.name == "return" and not locked.review_note.strip():
        raise ValidationError(
            "Write a note for the author (what to change) before returning the page.",
            code="note_required",
        )
    locked.status = step.to
    if step.to == Status.PUBLISHED:
        locked.published_at = locked.published_at or timezone.now()
        locked.review_note = ""
    locked.updated_by = user
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(step.records)
        locked.save()
    record(step.action, request=request, actor=user, obj=locked, detail=locked.review_note)
    return locked
