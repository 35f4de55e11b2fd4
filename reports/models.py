from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_countries.fields import CountryField
from django_prose_editor.fields import ProseEditorField

from .filenames import attachment_storage_name, clean_original_name, url_filename
from .pdfs import inspect_pdf
from .richtext import EDITOR_EXTENSIONS, sanitize_html


def delete_stored_file_on_commit(storage, name):
    # Only once the database agrees: a rolled-back change must still find its file.
    transaction.on_commit(lambda: storage.delete(name))


class Stage(models.Model):
    """One of the ten stages of genocide. The rows come from a migration; staff edit the words."""

    number = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(
        help_text="A short explanation of this stage for readers, in plain words."
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=10), name="stage_number_1_to_10"
            ),
        ]

    def __str__(self):
        return f"{self.number} · {self.name}"

    def get_absolute_url(self):
        return reverse("reports:stage", kwargs={"number": self.number})


class Country(models.Model):
    code = CountryField(unique=True, help_text="The country this is, from the ISO list.")
    name = models.CharField(
        max_length=100,
        blank=True,
        help_text="How the site names the country. Leave empty to use the standard name.",
    )
    slug = models.SlugField(
        max_length=100,
        unique=True,
        blank=True,
        help_text="The country's part of web addresses, e.g. “mali”. Leave empty to make it "
        "from the name.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name

    def save(self, **kwargs):
        self._fill_in_name_and_slug()
        super().save(**kwargs)

    def clean(self):
        # Before the uniqueness checks run, so a clash shows as a message beside the field.
        self._fill_in_name_and_slug()

    def _fill_in_name_and_slug(self):
        if not self.name and self.code:
            self.name = self.code.name
        if not self.slug:
            self.slug = slugify(self.name)


class Addressee(models.Model):
    """Someone the organisation makes recommendations to, followed across reports."""

    class Kind(models.TextChoices):
        STATE = "state", "State or government"
        UN_BODY = "un_body", "United Nations body"
        COURT = "court", "Court or tribunal"
        REGIONAL = "regional", "Regional organisation"
        OTHER = "other", "Other"

    name = models.CharField(
        max_length=150,
        unique=True,
        help_text="As it begins a sentence, e.g. “The UN Security Council”.",
    )
    slug = models.SlugField(max_length=150, unique=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.OTHER)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Author(models.Model):
    name = models.CharField(
        max_length=150, unique=True, help_text="Full name as it appears in the byline."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AlertLevel(models.TextChoices):
    WATCH = "watch", "Genocide Watch"
    WARNING = "warning", "Genocide Warning"
    EMERGENCY = "emergency", "Genocide Emergency"

    @property
    def description(self):
        return ALERT_LEVEL_DESCRIPTIONS[self]


ALERT_LEVEL_DESCRIPTIONS = {
    AlertLevel.WATCH: (
        "Early signs are present: people are being sorted into “us” and “them”, and "
        "discrimination or dehumanising speech is taking hold."
    ),
    AlertLevel.WARNING: (
        "The process is under way: groups are organising, society is being polarised and "
        "preparations for violence against a group can be seen."
    ),
    AlertLevel.EMERGENCY: (
        "A group is being persecuted or killed now, or mass killing is imminent: "
        "action is needed at once."
    ),
}


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


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    FRENCH = "fr", "French"
    SPANISH = "es", "Spanish"
    PORTUGUESE = "pt", "Portuguese"
    ARABIC = "ar", "Arabic"
    RUSSIAN = "ru", "Russian"
    CHINESE = "zh", "Chinese"
    SWAHILI = "sw", "Swahili"
    OTHER = "other", "Another language"


class Attachment(models.Model):
    """A PDF edition of a report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        upload_to=attachment_storage_name,
        max_length=200,
        help_text="The PDF edition. Up to the size limit; not password-protected.",
    )
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="What readers see on the download link. Leave empty to use the report title.",
    )
    language = models.CharField(
        max_length=10,
        choices=Language,
        default=Language.ENGLISH,
        help_text="The language of this edition.",
    )
    original_name = models.CharField(max_length=200, editable=False)
    size = models.PositiveBigIntegerField("size in bytes", editable=False)
    page_count = models.PositiveIntegerField(editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.display_title

    def save(self, **kwargs):
        self._record_new_file()
        replaced = None
        if self.pk and not self.file._committed:
            stored = Attachment.objects.filter(pk=self.pk).values_list("file", flat=True)
            replaced = stored.first()
        super().save(**kwargs)
        if replaced and replaced != self.file.name:
            delete_stored_file_on_commit(self.file.storage, replaced)

    def get_absolute_url(self):
        return reverse(
            "reports:file",
            kwargs={"slug": self.report.slug, "pk": self.pk, "filename": self.filename},
        )

    @property
    def display_title(self):
        return self.title or self.report.title

    @property
    def filename(self):
        return url_filename(self.original_name)

    def clean(self):
        self._record_new_file()

    def _record_new_file(self):
        """Check a newly chosen file and record its facts; a stored file is left as it is."""
        if not self.file or self.file._committed:
            return
        if getattr(self, "_inspected", None) is self.file.file:
            return
        try:
            facts = inspect_pdf(self.file)
        except ValidationError as error:
            raise ValidationError({"file": error}) from error
        self.original_name = clean_original_name(self.file.name)
        self.size, self.page_count, self.sha256 = facts.size, facts.page_count, facts.sha256
        self._inspected = self.file.file
