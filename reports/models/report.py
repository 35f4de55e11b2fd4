import uuid

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django_prose_editor.fields import ProseEditorField

from genocidewatch.links import cached_reverse as reverse

from ..images import image_storage_name, process_image
from ..richtext import EDITOR_EXTENSIONS, sanitize_html
from .files import release_stored_file
from .vocabularies import Addressee, AlertLevel, Author, Country, Stage


class ReportQuerySet(models.QuerySet):
    def public(self):
        """The one definition of what the public may see: published and due."""
        # The application's clock, not the database's: one clock decides everywhere (the
        # page, the preview banner, `is_public`), and tests can move it.
        return self.filter(status=Report.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_page(self):
        """Everything a report page shows, in a fixed number of queries."""
        return self.select_related("country").prefetch_related(
            "stages",
            models.Prefetch(
                "recommendations", queryset=Recommendation.objects.select_related("addressee")
            ),
            "attachments",
            models.Prefetch("authorships", queryset=Authorship.objects.select_related("author")),
        )

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


# Every save in the admin or through the workflow keeps a revision of the report together
# with its byline, recommendations and PDF editions. The edit counter stays out of it: a
# restored revision must not bring back an old counter and defeat the stale-edit check.
@reversion.register(
    follow=("authorships", "recommendations", "attachments"),
    exclude=("edit_version", "search_text", "search_vector"),
)
class Report(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"

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
    slug = models.SlugField(
        max_length=200,
        unique=True,
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
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_note = models.TextField(
        "note from the editor",
        blank=True,
        help_text="Why the report was returned to its author, and what to change.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept up to date by reports/search.py from the report, its recommendations and the text
    # of its PDFs: plain text for snippets (and for search on SQLite), and on PostgreSQL a
    # weighted full-text vector with a GIN index.
    search_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    # Raised by one on every save; a form carries the number it was opened with, so a save
    # made on top of someone else's is noticed instead of silently overwriting it.
    edit_version = models.PositiveIntegerField(default=0, editable=False)

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
        ]
        indexes = [
            # Covers the public list's choices and counts (country, year, alert level), so
            # they are read from the index without touching the long rows of text.
            models.Index(
                fields=["status", "-published_at", "country", "year", "alert_level"],
                name="report_public_facets_idx",
            ),
            models.Index(fields=["country", "status", "-published_at"]),
        ]
        permissions = [
            ("submit_report", "Can submit a draft report for review"),
            ("publish_report", "Can publish, schedule, unpublish and return reports"),
        ]

    def __str__(self):
        return self.title

    def save(self, **kwargs):
        self.body = sanitize_html(self.body)
        self._store_new_lead_image()
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(**kwargs)

    def get_absolute_url(self):
        return reverse("reports:detail", kwargs={"slug": self.slug})

    @property
    def headline(self):
        if self.headline_override:
            return self.headline_override
        return f"{self.get_alert_level_display()} Alert: {self.country.name}"

    @property
    def alert(self):
        return AlertLevel(self.alert_level)

    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def state(self):
        """The report's state in words for staff: “Scheduled for 4 Dec 2023, 09:00 UTC”."""
        if self.is_scheduled:
            when = timezone.localtime(self.published_at)
            return f"Scheduled for {when.day} {when:%b %Y, %H:%M} {when.tzname()}"
        return self.get_status_display()

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
        return reverse("reports:image", kwargs={"slug": self.slug, "name": name.rsplit("/", 1)[-1]})

    @property
    def image_names(self):
        """Every stored file of the lead image: the original and its renditions."""
        names = [f["name"] for f in self.lead_image_renditions or []]
        return ([self.lead_image.name] if self.lead_image else []) + names

    def clean(self):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if self.lead_image and not self.lead_image_alt.strip():
            raise ValidationError(
                {"lead_image_alt": "Describe the picture for people who cannot see it."},
                code="alt_required",
            )
        if self.lead_image and not self.lead_image._committed:
            try:
                self._processed_image = process_image(self.lead_image)
            except ValidationError as error:
                raise ValidationError({"lead_image": error}) from error

    def _store_new_lead_image(self):
        """Replace an uploaded image by its clean copy and renditions, and let old ones go."""
        old = None
        if self.pk:
            old = (
                Report.objects.filter(pk=self.pk)
                .values_list("lead_image", "lead_image_renditions")
                .first()
            )
        changed = not self.lead_image or not self.lead_image._committed
        if changed and self.lead_image:
            processed = getattr(self, "_processed_image", None) or process_image(self.lead_image)
            storage = self.lead_image.storage
            stem = uuid.uuid4().hex
            files = []
            for rendition in processed.renditions:
                name = storage.save(
                    f"images/{stem}-{rendition.width}.{rendition.format}",
                    ContentFile(rendition.data),
                )
                files.append(
                    {
                        "format": rendition.format,
                        "width": rendition.width,
                        "height": rendition.height,
                        "name": name,
                    }
                )
            self.lead_image = ContentFile(processed.original, name=f"{stem}.{processed.extension}")
            self.lead_image_renditions = files
            self._processed_image = None
        elif changed:
            self.lead_image_renditions = []
        if changed and old and old[0]:
            for name in [old[0]] + [f["name"] for f in old[1] or []]:
                release_stored_file(self.lead_image.storage, name)


@reversion.register()
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


@reversion.register()
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

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.addressee} {self.text}"
