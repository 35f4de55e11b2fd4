from django import forms
from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Addressee, AlertLevel, Country, Report, Stage


class FacetSelect(forms.Select):
    """A select whose choices that would show nothing are greyed out and cannot be picked.

    A choice already made stays selectable: a disabled selected option is not submitted,
    so the reader's choice would vanish the next time they press the button.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unavailable = set()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.unavailable and not selected:
            option["attrs"]["disabled"] = True
        return option


def facet_choices(field, values, anything, facet):
    """Give `field` its choices, each labelled with its count when `facet` counts them."""
    field.widget.unavailable = set()
    choices = [("", anything)]
    for value, label in values:
        if facet is None:
            choices.append((value, label))
        elif facet.get(value, 0):
            choices.append(
                (value, gettext("%(label)s (%(count)s)") % {"label": label, "count": facet[value]})
            )
        else:
            choices.append(
                (value, gettext("%(label)s (0, none with your other choices)") % {"label": label})
            )
            field.widget.unavailable.add(str(value))
    field.choices = choices


class SearchInput(forms.TextInput):
    input_type = "search"


class ReportFilterForm(forms.Form):
    """The filters and search of /reports/, each choice showing how many reports it gives.

    The counts are facets: each counts the reports that the other filters and the search
    leave, so a reader sees what a choice would give before making it.
    """

    q = forms.CharField(
        label=_("Search reports"), required=False, max_length=200, widget=SearchInput
    )
    submit_label = _("Show reports")
    country = forms.ChoiceField(label=_("Country"), required=False, widget=FacetSelect)
    stage = forms.TypedChoiceField(
        label=_("Stage of genocide"), required=False, coerce=int, widget=FacetSelect
    )
    alert = forms.ChoiceField(label=_("Alert level"), required=False, widget=FacetSelect)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, widget=FacetSelect)

    def __init__(self, data):
        super().__init__(data)
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
        for name, values, anything in [
            ("country", self._countries, _("Any country")),
            ("stage", self._stages, _("Any stage")),
            ("alert", self._levels, _("Any alert level")),
            ("year", self._years, _("Any year")),
        ]:
            facet_choices(self.fields[name], values, anything, counts.get(name))

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
        """Label every choice with its count, and set `total`, the number of reports the
        filters give; `base` is the searched public reports."""
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
        # Every report has one alert level, so the alert facet has counted the list too.
        by_level = counts["alert"]
        chosen = self.values.get("alert")
        self.total = by_level.get(chosen, 0) if chosen else sum(by_level.values())


class RecommendationFilterForm(forms.Form):
    """The filters of /recommendations/, each choice counted under the other filter."""

    addressee = forms.ChoiceField(label=_("Addressed to"), required=False, widget=FacetSelect)
    country = forms.ChoiceField(label=_("About"), required=False, widget=FacetSelect)

    LOOKUPS = {"addressee": "addressee__slug", "country": "report__country__slug"}
    submit_label = _("Show recommendations")

    def __init__(self, data):
        super().__init__(data)
        public = Report.objects.public()
        self._addressees = list(
            Addressee.objects.filter(recommendations__report__in=public)
            .distinct()
            .values_list("slug", "name")
        )
        self._countries = list(
            Country.objects.filter(pk__in=public.values("country_id")).values_list("slug", "name")
        )
        self._set_choices({})

    def _set_choices(self, counts):
        facet_choices(
            self.fields["addressee"], self._addressees, _("Anyone"), counts.get("addressee")
        )
        facet_choices(
            self.fields["country"], self._countries, _("Any country"), counts.get("country")
        )

    def apply(self, recommendations, *, skip=None):
        cleaned = getattr(self, "cleaned_data", {})
        for name, lookup in self.LOOKUPS.items():
            if cleaned.get(name) and name != skip:
                recommendations = recommendations.filter(**{lookup: cleaned[name]})
        return recommendations

    def count_facets(self, base):
        """Label every choice with its count; `base` is the public recommendations."""
        self._set_choices(
            {
                name: dict(
                    self.apply(base, skip=name)
                    .order_by()
                    .values_list(column)
                    .annotate(n=Count("pk"))
                )
                for name, column in self.LOOKUPS.items()
            }
        )
