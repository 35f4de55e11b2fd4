"""The organisation's identity (one row of settings) and the pages staff write beside reports.

Both show on every public page (the header, the footer, the social preview), so a change to
either retires every stored page: see genocidewatch/effects.py.
"""

import hashlib

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from genocidewatch.links import link
from genocidewatch.storedfiles import Folder, new_name
from reports.richtext import EDITOR_EXTENSIONS, sanitize_html

from .colours import DEFAULT_ACCENT, ink_on

hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$",
    _("Write the colour as # and six hexadecimal digits, e.g. #0b57a4."),
    code="not_a_colour",
)


def logo_storage_name(instance, filename):
    # Only the checked copy made by pages/logos.py is stored, under a name of ours.
    return new_name(Folder.LOGOS, filename.rsplit(".", 1)[-1] if "." in filename else "bin")


class Identity(models.Model):
    """Who the site belongs to: one row, edited by editors under "Site identity"."""

    SINGLETON = 1

    name = models.CharField(
        max_length=100,
        help_text="The organisation's name, shown at the top of every page, in emails and "
        "when a page is shared.",
    )
    description = models.CharField(
        "short description",
        max_length=300,
        blank=True,
        help_text="One or two sentences on what the organisation does: shown when a page "
        "without a summary of its own is shared, and under the alert emails.",
    )
    logo = models.FileField(
        upload_to=logo_storage_name,
        max_length=200,
        blank=True,
        help_text="SVG or PNG, at most 500 KB. Shown beside the name at the top of every page "
        "and in the emails (a PNG only: many mail programs do not show SVG).",
    )
    logo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    accent_colour = models.CharField(
        "accent colour",
        max_length=7,
        default=DEFAULT_ACCENT,
        validators=[hex_colour],
        help_text="The organisation's colour, e.g. #0b57a4: the band at the top of every page "
        "and the buttons. Text on it is white or black, whichever is easier to read.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site identity"
        verbose_name_plural = "site identity"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="identity_is_a_single_row"),
        ]

    def __str__(self):
        return self.name

    def save(self, **kwargs):
        self.pk = self.SINGLETON
        self.accent_colour = self.accent_colour.lower()
        super().save(**kwargs)

    @classmethod
    def current(cls):
        """The identity as saved, or the defaults before anyone has saved one."""
        return cls.objects.filter(pk=cls.SINGLETON).first() or cls(
            pk=cls.SINGLETON, name=settings.SITE_NAME
        )

    @property
    def accent_ink(self):
        return ink_on(self.accent_colour)

    @property
    def logo_kind(self):
        return self.logo.name.rsplit(".", 1)[-1] if self.logo else ""

    @property
    def version(self):
        """Changes whenever what the logo, the card or the colours show changes."""
        shown = "\x1f".join([self.name, self.description, self.accent_colour, self.logo.name or ""])
        return hashlib.sha256(shown.encode()).hexdigest()[:12]

    def logo_url(self):
        if not self.logo:
            return ""
        return link("pages:logo", version=self.version, extension=self.logo_kind)

    def card_url(self):
        return link("pages:card", version=self.version)

    def accent_url(self):
        return link("pages:accent", version=self.version)


class PageQuerySet(models.QuerySet):
    def public(self):
        """What readers may see: published pages. Nothing else, anywhere."""
        return self.filter(status=Page.Status.PUBLISHED)

    def in_menu(self, menu):
        return self.public().filter(menu=menu).order_by("menu_order", "title")


# Revisions and stored pages follow every change: see genocidewatch/effects.py.
class Page(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "Waiting for review"
        PUBLISHED = "published", "Published"

    class Menu(models.TextChoices):
        HEADER = "header", "Header (top of every page)"
        FOOTER = "footer", "Footer (foot of every page)"
        NONE = "none", "Not in a menu (linked from elsewhere)"

    title = models.CharField(max_length=120, help_text="E.g. “About us”.")
    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text="The page's web address after /pages/. Filled in from the title; avoid "
        "changing it once published, or links to it will break.",
    )
    summary = models.CharField(
        max_length=300,
        blank=True,
        help_text="A sentence shown when the page is shared and by search engines. Plain text.",
    )
    body = ProseEditorField(
        config={"extensions": EDITOR_EXTENSIONS},
        sanitize=sanitize_html,
        blank=True,
        help_text="The page itself. Use headings, lists and links; formatting outside these "
        "is removed when you save.",
    )
    menu = models.CharField(
        max_length=10,
        choices=Menu,
        default=Menu.FOOTER,
        help_text="Where readers find a link to the page once it is published.",
    )
    menu_label = models.CharField(
        "label in the menu",
        max_length=40,
        blank=True,
        help_text="A shorter name for the menu, e.g. “About”. Leave empty to use the title.",
    )
    menu_order = models.PositiveSmallIntegerField(
        "order in the menu", default=0, help_text="Lower numbers come first."
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField("first published", null=True, blank=True)
    review_note = models.TextField(
        "note from the editor",
        blank=True,
        help_text="Why the page was returned to its author, and what to change.",
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

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["menu", "menu_order", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_page_has_publication_time",
            ),
        ]
        permissions = [
            ("submit_page", "Can submit a draft page for review"),
            ("publish_page", "Can publish, unpublish and return pages"),
        ]

    def __str__(self):
        return self.title

    def save(self, **kwargs):
        self.body = sanitize_html(self.body)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(**kwargs)

    def get_absolute_url(self):
        return link("pages:page", slug=self.slug)

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED

    @property
    def label(self):
        return self.menu_label or self.title
