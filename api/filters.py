"""The query parameters of the list operations. Each refuses a value it does not know with a
message naming what it takes, so a typo is a 400 rather than an empty list."""

from datetime import UTC

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from reports.models import (
    Addressee,
    AlertLevel,
    Country,
    Recommendation,
    Report,
    StatusChange,
)

LANGUAGE_CODES = [code for code, _ in settings.LANGUAGES]

STAGE_NUMBERS = [(number, str(number)) for number in range(1, 11)]

# ?sort=… : the value and the ordering it gives; ties always fall back to newest first.
REPORT_SORTS = {
    "-published_at": ("-published_at", "-pk"),
    "published_at": ("published_at", "pk"),
    "-updated_at": ("-updated_at", "-pk"),
    "updated_at": ("updated_at", "pk"),
    "-year": ("-year", "-published_at", "-pk"),
    "year": ("year", "-published_at", "-pk"),
    "country": ("country__name", "-published_at", "-pk"),
    "-country": ("-country__name", "-published_at", "-pk"),
}


class YearField(forms.IntegerField):
    default_error_messages = {
        "invalid": "Give the year as four digits, e.g. 2023.",
        "min_value": "Give the year as four digits, e.g. 2023.",
        "max_value": "Give the year as four digits, e.g. 2023.",
    }

    def __init__(self, **kwargs):
        super().__init__(min_value=1000, max_value=9999, **kwargs)


class YearFilter(filters.NumberFilter):
    field_class = YearField


class SinceField(IsoDateTimeField):
    default_error_messages = {
        "invalid": "Give a date or a time in ISO 8601, e.g. 2026-01-31 or 2026-01-31T09:00:00Z.",
    }

    def to_python(self, value):
        try:
            moment = super().to_python(value)
            # In UTC: PostgreSQL refuses an offset beyond ±15:59, which ISO 8601 allows.
            return moment.astimezone(UTC) if moment is not None else None
        except (OverflowError, ValueError) as error:
            # A time so near year 1 or 9999 that moving it to UTC leaves the calendar.
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


class SinceFilter(filters.IsoDateTimeFilter):
    field_class = SinceField


def slug_of(rows, field_name, listing):
    """A filter taking the slug of one of `rows()`, with a message pointing to `listing`.

    `rows` is called per request: `public()` must be asked at the time of the request (and a
    report that is not public is as unknown here as a slug that never existed)."""
    name = rows().model._meta.verbose_name
    return filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=lambda request: rows(),
        to_field_name="slug",
        error_messages={
            "invalid_choice": f"No {name} '%(value)s'. Use a slug from {listing}.",
        },
        help_text=f"The slug of a {name}, as {listing} gives it.",
    )


class ReportFilter(filters.FilterSet):
    country = slug_of(Country.objects.all, "country", "/api/v1/countries/")
    stage = filters.TypedChoiceFilter(
        field_name="stages__number",
        choices=STAGE_NUMBERS,
        coerce=int,
        error_messages={
            "invalid_choice": "No stage '%(value)s'. Stages are numbered 1 to 10; "
            "see /api/v1/stages/."
        },
        help_text="The number of a stage of genocide (1–10) the report names.",
    )
    alert_level = filters.ChoiceFilter(
        choices=AlertLevel.choices,
        error_messages={
            "invalid_choice": "No alert level '%(value)s'. Use one of: "
            + ", ".join(AlertLevel.values)
            + "."
        },
        help_text="The report's alert level.",
    )
    year = YearFilter(help_text="The year the report covers, e.g. 2023.")
    updated_since = SinceFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Only reports changed at or after this date or time (ISO 8601).",
    )
    sort = filters.ChoiceFilter(
        choices=[(value, value) for value in REPORT_SORTS],
        method="sort_by",
        empty_label=None,
        error_messages={
            "invalid_choice": "Cannot sort by '%(value)s'. Use one of: "
            + ", ".join(REPORT_SORTS)
            + "."
        },
        help_text="The order of the list; newest first (-published_at) when not given.",
    )
    language = filters.ChoiceFilter(
        choices=settings.LANGUAGES,
        method="readable_in",
        error_messages={
            "invalid_choice": "No language '%(value)s'. Use one of: "
            + ", ".join(LANGUAGE_CODES)
            + "."
        },
        help_text="Only reports readers can read in this language: written in it, or with a "
        "public translation into it.",
    )

    class Meta:
        model = Report
        fields = ["country", "stage", "alert_level", "year", "language", "updated_since", "sort"]

    def readable_in(self, queryset, name, value):
        translated = (
            Report.objects.public_translations()
            .filter(language=value, revises__isnull=True)
            .values("translation_of")
        )
        return queryset.filter(Q(language=value) | Q(pk__in=translated))

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*REPORT_SORTS[value])


class RecommendationFilter(filters.FilterSet):
    country = slug_of(Country.objects.all, "report__country", "/api/v1/countries/")
    addressee = slug_of(Addressee.objects.all, "addressee", "/api/v1/addressees/")
    report = slug_of(Report.objects.public, "report", "/api/v1/reports/")

    class Meta:
        model = Recommendation
        fields = ["country", "addressee", "report"]


class ChangeFilter(filters.FilterSet):
    country = slug_of(Country.objects.all, "country", "/api/v1/countries/")
    since = SinceFilter(
        field_name="changed_at",
        lookup_expr="gte",
        help_text="Only changes made public at or after this date or time (ISO 8601).",
    )

    class Meta:
        model = StatusChange
        fields = ["country", "since"]
