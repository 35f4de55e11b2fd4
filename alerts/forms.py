from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reports.models import Country, Report


class AlertPreferencesForm(forms.Form):
    what = forms.ChoiceField(
        label=_("What to receive"),
        choices=[
            ("all", _("Every new report")),
            ("countries", _("Reports on the countries I choose")),
        ],
        initial="all",
        widget=forms.RadioSelect,
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Countries"),
        queryset=Country.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    level_changes_only = forms.BooleanField(
        label=_("Only when a country's alert level changes"),
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language of the emails"),
        choices=settings.LANGUAGES,
        required=False,  # then the language of the page the form was sent from
        widget=forms.RadioSelect,
    )
    submit_label = _("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].queryset = Country.objects.filter(
            reports__in=Report.objects.public()
        ).distinct()
        # Each country under its name in the page's language, as on the rest of the site.
        self.fields["countries"].label_from_instance = lambda country: country.local_name

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("what") == "countries" and not cleaned.get("countries"):
            self.add_error("countries", _("Choose at least one country, or “Every new report”."))
        return cleaned

    def preferences(self):
        chosen = self.cleaned_data["what"] == "countries"
        return {
            "all_reports": not chosen,
            "countries": sorted(c.pk for c in self.cleaned_data["countries"]) if chosen else [],
            "level_changes_only": self.cleaned_data["level_changes_only"],
            "language": self.cleaned_data["language"] or get_language(),
        }

    @classmethod
    def initial_for(cls, subscriber):
        return {
            "what": "all" if subscriber.all_reports else "countries",
            "countries": list(subscriber.countries.all()),
            "level_changes_only": subscriber.level_changes_only,
            "language": subscriber.language,
        }


class SubscribeForm(AlertPreferencesForm):
    # Our own message: the API's framework ships a French and Arabic wording of Django's that
    # would otherwise win on every form of the site.
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        error_messages={"invalid": _("Enter a valid email address.")},
    )
    field_order = ["email", "what", "countries", "level_changes_only", "language"]
    submit_label = _("Subscribe")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
