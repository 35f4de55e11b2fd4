from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from genocidewatch.links import neutral_link

from ..filenames import attachment_storage_name, preview_storage_name, url_filename
from ..pdfs import inspect_pdf
from .files import release_stored_file
from .report import Report
from .vocabularies import choice_name


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    PORTUGUESE = "pt", _("Portuguese")
    ARABIC = "ar", _("Arabic")
    RUSSIAN = "ru", _("Russian")
    CHINESE = "zh", _("Chinese")
    SWAHILI = "sw", _("Swahili")
    OTHER = "other", _("Another language")


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
    text = models.TextField("text for search", blank=True, editable=False)
    preview_page = models.PositiveSmallIntegerField(
        "preview page",
        default=1,
        validators=[MinValueValidator(1)],
        help_text="Which page readers see as the picture of this edition; usually the cover.",
    )
    preview = models.FileField(
        upload_to=preview_storage_name, max_length=200, blank=True, editable=False
    )
    # The preview's size in pixels, so the page reserves its box before it loads.
    preview_width = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    preview_height = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # On the edition of a working copy (pending changes): the live edition it stands for, so
    # publishing the changes updates that edition in place and its address stays the same.
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.display_title

    def save(self, **kwargs):
        before = Attachment.objects.filter(pk=self.pk).values("file", "preview", "preview_page")
        before = before.first() if self.pk else None
        same_file = before and before["file"] == self.file.name
        if same_file and before["preview_page"] != self.preview_page:
            self._render_preview_of_stored_file()
        super().save(**kwargs)
        for field in ("file", "preview"):
            old = before and before[field]
            if old and old != getattr(self, field).name:
                release_stored_file(self.file.storage, old)

    def get_absolute_url(self):
        return neutral_link(
            "reports:file",
            slug=self.report.slug,
            pk=self.pk,
            filename=self.filename,
        )

    def get_language_display(self):
        return choice_name(Language, self.language)

    @property
    def display_title(self):
        return self.title or self.report.title

    @property
    def filename(self):
        return url_filename(self.original_name)

    PREVIEW_DISPLAY_WIDTH = 96  # CSS pixels, as static/css/site.css draws it

    @property
    def preview_display_height(self):
        """The preview's height at the width the page shows it (A4's shape if unknown)."""
        if self.preview_width and self.preview_height:
            return round(self.PREVIEW_DISPLAY_WIDTH * self.preview_height / self.preview_width)
        return round(self.PREVIEW_DISPLAY_WIDTH * 297 / 210)

    def get_preview_url(self):
        return neutral_link("reports:preview", slug=self.report.slug, pk=self.pk)

    @property
    def download_name(self):
        return self.original_name

    def clean(self):
        if self.page_count and self.preview_page and self.preview_page > self.page_count:
            raise ValidationError(
                {
                    "preview_page": ValidationError(
                        "This edition has %(count)s pages; choose one of them.",
                        code="no_such_page",
                        params={"count": self.page_count},
                    )
                }
            )

    def set_preview(self, facts):
        if facts.preview:
            self.preview_page = facts.preview_page
            self.preview = ContentFile(facts.preview, name="preview.webp")
            self.preview_width, self.preview_height = facts.preview_size or (None, None)
        else:
            self.preview = None
            self.preview_width = self.preview_height = None

    def _render_preview_of_stored_file(self):
        """The editor chose another page: draw it from the stored PDF."""
        with self.file.open("rb") as stored:
            facts = inspect_pdf(stored, preview_page=self.preview_page)
        self.set_preview(facts)
