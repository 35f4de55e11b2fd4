"""Translations of a report: linked report rows, one per language.

A translation is a report row of its own (`translation_of` names the original, `language`
its language), so it goes through the same workflow, revisions, pending changes and search
as any report, with its own state. Its words are its own: title, summary, body, headline,
the recommendations' text, the image's description and caption. What the report *says about
the country* is the original's and is copied onto each translation whenever the original
changes (`keep_in_step`): country, year, alert level, stages, byline, address, the image
itself and its credit, and which addressees the recommendations go to. Copied rather than
read through the original so that lists, filters, feeds and search work on a translation
exactly as on any report.

Readers meet a translation at its original's address with the language's prefix
(/fr/reports/<slug>/); `Report.objects.public()` never lists one.
"""

import hashlib
import json

import reversion
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from audit.models import AuditEvent, record

from . import search
from .models import Authorship, Recommendation, Report

# Written by the translator.
TEXT_FIELDS = [
    "title",
    "summary",
    "body",
    "headline_override",
    "lead_image_alt",
    "lead_image_caption",
]
# The original's, copied onto every translation.
SHARED_FIELDS = [
    "country",
    "year",
    "alert_level",
    "slug",
    "lead_image",
    "lead_image_credit",
    "lead_image_renditions",
]


def language_name(code):
    """The language's name in English, for staff: "French"."""
    return LANG_INFO.get(code, {}).get("name") or dict(settings.LANGUAGES).get(code, code)


def _value(row, name):
    value = getattr(row, name)
    return value.name if isinstance(value, FieldFile) else value


def fingerprint(report):
    """A digest of the words a translator translates: when it changes, translations are
    flagged for review."""
    words = [getattr(report, name) for name in TEXT_FIELDS]
    words += [[r.addressee_id, r.text] for r in report.recommendations.order_by("order", "id")]
    return hashlib.sha256(json.dumps(words).encode()).hexdigest()


def note_text(original):
    """Record the original's words as they are now; returns its fingerprint."""
    digest = fingerprint(original)
    if digest != original.text_hash:
        # A first fingerprint is no change: the words were there before it was taken.
        changed_at = timezone.now() if original.text_hash else original.updated_at
        Report.objects.filter(pk=original.pk).update(text_hash=digest, text_changed_at=changed_at)
        original.text_hash, original.text_changed_at = digest, changed_at
    return digest


def keep_in_step(original):
    """After the original changed: note its words, and copy what translations share with
    it onto each (their own words stay as they are)."""
    if original.translation_of_id is not None or original.revises_id is not None:
        return
    note_text(original)
    for translated in Report.objects.translations().filter(translation_of=original):
        follow_original(translated, original)


def follow_original(translated, original=None):
    """Copy the original's shared facts onto one translation (or its pending changes).

    Written with queryset updates, outside any revision: the translation's own history
    records what its translator and editor did, not every change to the original."""
    original = original or translated.translation_of
    Report.objects.filter(pk=translated.pk).update(
        **{name: _value(original, name) for name in SHARED_FIELDS if name != "slug"},
        **({} if translated.is_pending_changes else {"slug": original.slug}),
    )
    stages = Report.stages.through
    stages.objects.filter(report=translated).delete()
    stages.objects.bulk_create(
        stages(report_id=translated.pk, stage_id=s.pk) for s in original.stages.all()
    )
    Authorship.objects.filter(report=translated).delete()
    Authorship.objects.bulk_create(
        Authorship(report=translated, author_id=a.author_id, order=a.order)
        for a in original.authorships.all()
    )
    # Recommendations pair up in order: each keeps its translated text and takes the
    # original's addressee; a new one arrives in the original's words, to be translated.
    theirs = list(original.recommendations.order_by("order", "id"))
    ours = list(translated.recommendations.order_by("order", "id"))
    for index, source in enumerate(theirs):
        if index < len(ours):
            Recommendation.objects.filter(pk=ours[index].pk).update(
                addressee_id=source.addressee_id, order=source.order
            )
        else:
            Recommendation.objects.create(
                report=translated,
                addressee_id=source.addressee_id,
                text=source.text,
                order=source.order,
            )
    for extra in ours[len(theirs) :]:
        extra.delete()
    search.refresh(translated.pk)


def can_translate(user):
    return user.has_perm("reports.add_report") and user.has_perm("reports.change_report")


def languages_to_translate(original):
    """The languages the original may still be translated into: [(code, name)]."""
    taken = set(
        Report.objects.translations()
        .filter(translation_of=original)
        .values_list("language", flat=True)
    )
    return [
        (code, language_name(code))
        for code, _ in settings.LANGUAGES
        if code != original.language and code not in taken
    ]


def start_translation(original, *, language, user, request=None):
    """A draft translation of the original into `language`, from its current words."""
    if not can_translate(user):
        raise PermissionDenied("Your role does not allow translating reports.")
    if original.translation_of_id is not None or original.revises_id is not None:
        raise ValidationError(
            "Translate the original report, not a translation or pending changes.",
            code="not_an_original",
        )
    if language == original.language:
        raise ValidationError(
            "The report is already written in %(language)s.",
            code="same_language",
            params={"language": language_name(language)},
        )
    if language not in dict(settings.LANGUAGES):
        raise ValidationError("Choose one of the site's languages.", code="unknown_language")
    with transaction.atomic():
        original = Report.objects.select_for_update().get(pk=original.pk)
        if (
            Report.objects.translations()
            .filter(translation_of=original, language=language)
            .exists()
        ):
            raise ValidationError(
                "This report already has a %(language)s translation.",
                code="already_translated",
                params={"language": language_name(language)},
            )
        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(f"Translation into {language_name(language)} started.")
            translated = create(original, language=language, user=user)
        record(
            AuditEvent.Action.ADD,
            request=request,
            actor=user,
            obj=translated,
            detail=f"Translation into {language_name(language)} of report {original.pk}",
        )
    return translated


def create(original, *, language, user=None):
    """The translation row, a draft in the original's current words (checks are the
    caller's: `start_translation`, or the demo loader)."""
    note_text(original)
    translated = Report(
        **{name: _value(original, name) for name in TEXT_FIELDS + SHARED_FIELDS},
        language=language,
        translation_of=original,
        status=Report.Status.DRAFT,
        updated_by=user,
    )
    translated.save()
    translated.stages.set(original.stages.all())
    Authorship.objects.bulk_create(
        Authorship(report=translated, author_id=a.author_id, order=a.order)
        for a in original.authorships.all()
    )
    Recommendation.objects.bulk_create(
        Recommendation(report=translated, addressee_id=r.addressee_id, text=r.text, order=r.order)
        for r in original.recommendations.all()
    )
    # Saved again so a revision taken around this holds the byline and recommendations.
    translated.save()
    return translated


def localise(reports, language):
    """The reports as readers of `language` read them: each original replaced by its
    public translation into that language where there is one. One query, whatever the
    number of reports and translations; none when every report is already in it.

    The translation borrows what it shares with the original from the original in hand
    (country, stages and byline as prefetched), so a list costs no more queries."""
    reports = list(reports)
    wanted = [r.pk for r in reports if r.language != language]
    if not wanted:
        return reports
    found = {
        t.translation_of_id: t
        for t in Report.objects.public_translations()
        .filter(translation_of__in=wanted, language=language)
        .defer("search_vector")
    }
    return [_borrowing(found[r.pk], r) if r.pk in found else r for r in reports]


def editions_in(editions, language):
    """The PDF editions a reader of `language` is offered: those in it, else all."""
    editions = list(editions)
    return [e for e in editions if e.language == language] or editions


def _borrowing(translated, original):
    translated.translation_of = original
    if Report.country.is_cached(original):
        translated.country = original.country
    cache = getattr(original, "_prefetched_objects_cache", {})
    shared = {name: cache[name] for name in ("stages", "authorships") if name in cache}
    if "attachments" in cache:
        shared["attachments"] = editions_in(cache["attachments"], translated.language)
    if shared:
        translated._prefetched_objects_cache = {
            **getattr(translated, "_prefetched_objects_cache", {}),
            **shared,
        }
    return translated


def mark_translated_originals():
    """Set `has_translations` on every original that has a translation row: after rows were
    written without their signals (a restored backup, bulk loads), in one statement."""
    Report.objects.filter(has_translations=False, translations__isnull=False).update(
        has_translations=True
    )
