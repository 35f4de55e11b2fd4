from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django_prose_editor.fields import ProseEditorField

from ..richtext import EDITOR_EXTENSIONS, sanitize_html
from .vocabularies import Addressee, AlertLevel, Author, Country, Stage


class ReportQuerySet(models.QuerySet):
    def public(self):
        """The one definition of what the public may see: published and due."""
        return self.filter(status=Report.Status.PUBLISHED, published_at__lte=Now())

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


class Report(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
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
        help_text="When the report becomes public. Leave empty to publish now; a time in "
        "the future schedules it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="published_report_has_publication_time",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1945, year__lte=2100), name="report_year_plausible"
            ),
        ]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self):
        return self.title

    def save(self, **kwargs):
        self.body = sanitize_html(self.body)
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
    def authors(self):
        return [authorship.author for authorship in self.authorships.all()]

    def clean(self):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()


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

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.addressee} {self.text}"
