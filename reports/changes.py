"""Pending changes to a published report: a working copy that is edited and reviewed like a
draft while readers keep the approved version, then published onto it in one transaction.

The copy is a report row of its own (`revises` names the live one), so the admin form, its
inlines, revisions and the stale-edit check all work on it unchanged; it is never public
(`public()` needs the published status, which a copy never has). Publishing the changes
copies its content onto the live report, editions updated in place so their addresses stay
the same, and removes the copy.
"""

import uuid

from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils.html import strip_tags
from reversion.models import Version

from . import translations
from .models import (
    Attachment,
    Authorship,
    Recommendation,
    Report,
    StageEvidence,
    release_stored_file,
)

# What the changes may alter. The address (slug), the state and the publication time stay
# the live report's: changing those is a workflow step of its own.
CONTENT_FIELDS = [
    "country",
    "year",
    "alert_level",
    "title",
    "summary",
    "body",
    "headline_override",
    "lead_image",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "lead_image_renditions",
]
EDITION_FIELDS = [
    "file",
    "title",
    "language",
    "original_name",
    "size",
    "page_count",
    "sha256",
    "text",
    "preview_page",
    "preview",
    "preview_width",
    "preview_height",
]


def _value(row, name):
    # A stored file is copied by its name: the same bytes, owned by no row in particular.
    value = getattr(row, name)
    return value.name if isinstance(value, FieldFile) else value


def copy_slug(report):
    # Never one a report could already have: the random part makes it the copy's alone.
    return f"{report.slug[:150]}-pending-changes-{uuid.uuid4().hex[:12]}"


def start_changes(report, *, user):
    """The report's working copy, made from its current text if there is none yet."""
    existing = Report.objects.filter(revises=report).first()
    if existing is not None:
        return existing
    copy = Report(
        **{name: _value(report, name) for name in CONTENT_FIELDS},
        slug=copy_slug(report),
        status=Report.Status.DRAFT,
        revises=report,
        revises_version=report.edit_version,
        # The changes to a translation are a translation too: the admin shows them so.
        language=report.language,
        translation_of_id=report.translation_of_id,
        updated_by=user,
    )
    copy.save()
    copy.stages.set(report.stages.all())
    Authorship.objects.bulk_create(
        Authorship(report=copy, author_id=a.author_id, order=a.order)
        for a in report.authorships.all()
    )
    Recommendation.objects.bulk_create(
        Recommendation(
            report=copy,
            addressee_id=r.addressee_id,
            text=r.text,
            order=r.order,
            carried_over=r.carried_over,
        )
        for r in report.recommendations.all()
    )
    _copy_evidence(report, copy)
    for edition in report.attachments.all():
        clone = Attachment(report=copy, copied_from=edition)
        for name in EDITION_FIELDS:
            setattr(clone, name, _value(edition, name))
        clone.save()
    return copy


def _copy_evidence(source, target):
    StageEvidence.objects.bulk_create(
        StageEvidence(report=target, stage_id=e.stage_id, note=e.note, source=e.source)
        for e in source.stage_evidence.all()
    )


def apply_changes(copy, live):
    """Make the live report say what its working copy says; the caller removes the copy."""
    old_images = set(live.image_names)
    for name in CONTENT_FIELDS:
        setattr(live, name, _value(copy, name))
    live.stages.set(copy.stages.all())
    live.authorships.all().delete()
    Authorship.objects.bulk_create(
        Authorship(report=live, author_id=a.author_id, order=a.order)
        for a in copy.authorships.all()
    )
    live.recommendations.all().delete()
    Recommendation.objects.bulk_create(
        Recommendation(
            report=live,
            addressee_id=r.addressee_id,
            text=r.text,
            order=r.order,
            carried_over=r.carried_over,
        )
        for r in copy.recommendations.all()
    )
    live.stage_evidence.all().delete()
    _copy_evidence(copy, live)
    kept = set()
    for clone in copy.attachments.all():
        edition = live.attachments.filter(pk=clone.copied_from_id).first() or Attachment(
            report=live
        )
        for name in EDITION_FIELDS:
            setattr(edition, name, _value(clone, name))
        edition.save()
        kept.add(edition.pk)
    for dropped in live.attachments.filter(~Q(pk__in=kept)):
        dropped.delete()
    # Saved last: the revision taken on this save follows the byline, recommendations and
    # editions as they now are (rows made in bulk send no signal of their own).
    live.save()
    # Whatever the copy said of what translations share with their original, the
    # original's word stands; a changed original passes its changes on to its translations.
    if live.is_translation:
        translations.follow_original(live)
    else:
        translations.keep_in_step(live)
    storage = Report._meta.get_field("lead_image").storage
    for name in old_images - set(live.image_names):
        release_stored_file(storage, name)
    return live


def discard(copy):
    """Remove a working copy with the history of its drafting: the live report's own
    revision records what was published, and a copy must never be recovered on its own."""
    Version.objects.get_for_object(copy).delete()
    copy.delete()


def differences(live, copy):
    """[(label, old text, new text)] for each part the changes alter, in reading order."""

    def stages(report):
        return ", ".join(f"{s.number} {s.name}" for s in report.stages.all())

    def byline(report):
        return ", ".join(str(a.author) for a in report.authorships.select_related("author"))

    def recommendations(report):
        return "\n".join(
            f"{r.addressee} {r.text}" for r in report.recommendations.select_related("addressee")
        )

    def evidence(report):
        return "\n".join(
            f"Stage {e.stage.number}: {e.note} {e.source}".strip()
            for e in report.stage_evidence.select_related("stage")
        )

    def editions(report):
        return "\n".join(
            f"{e.display_title} ({e.get_language_display()}, {e.original_name}, SHA-256 "
            f"{e.sha256[:12]}…, preview page {e.preview_page})"
            for e in report.attachments.all()
        )

    parts = [
        ("Title", lambda r: r.title),
        ("Headline", lambda r: r.headline),
        ("Country", lambda r: r.country.name),
        ("Year", lambda r: str(r.year)),
        ("Alert level", lambda r: r.get_alert_level_display()),
        ("Summary", lambda r: r.summary),
        ("Text", lambda r: strip_tags(r.body)),
        ("Stages", stages),
        ("Evidence for each stage", evidence),
        ("Byline", byline),
        ("Recommendations", recommendations),
        ("PDF editions", editions),
        ("Lead image", lambda r: r.lead_image.name),
        ("Description of the image", lambda r: r.lead_image_alt),
        ("Caption", lambda r: r.lead_image_caption),
        ("Credit", lambda r: r.lead_image_credit),
    ]
    found = []
    for label, read in parts:
        old, new = read(live), read(copy)
        if old != new:
            found.append((label, old, new))
    return found
