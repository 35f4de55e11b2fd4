"""The fixed and staff-edited vocabularies reports are tagged with."""

from functools import lru_cache

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from genocidewatch.links import link


def choice_name(choices, value):
    """The name of `value` among `choices` (a TextChoices) in the reader's language, else the
    value itself. Django's `get_FOO_display` translates the name of every choice on each call;
    a page asks for the same names a dozen times."""
    return _choice_name(choices, value, get_language())


@lru_cache(maxsize=256)
def _choice_name(choices, value, reader_language):
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class TranslatedNames(models.Model):
    """Words of a vocabulary row in the site's other languages, written by staff.

    Kept as {"fr": {"name": …}, "ar": {…}} in one JSON column, so adding a language to
    settings.LANGUAGES needs no migration: the admin offers a field per language and per
    translated word (reports/admin/vocabularies.py). Pages read `local_name` & co.
    """

    TRANSLATED = ("name",)

    # db_default too: rows written by older migrations, which know nothing of it, get {}.
    translations = models.JSONField(default=dict, db_default={}, blank=True, editable=False)

    class Meta:
        abstract = True

    def translated(self, field, language=None):
        """The word in `language` (the active one by default), else the stored one."""
        language = language or get_language() or settings.LANGUAGE_CODE
        if language != settings.LANGUAGE_CODE:
            value = (self.translations or {}).get(language, {}).get(field)
            if value:
                return value
        return getattr(self, field)

    @property
    def local_name(self):
        return self.translated("name")


class StageManager(models.Manager):
    def get_by_natural_key(self, number):
        return self.get(number=number)

    def ten(self):
        """The ten stages in order, as stage bars and grids show them: kept beside the
        stored pages (staff may edit their words, which retires both)."""
        from genocidewatch.pagecache import kept_with_content

        return kept_with_content("ten-stages", lambda: list(self.order_by("number")))


class Stage(TranslatedNames):
    """One of the ten stages of genocide. The rows come from a migration; staff edit the words."""

    TRANSLATED = ("name", "description")

    number = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(
        help_text="A short explanation of this stage for readers, in plain words."
    )

    objects = StageManager()

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
        return link("reports:stage", number=self.number)

    @property
    def local_description(self):
        return self.translated("description")

    def natural_key(self):
        # Every instance has the same ten stages, made by a migration: a backup names them
        # by number, so they match whatever database keys the new instance gave them.
        return (self.number,)


class Country(TranslatedNames):
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
        "from the name. If you change it, the old address sends readers on to the new one.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name

    def save(self, **kwargs):
        self._fill_in_name_and_slug()
        super().save(**kwargs)

    def get_absolute_url(self):
        return link("reports:country", slug=self.slug)

    def translated(self, field, language=None):
        # A country left with its standard name takes the standard one of the language
        # too (django-countries' translations), unless staff wrote their own.
        language = language or get_language() or settings.LANGUAGE_CODE
        value = super().translated(field, language)
        if language == settings.LANGUAGE_CODE or field != "name" or value != self.name:
            return value
        if self.code and self.name == self._english():
            with translation.override(language):
                return str(self.code.name)
        return value

    def _english(self):
        with translation.override(settings.LANGUAGE_CODE):
            return str(self.code.name)

    def clean(self):
        # Before the uniqueness checks run, so a clash shows as a message beside the field.
        self._fill_in_name_and_slug()

    def _fill_in_name_and_slug(self):
        if not self.name and self.code:
            # The standard name in the site's own language, whatever language the person
            # saving it reads (a country's name in other languages is looked up as shown).
            self.name = self._english()
        if not self.slug:
            self.slug = slugify(self.name)

    @classmethod
    def for_code(cls, code):
        """The country with this ISO code: its row if the site has one, else a new row
        (unsaved) named from the ISO list, with an address no country has or had."""
        existing = cls.objects.filter(code=code).first()
        if existing is not None:
            return existing
        country = cls(code=code)
        country._fill_in_name_and_slug()
        taken = {
            *cls.objects.filter(slug__startswith=country.slug).values_list("slug", flat=True),
            *FormerCountrySlug.objects.filter(slug__startswith=country.slug).values_list(
                "slug", flat=True
            ),
        }
        if country.slug in taken:
            country.slug = f"{country.slug}-{code.lower()}"
        return country


class FormerCountrySlug(models.Model):
    """An address a country had before its slug changed, so old links lead to it still.

    Consulted only when no country has the slug now: a slug taken up again belongs to the
    country that holds it.
    """

    slug = models.SlugField(max_length=100, unique=True)
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="former_slugs")
    replaced_at = models.DateTimeField("replaced", default=timezone.now)

    class Meta:
        ordering = ["-replaced_at"]

    def __str__(self):
        return self.slug

    @classmethod
    def country_for(cls, slug):
        """The country that once had this slug, or None."""
        former = cls.objects.select_related("country").filter(slug=slug).first()
        return former.country if former else None


class Addressee(TranslatedNames):
    """Someone the organisation makes recommendations to, followed across reports."""

    class Kind(models.TextChoices):
        STATE = "state", _("State or government")
        UN_BODY = "un_body", _("United Nations body")
        COURT = "court", _("Court or tribunal")
        REGIONAL = "regional", _("Regional organisation")
        OTHER = "other", _("Other")

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

    def get_absolute_url(self):
        return link("reports:addressee", slug=self.slug)


class Author(models.Model):
    name = models.CharField(
        max_length=150, unique=True, help_text="Full name as it appears in the byline."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AlertLevel(models.TextChoices):
    WATCH = "watch", _("Genocide Watch")
    WARNING = "warning", _("Genocide Warning")
    EMERGENCY = "emergency", _("Genocide Emergency")

    @property
    def description(self):
        return str(ALERT_LEVEL_DESCRIPTIONS[self])  # in the language active now


ALERT_LEVEL_DESCRIPTIONS = {
    AlertLevel.WATCH: _(
        "Early signs are present: people are being sorted into “us” and “them”, and "
        "discrimination or dehumanising speech is taking hold."
    ),
    AlertLevel.WARNING: _(
        "The process is under way: groups are organising, society is being polarised and "
        "preparations for violence against a group can be seen."
    ),
    AlertLevel.EMERGENCY: _(
        "A group is being persecuted or killed now, or mass killing is imminent: "
        "action is needed at once."
    ),
}
