from django import forms

from reports.models import Country, Report


class AlertPreferencesForm(forms.Form):
    what = forms.ChoiceField(
        label="What to receive",
        choices=[("all", "Every new report"), ("countries", "Reports on the countries I choose")],
        initial="all",
        widget=forms.RadioSelect,
    )
    countries = forms.ModelMultipleChoiceField(
        label="Countries",
        queryset=Country.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    level_changes_only = forms.BooleanField(
        label="Only when a country's alert level changes",
        required=False,
    )
    submit_label = "Save"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].queryset = Country.objects.filter(
            reports__in=Report.objects.public()
        ).distinct()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("what") == "countries" and not cleaned.get("countries"):
            self.add_error("countries", "Choose at least one country, or “Every new report”.")
        return cleaned

    def preferences(self):
        chosen = self.cleaned_data["what"] == "countries"
        return {
            "all_reports": not chosen,
            "countries": sorted(c.pk for c in self.cleaned_data["countries"]) if chosen else [],
            "level_changes_only": self.cleaned_data["level_changes_only"],
        }

    @classmethod
    def initial_for(cls, subscriber):
        return {
            "what": "all" if subscriber.all_reports else "countries",
            "countries": list(subscriber.countries.all()),
            "level_changes_only": subscriber.level_changes_only,
        }


class SubscribeForm(AlertPreferencesForm):
    email = forms.EmailField(label="Your email address", max_length=254)
    field_order = ["email", "what", "countries", "level_changes_only"]
    submit_label = "Subscribe"

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
