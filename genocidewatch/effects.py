"""What saving or deleting each model sets off, declared in one place.

Read top to bottom: which models public pages show (a change retires every stored page),
which ones feed a report's search entry, which ones keep revisions, which stored files go
when their row goes, and that a country's old address is kept when its slug changes.
Every model of the project's own apps is named here, either among
what public pages show or, with a reason, among what they do not: `tests/test_effects.py`
fails for a model in neither list, so a new model cannot be forgotten.

Wired once, by `genocidewatch.apps.GenocideWatchConfig.ready()`, which runs before the admin
registers its classes (this app comes first in INSTALLED_APPS), so django-reversion sees
the registrations below and not defaults of its own.
"""

import reversion
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from alerts.models import Announcement, Delivery, Subscriber
from archive.models import Redirect
from audit.models import AuditEvent
from follow.models import FollowLink
from opendata.models import CapCancellation
from pages.models import Identity, Page
from reports import search
from reports.models import (
    Addressee,
    Attachment,
    Author,
    Authorship,
    Autosave,
    Correction,
    Country,
    DailyCount,
    FormerCountrySlug,
    Recommendation,
    Report,
    Stage,
    StageEvidence,
    StatusChange,
    release_stored_file,
)
from staff.models import StaffProfile

from .pagecache import content_changed

# A change to any of these retires every stored page (and the proxy's copies follow).
SHOWN_ON_PUBLIC_PAGES = (
    Report,
    Report.stages.through,
    Authorship,
    Recommendation,
    Attachment,
    Correction,
    StatusChange,
    StageEvidence,
    Stage,
    Country,
    Addressee,
    Author,
    FollowLink,
    CapCancellation,
    # An old address answers 301 only where no page is; a new one retires any stored page
    # still answering there, so the next reader meets the redirect.
    Redirect,
    # The header, the footer, the accent colour and every page's social preview.
    Identity,
    Page,
)

# Changes to these never show on a public page, so stored pages stay.
NOT_SHOWN = {
    Subscriber: "readers' addresses are private",
    Subscriber.countries.through: "part of a subscriber's choices",
    Announcement: "a record that alerts were sent",
    Delivery: "a record of one email",
    AuditEvent: "staff's audit log",
    FormerCountrySlug: "an old address answers with a redirect, which is never stored",
    Autosave: "an editor's unsaved text, seen by them alone",
    StaffProfile: "a staff member's own settings",
    DailyCount: "readers' counts are shown to staff only",
}

# The report whose search entry a saved or deleted row changes; redone in the same
# transaction, from every write path (admin, workflow, demo loader, shell).
REINDEXES = {
    Report: lambda report: report.pk,
    Recommendation: lambda recommendation: recommendation.report_id,
    Attachment: lambda attachment: attachment.report_id,
}

# Revisions: every save in the admin or through the workflow keeps the report together with
# its byline, recommendations and PDF editions. The edit counter stays out: a restored
# revision must not bring back an old counter and defeat the stale-edit check.
REVISIONS = {
    Report: {
        "follow": ("authorships", "recommendations", "attachments", "stage_evidence"),
        "exclude": (
            "edit_version",
            "search_text",
            "search_vector",
            "text_hash",
            "text_changed_at",
            "has_translations",
        ),
    },
    Authorship: {},
    Recommendation: {},
    StageEvidence: {},
    Attachment: {"exclude": ("text",)},
    # Named on every public page about them; the admin keeps a revision of each change
    # (reports/admin/vocabularies.py).
    Country: {},
    Addressee: {},
    Author: {},
    # Pages staff write keep revisions as reports do (pages/admin.py, pages/workflow.py).
    Page: {},
}


def _retire_pages(sender, action=None, **kwargs):
    content_changed(action)


def _reindex(sender, instance, **kwargs):
    search.refresh(REINDEXES[sender](instance))


def _release_files_of_deleted_attachment(sender, instance, **kwargs):
    # post_delete, not Attachment.delete(): deleting a report removes its attachments
    # through the cascade, which never calls the model's delete().
    for fieldfile in (instance.file, instance.preview):
        if fieldfile:
            release_stored_file(fieldfile.storage, fieldfile.name)


def _keep_former_country_slug(sender, instance, **kwargs):
    """A country's old address keeps leading to it after its slug changes.

    pre_save, not Country.save(): restoring an earlier revision in the admin writes the row
    without calling save(), and the slug it replaces must keep working all the same."""
    if instance.pk is None:
        return
    before = Country.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    if not before or before == instance.slug:
        return
    FormerCountrySlug.objects.update_or_create(
        slug=before, defaults={"country": instance, "replaced_at": timezone.now()}
    )
    # The country has its address back (or takes up one another country left): it is
    # nobody's former address any more.
    FormerCountrySlug.objects.filter(slug=instance.slug).delete()


def _note_translated_original(sender, instance, raw=False, **kwargs):
    """An original with a translation says so (`Report.has_translations`), whichever way the
    translation row was written. Rows loaded raw (a restored backup) are marked together
    once loaded: `translations.mark_translated_originals`."""
    if instance.translation_of_id is None or raw:
        return
    Report.objects.filter(pk=instance.translation_of_id, has_translations=False).update(
        has_translations=True
    )


def wire():
    for model in SHOWN_ON_PUBLIC_PAGES:
        if model._meta.auto_created:
            m2m_changed.connect(_retire_pages, sender=model, dispatch_uid=f"pages-{model}")
            continue
        post_save.connect(_retire_pages, sender=model, dispatch_uid=f"pages-{model}")
        post_delete.connect(_retire_pages, sender=model, dispatch_uid=f"pages-d-{model}")
    for model in REINDEXES:
        post_save.connect(_reindex, sender=model, dispatch_uid=f"search-{model}")
        if model is not Report:  # a deleted report's entry goes with its row
            post_delete.connect(_reindex, sender=model, dispatch_uid=f"search-d-{model}")
    for model, options in REVISIONS.items():
        reversion.register(model, **options)
    post_delete.connect(
        _release_files_of_deleted_attachment, sender=Attachment, dispatch_uid="attachment-files"
    )
    pre_save.connect(_keep_former_country_slug, sender=Country, dispatch_uid="former-slugs")
    post_save.connect(_note_translated_original, sender=Report, dispatch_uid="translated-originals")
