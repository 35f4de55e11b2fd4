from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.db.models import Count

from .models import Addressee, AlertLevel, Country, Report, Stage


def _get_form_helper(*fields, search=None, submit="Show"):
    helper = FormHelper()
    helper.form_method = "get"
    helper.disable_csrf = True
    helper.form_class = "filters"
    helper.attrs = {"role": "search"}
    parts = [Field(search, type="search")] if search else []
    parts += [Div(*fields, css_class="filters__row"), Submit("", submit, css_class="button")]
    helper.layout = Layout(*parts)
    return helper


class ReportFilterForm(forms.Form):
    """The filters and search of /reports/, each choice showing how many reports it gives.

    The counts are facets: each counts the reports that the other filters and the search
    leave, so a reader sees what a choice would give before making it.
    """

    q = forms.CharField(label="Search reports", required=False, max_length=200)
    country = forms.ChoiceField(label="Country", required=False)
    stage = forms.TypedChoiceField(label="Stage of genocide", required=False, coerce=int)
    alert = forms.ChoiceField(label="Alert level", required=False)
    year = forms.TypedChoiceField(label="Year", required=False, coerce=int)

    def __init__(self, data):
        super().__init__(data)
        self.helper = _get_form_helper(
            "country", "stage", "alert", "year", search="q", submit="Show reports"
        )
        public = Report.objects.public()
        self._countries = list(
            Country.objects.filter(pk__in=public.values("country_id")).values_list("slug", "name")
        )
        self._stages = [(s.number, f"{s.number} · {s.name}") for s in Stage.objects.all()]
        self._levels = [(level.value, level.label) for level in AlertLevel]
        self._years = [
            (year, str(year))
            for year in public.order_by("-year").values_list("year", flat=True).distinct()
        ]
        self._set_choices({})

    def _set_choices(self, counts):
        def options(name, values, anything):
            facet = counts.get(name)
            return [("", anything)] + [
                (value, label if facet is None else f"{label} ({facet.get(value, 0)})")
                for value, label in values
            ]

        self.fields["country"].choices = options("country", self._countries, "Any country")
        self.fields["stage"].choices = options("stage", self._stages, "Any stage")
        self.fields["alert"].choices = options("alert", self._levels, "Any alert level")
        self.fields["year"].choices = options("year", self._years, "Any year")

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())

    @property
    def values(self):
        """The filters that were given and are valid; invalid ones show an error instead."""
        cleaned = getattr(self, "cleaned_data", {})
        return {
            name: cleaned[name]
            for name in ("q", "country", "stage", "alert", "year")
            if name in cleaned and cleaned[name] not in ("", None)
        }

    def apply(self, reports, *, skip=None):
        """`reports` narrowed by every given filter except `skip`."""
        lookups = {
            "country": "country__slug",
            "stage": "stages__number",
            "alert": "alert_level",
            "year": "year",
        }
        for name, value in self.values.items():
            if name in lookups and name != skip:
                reports = reports.filter(**{lookups[name]: value})
        return reports

    def count_facets(self, base):
        """Label every choice with its count; `base` is the searched public reports."""
        columns = {
            "country": "country__slug",
            "stage": "stages__number",
            "alert": "alert_level",
            "year": "year",
        }
        counts = {
            name: dict(
                self.apply(base, skip=name)
                .order_by()
                .values_list(column)
                .annotate(n=Count("pk", distinct=True))
            )
            for name, column in columns.items()
        }
        self._set_choices(counts)


class RecommendationFilterForm(forms.Form):
    addressee = forms.ChoiceField(label="Addressed to", required=False)
    country = forms.ChoiceField(label="About", required=False)

    def __init__(self, data):
        super().__init__(data)
        self.helper = _get_form_helper("addressee", "country", submit="Show recommendations")
        public = Report.objects.public()
        self.fields["addressee"].choices = [("", "Anyone")] + list(
            Addressee.objects.filter(recommendations__report__in=public)
            .distinct()
            .values_list("slug", "name")
        )
        self.fields["country"].choices = [("", "Any country")] + list(
            Country.objects.filter(pk__in=public.values("country_id")).values_list("slug", "name")
        )

    def apply(self, recommendations):
        cleaned = getattr(self, "cleaned_data", {})
        if cleaned.get("addressee"):
            recommendations = recommendations.filter(addressee__slug=cleaned["addressee"])
        if cleaned.get("country"):
            recommendations = recommendations.filter(report__country__slug=cleaned["country"])
        return recommendations
