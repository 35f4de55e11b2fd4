import copy

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.query import ModelIterable
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from genocidewatch.links import link, neutral_link
from genocidewatch.prepared import PreparedQuery

from ..images import image_storage_name
from ..richtext import EDITOR_EXTENSIONS, sanitize_html
from ..times import local_and_utc
from .vocabularies import Addressee, AlertLevel, Author, Country, Stage, choice_name


def staff_member():
    """The staff member who published or saved last; emptied if their account is removed."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def language_choices():
    # A callable, so adding a language to settings.LANGUAGES needs no migration.
    return settings.LANGUAGES


# The words kept for search (the body again, with every PDF's text): no page shows them.
SEARCH_ONLY_FIELDS = ("search_text", "search_vector")


class ReportQuerySet(models.QuerySet):
    def public(self):
        """The one definition of what the public may see: published and due. Originals
        only, one row per report; their public translations are `public_translations()`."""
        return self._due().filter(translation_of__isnull=True)

    def _due(self):
        # The application's clock, not the database's: one clock decides everywhere (the
        # page, the preview banner, `is_public`), and tests can move it.
        return self.filter(status=Report.Status.PUBLISHED, published_at__lte=timezone.now())

    def public_translations(self):
        """Translations readers may see: published and due, and their original public."""
        now = timezone.now()
        return self._due().filter(
            translation_of__status=Report.Status.PUBLISHED,
            translation_of__published_at__lte=now,
            translation_of__translation_of__isnull=True,
        )

    def translations(self):
        """Translations in any state, without the working copies of their changes."""
        return self.filter(translation_of__isnull=False, revises__isnull=True)

    def scheduled(self):
        """Published for a time that has not come yet."""
        return self.filter(status=Report.Status.PUBLISHED, published_at__gt=timezone.now())

    def in_state(self, state):
        """Reports in one of the workflow's states (`Report.State`)."""
        # Originals and translations alike: the admin's filter shows every row in a state.
        match state:
            case Report.State.PUBLIC:
                return self._due()
            case Report.State.SCHEDULED:
                return self.scheduled()
        return self.filter(status=state)

    def visible_to(self, user):
        """What this person may read at the public addresses: staff who may preview see
        every report, everyone else what is public. Originals only: a translation is read
        at its original's address, in its language (`Report.in_language`)."""
        from ..workflow import can_preview

        if can_preview(user):
            return self.filter(translation_of__isnull=True)
        return self.public()

    def for_page(self, parts=True):
        """Everything a report page shows, in a fixed number of queries; not the words kept
        for search (the body again, with every PDF's text), which a page never shows.

        The parts beside the report (stages and their evidence, recommendations, PDF
        editions, authors, updates) are read by `_read_page_parts` when the reports are
        fetched: one plain query per part for all of them, its SQL built once per
        database (genocidewatch/prepared.py), without `prefetch_related`'s general
        machinery: on a page that is mostly these parts, building the queries cost more
        than running them. `parts=False` leaves them for `read_page_parts`."""
        clone = self.select_related("country").defer(*SEARCH_ONLY_FIELDS)
        clone._with_page_parts = parts
        return clone

    def read_page_parts(self, reports, only=None):
        """The page's parts (or `only` some of them) for reports fetched with
        `for_page(parts=False)`, once it is known which of them a page shows."""
        _read_page_parts(reports, only)

    _with_page_parts = False

    def _clone(self):
        clone = super()._clone()
        clone._with_page_parts = self._with_page_parts
        return clone

    def _fetch_all(self):
        fetching = self._result_cache is None
        super()._fetch_all()
        if fetching and self._with_page_parts and self._iterable_class is ModelIterable:
            _read_page_parts(self._result_cache)

    def for_list(self):
        return self.select_related("country").prefetch_related(
            models.Prefetch("authorships", queryset=Authorship.objects.select_related("author")),
        )

    def current(self):
        """Each country's latest public report: what the country's status is now.

        Derived on every read, never stored, so it cannot disagree with the reports.
        """
        latest = (
            Report.objects.public()
            .filter(country=OuterRef("pk"))
            .order_by("-published_at", "-pk")
            .values("pk")[:1]
        )
        return self.filter(
            pk__in=Country.objects.annotate(current=Subquery(latest)).values("current")
        )

    def newest_first(self):
        return self.order_by("-published_at", "-pk")


# What a report page shows beside the report, by relation, with what to read with each.
PAGE_PARTS = {
    "recommendations": ("addressee",),
    "attachments": (),
    "authorships": ("author",),
    "corrections": (),
}


def _part_query(name):
    def build(ids):
        model = Report._meta.get_field(name).related_model
        rows = model._default_manager.filter(report_id__in=ids)
        return rows.select_related(*PAGE_PARTS[name]) if PAGE_PARTS[name] else rows

    return PreparedQuery(build)


def _ticked_stages(ids):
    """The ticked stages of these reports, each with its evidence if there is any."""
    return (
        Report.stages.through.objects.filter(report_id__in=ids)
        .annotate(
            why=models.FilteredRelation(
                "report__stage_evidence",
                condition=Q(report__stage_evidence__stage_id=models.F("stage_id")),
            )
        )
        .values_list("report_id", "stage_id", "why__id", "why__note", "why__source")
    )


# Compiled once per database and number of reports: on a page of few rows, building the
# SQL cost more than running it (genocidewatch/prepared.py).
_PART_QUERIES = {name: _part_query(name) for name in PAGE_PARTS}
_TICKED_STAGES = PreparedQuery(_ticked_stages)
_TRANSLATIONS = PreparedQuery(
    lambda ids: (
        Report.objects.filter(translation_of__in=ids, revises__isnull=True)
        .order_by("language")
        .defer(*SEARCH_ONLY_FIELDS)
    )
)


def _read_page_parts(reports, only=None):
    """Give each report its page's parts, as `prefetch_related` would (`report.stages.all()`
    and the rest read no more), in five queries for any number of reports."""
    if not reports:
        return
    by_id = {report.pk: report for report in reports}
    ids = list(by_id)
    using = reports[0]._state.db
    names = only or ["stages", "stage_evidence", *PAGE_PARTS]
    found = {pk: {name: [] for name in names} for pk in by_id}
    for name, query in _PART_QUERIES.items():
        if name not in names:
            continue
        field = Report._meta.get_field(name).field
        for row in query.rows(ids, using):
            field.set_cached_value(row, by_id[row.report_id])
            found[row.report_id][name].append(row)
    if "stages" in names:
        _read_stages_and_evidence(by_id, found, using)
    for pk, report in by_id.items():
        kept = report.__dict__.setdefault("_prefetched_objects_cache", {})
        for name, rows in found[pk].items():
            kept.pop(name, None)
            queryset = getattr(report, name).get_queryset()
            queryset._result_cache, queryset._prefetch_done = rows, True
            kept[name] = queryset


EVIDENCE_FIELDS = ["id", "report_id", "stage_id", "note", "source"]


def _read_stages_and_evidence(by_id, found, using):
    """The ticked stages of each report, with the evidence for each, in one query. The
    stages themselves are the ten every page shows (`Stage.objects.ten()`), copied so that
    what one report's page sets on a stage stays on its own. Evidence comes for ticked
    stages only: the desk's form keeps none for a stage that is not ticked."""
    from .desk import StageEvidence

    ten = {stage.pk: stage for stage in Stage.objects.ten()}
    ticked = _TICKED_STAGES.rows(list(by_id), using)
    missing = {stage_id for _, stage_id, *_ in ticked if stage_id not in ten}
    if missing:  # a stage added since the ten were kept
        ten.update((stage.pk, stage) for stage in Stage.objects.filter(pk__in=missing))
    for report_id, stage_id, why_id, note, source in sorted(
        ticked, key=lambda row: (ten[row[1]].number, row[1])
    ):
        found[report_id]["stages"].append(copy.copy(ten[stage_id]))
        if why_id is not None:
            why = StageEvidence.from_db(
                using, EVIDENCE_FIELDS, (why_id, report_id, stage_id, note, source)
            )
            StageEvidence.report.field.set_cached_value(why, by_id[report_id])
            found[report_id]["stage_evidence"].append(why)


# Revisions, search and stored pages follow every change: see genocidewatch/effects.py.
class Report(models.Model):
    class Status(models.TextChoices):
        """What is stored. Whether a published report is public yet depends on the time."""

        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")

    class State(models.TextChoices):
        """Where a report is in the workflow now: the status, with "published" told apart
        by the clock into public and scheduled."""

        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("Waiting for review")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLIC = "public", _("Public")

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1945), MaxValueValidator(2100)],
        help_text="The year the report covers, e.g. 2023.",
    )
    alert_level = models.CharField(
        max_length=20,
        choices=AlertLevel,
        help_text="Watch: early signs. Warning: the process is under way. "
        "Emergency: persecution or killing now, or imminent.",
    )
    title = models.CharField(max_length=200, help_text="E.g. “Mali Country Report 2023”.")
    # A translation has its original's slug: readers find it at /fr/reports/<slug>/.
    slug = models.SlugField(
        max_length=200,
        help_text="The report's web address after /reports/. Filled in from the title; "
        "avoid changing it once published, or links to it will break.",
    )
    headline_override = models.CharField(
        "headline",
        max_length=200,
        blank=True,
        help_text="Leave empty for the standard headline, e.g. “Genocide Emergency Alert: Mali”.",
    )
    summary = models.TextField(
        max_length=400,
        help_text="Two or three sentences shown in lists, in search results and when the "
        "report is shared. Plain text.",
    )
    body = ProseEditorField(
        config={"extensions": EDITOR_EXTENSIONS},
        sanitize=sanitize_html,
        blank=True,
        help_text="The report itself. Use headings, lists and links; formatting outside "
        "these is removed when you save.",
    )
    lead_image = models.FileField(
        "lead image",
        upload_to=image_storage_name,
        max_length=200,
        blank=True,
        help_text="A photograph shown at the top of the report: JPEG, PNG or WebP. Location, "
        "camera and other hidden details are removed from it when you save.",
    )
    lead_image_alt = models.CharField(
        "description of the image",
        max_length=300,
        blank=True,
        help_text="What the picture shows, for people who cannot see it. Required with an image.",
    )
    lead_image_caption = models.CharField("caption", max_length=300, blank=True)
    lead_image_credit = models.CharField(
        "credit",
        max_length=200,
        blank=True,
        help_text="Who took the picture, if it is safe to name them.",
    )
    # Sizes made once when the image is saved: [{"format", "width", "name"}, …].
    lead_image_renditions = models.JSONField(default=list, blank=True, editable=False)
    stages = models.ManyToManyField(
        Stage,
        blank=True,
        related_name="reports",
        help_text="The stages of genocide the country is at, according to this report.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        help_text="When the report becomes public; a time in the future schedules it.",
    )
    published_by = staff_member()
    review_note = models.TextField(
        "note from the editor",
        blank=True,
        help_text="Why the report was returned to its author, and what to change.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = staff_member()
    # Kept up to date by reports/search.py from the report, its recommendations and the text
    # of its PDFs: plain text for snippets (and for search on SQLite), and on PostgreSQL a
    # weighted full-text vector with a GIN index.
    search_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    # Raised by one on every save; a form carries the number it was opened with, so a save
    # made on top of someone else's is noticed instead of silently overwriting it.
    edit_version = models.PositiveIntegerField(default=0, editable=False)
    # Set on a working copy: the pending changes to a published report, edited and reviewed
    # like a draft while readers keep the approved version (reports/changes.py).
    revises = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.CASCADE,
        related_name="pending_changes",
    )
    # On a working copy: the live report's edit counter when the copy was made. Publishing
    # the changes is refused if the live report changed since (restored, unpublished…).
    revises_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    language = models.CharField(
        max_length=10,
        choices=language_choices,
        default=settings.LANGUAGE_CODE,
        editable=False,
        help_text="The language this text is written in.",
    )
    # Set on a translation: the report it translates (reports/translations.py). Country,
    # year, alert level, stages, byline and image follow the original's; the words are its own.
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.CASCADE,
        related_name="translations",
    )
    # On an original: whether a translation of it was ever started. Most reports have none,
    # and their pages then skip looking for public translations (one query of the few a
    # page makes). Set by genocidewatch/effects.py and never cleared: a deleted
    # translation leaves it set, which costs only that query; restoring an earlier revision
    # keeps it as it is (it is kept out of revisions: reports/admin/report.py).
    has_translations = models.BooleanField(default=False, editable=False)
    # On an original: a fingerprint of the words translators translate, and when it last
    # changed. On a translation: the original's fingerprint when this text was last
    # published, so a later change to the original is flagged for review.
    text_hash = models.CharField(max_length=64, blank=True, editable=False)
    text_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    translated_from_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_report_has_publication_time",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1945, year__lte=2100), name="report_year_plausible"
            ),
            # Originals own their address; a translation shares its original's.
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(translation_of__isnull=True),
                name="report_slug_unique_among_originals",
            ),
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                condition=Q(translation_of__isnull=False, revises__isnull=True),
                name="one_translation_per_language",
            ),
        ]
        indexes = [
            # Covers the public list's choices and counts (country, year, alert level), so
            # they are read from the index without touching the long rows of text.
            models.Index(
                fields=["status", "-published_at", "country", "year", "alert_level"],
                name="report_public_facets_idx",
            ),
            models.Index(fields=["country", "status", "-published_at"]),
            # The staff list's order (`Meta.ordering`, then the admin's own "-pk"): its page
            # of 100 is read from the index instead of sorting every report for each request.
            models.Index(
                fields=["-published_at", "-created_at", "-id"], name="report_newest_first_idx"
            ),
            # Published originals newest first, with what the sitemap lists of each: its
            # parts (a count, then a slice far into the list) and its latest change are read
            # from this index alone, not from the long rows.
            models.Index(
                fields=["-published_at", "-id", "updated_at", "slug", "language"],
                condition=Q(status="published", translation_of__isnull=True),
                name="report_published_originals_idx",
            ),
        ]
        permissions = [
            ("submit_report", "Can submit a draft report for review"),
            ("publish_report", "Can publish, schedule, unpublish and return reports"),
        ]

    def __str__(self):
        return self.title

    def save(self, **kwargs):
        self.body = sanitize_html(self.body)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            # Published with no time given (the demo loader, the shell): public from now.
            # The workflow always gives one.
            self.published_at = timezone.now()
        super().save(**kwargs)

    def get_absolute_url(self):
        # In the text's own language: a French translation is at /fr/reports/<slug>/.
        with translation.override(self.language):
            return link("reports:detail", slug=self.slug)

    @property
    def is_translation(self):
        return self.translation_of_id is not None

    def public_translation_languages(self):
        """On an original: the languages of its public translations, sorted; none while
        the original itself is not public."""
        if self.is_translation or not self.is_public:
            return []
        return sorted(
            translated.language
            for translated in self.translations_as_read()
            if translated.workflow_state == self.State.PUBLIC
        )

    def translations_as_read(self):
        """On an original: its translations in every state, not the working copies of their
        changes, as its pages read them (without the words kept for search), each knowing
        its original. One query, once per original in hand, none when it has no
        translation; its SQL is built once (genocidewatch/prepared.py)."""
        if "_translations_as_read" not in self.__dict__:
            found = _TRANSLATIONS.rows([self.pk], self._state.db) if self.has_translations else []
            for translated in found:
                Report.translation_of.field.set_cached_value(translated, self)
            self._translations_as_read = found
        return self._translations_as_read

    def in_language(self, code):
        """This report as readers may read it in the language `code`: itself when that is
        its own language, else its public translation into it (or, asked of a
        translation, its public original), or None."""
        if code == self.language:
            return self
        original = self.translation_of_id or self.pk
        if self.translation_of_id and code == self.translation_of.language:
            return Report.objects.public().filter(pk=original).select_related("country").first()
        return (
            Report.objects.public_translations()
            .filter(translation_of=original, language=code)
            .select_related("country", "translation_of")
            .first()
        )

    @property
    def original_changed_at(self):
        """On a published translation: when its original's words changed after this text
        was last published (to be reviewed), or None."""
        original = self.translation_of
        if original is None or not self.translated_from_hash:
            return None
        if original.text_hash and original.text_hash != self.translated_from_hash:
            return original.text_changed_at
        return None

    @property
    def headline(self):
        if self.headline_override:
            return self.headline_override
        return gettext("%(level)s Alert: %(country)s") % {
            "level": self.get_alert_level_display(),
            "country": self.country.local_name,
        }

    @property
    def kind(self):
        """What the report is, as reference managers file it: “Genocide Emergency Alert”."""
        return gettext("%(level)s Alert") % {"level": self.get_alert_level_display()}

    @property
    def full_title(self):
        """Headline and title in one line for shares, feeds and email subjects, the country
        named once: “Genocide Emergency Alert: Mali Country Report 2023”."""
        headline, title = self.headline, self.title
        if title.casefold() in headline.casefold():
            return headline
        if headline.casefold() in title.casefold():
            return title
        if not self.headline_override and self.country.local_name.casefold() in title.casefold():
            return f"{self.kind}: {title}"
        return f"{headline} ({title})"

    @property
    def alert(self):
        return AlertLevel(self.alert_level)

    def get_alert_level_display(self):
        return choice_name(AlertLevel, self.alert_level)

    @property
    def workflow_state(self):
        """The same rule as `public()` and `scheduled()`, for one report in hand."""
        if self.status != self.Status.PUBLISHED or self.published_at is None:
            return self.State(self.status) if self.status else self.State.DRAFT
        if self.published_at > timezone.now():
            return self.State.SCHEDULED
        return self.State.PUBLIC

    @property
    def is_public(self):
        if self.workflow_state != self.State.PUBLIC:
            return False
        return self.translation_of_id is None or self.translation_of.is_public

    @property
    def is_scheduled(self):
        return self.workflow_state == self.State.SCHEDULED

    @property
    def state(self):
        """The report's state in words for staff: “Scheduled for 4 Dec 2023, 09:00 UTC”."""
        state = self.workflow_state
        if state == self.State.SCHEDULED:
            return f"Scheduled for {local_and_utc(self.published_at)}"
        # What `get_status_display()` gives, without the hashing of every translated
        # choice it does on each call: the staff list asks this of a hundred reports.
        status = str(dict(self.Status.choices).get(self.status, self.status))
        if self.is_pending_changes:
            return f"Changes to a published report: {status.lower()}"
        if state == self.State.PUBLIC and not self.is_public:
            return "Published; hidden while the original is not public"
        return status

    @property
    def last_correction(self):
        """The latest change published to this report (read from the prefetched list)."""
        corrections = list(self.corrections.all())
        return corrections[-1] if corrections else None

    @property
    def stages_with_evidence(self):
        """[(stage, evidence or None)] for each ticked stage (read from prefetched lists)."""
        evidence = {e.stage_id: e for e in self.stage_evidence.all()}
        return [(stage, evidence.get(stage.pk)) for stage in self.stages.all()]

    @property
    def is_pending_changes(self):
        return self.revises_id is not None

    @property
    def authors(self):
        return [authorship.author for authorship in self.authorships.all()]

    @property
    def lead_image_sources(self):
        """What the template needs for a responsive <picture>: srcsets and a fallback."""
        files = self.lead_image_renditions or []
        if not self.lead_image or not files:
            return None

        def srcset(fmt):
            return ", ".join(
                f"{self.image_url(f['name'])} {f['width']}w" for f in files if f["format"] == fmt
            )

        jpegs = [f for f in files if f["format"] == "jpg"]
        fallback = jpegs[min(1, len(jpegs) - 1)]
        largest = max(f["width"] for f in files)
        return {
            "webp": srcset("webp"),
            "jpg": srcset("jpg"),
            "src": self.image_url(fallback["name"]),
            "width": largest,
            "height": round(largest * self.lead_image_ratio),
        }

    @property
    def lead_image_ratio(self):
        files = self.lead_image_renditions or []
        return files[0]["height"] / files[0]["width"] if files else 0

    def image_url(self, name):
        return neutral_link("reports:image", slug=self.slug, name=name.rsplit("/", 1)[-1])

    @property
    def image_names(self):
        """Every stored file of the lead image: the original and its renditions."""
        names = [f["name"] for f in self.lead_image_renditions or []]
        return ([self.lead_image.name] if self.lead_image else []) + names

    def clean(self):
        if (
            self.translation_of_id is None
            and self.slug
            and Report.objects.filter(slug=self.slug, translation_of__isnull=True)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError({"slug": "Report with this Slug already exists."}, code="unique")
        if self.lead_image and not self.lead_image_alt.strip():
            raise ValidationError(
                {"lead_image_alt": "Describe the picture for people who cannot see it."},
                code="alt_required",
            )


class Authorship(models.Model):
    """An author's place in a report's byline."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="authorships")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "author"], name="author_once_per_report"),
        ]

    def __str__(self):
        return str(self.author)


class Recommendation(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="recommendations")
    addressee = models.ForeignKey(
        Addressee,
        on_delete=models.PROTECT,
        related_name="recommendations",
        help_text="Who is asked to act.",
    )
    text = models.TextField(
        help_text="What they should do, continuing the sentence after their name: "
        "“should expel all foreign mercenaries.”"
    )
    order = models.PositiveSmallIntegerField(default=0)
    carried_over = models.BooleanField(
        "carried over — review",
        default=False,
        help_text="Copied from last year's report. Untick once you have checked it still stands.",
    )

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.addressee} {self.text}"


class Correction(models.Model):
    """A change published to a live report, with the note readers see about it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="corrections")
    note = models.TextField(
        blank=True,
        help_text="What changed and why, in a sentence readers will see under the report. "
        "May be left empty only for a typo fix.",
    )
    minor = models.BooleanField(
        "typo fix",
        default=False,
        help_text="Spelling, punctuation or layout only: nothing a reader relies on changed.",
    )
    made_at = models.DateTimeField(default=timezone.now)
    made_by = staff_member()

    class Meta:
        ordering = ["made_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minor=True) | ~Q(note=""), name="correction_note_unless_typo_fix"
            ),
        ]

    def __str__(self):
        return self.note or "Typo fix"
