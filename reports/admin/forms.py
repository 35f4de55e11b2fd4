from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django_countries import countries

from .. import changelog, uploads
from ..models import Attachment, Country, Report, Stage, StageEvidence


class CountryChoiceField(forms.ChoiceField):
    """Every ISO 3166 country, picked from a list: nobody types a country's name. A country
    the site has not written about before gets its row (and its address) when the report
    is saved."""

    def __init__(self, **kwargs):
        super().__init__(choices=[("", "---------"), *countries], **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Country):
            return value.code.code
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return Country.objects.filter(pk=value).values_list("code", flat=True).first()
        return value

    def clean(self, value):
        code = super().clean(value)
        return Country.for_code(code) if code else None


class LeadImageInput(forms.ClearableFileInput):
    """The lead image as a picture (its smallest size), not its storage path."""

    template_name = "reports/widgets/lead_image.html"

    def __init__(self, *args, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        files = (
            [f for f in (self.report.lead_image_renditions or []) if f["format"] == "jpg"]
            if self.report is not None
            else []
        )
        if files:
            smallest = min(files, key=lambda f: f["width"])
            context["thumbnail"] = self.report.image_url(smallest["name"])
        return context


class ReportAdminForm(forms.ModelForm):
    """The report form, guarding against one person's save landing on top of another's."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    country = CountryChoiceField(
        help_text="The country the report is about. Every country is in the list; type its "
        "first letters to jump to it."
    )

    class Meta:
        model = Report
        fields = [
            "country",
            "year",
            "alert_level",
            "title",
            "summary",
            "body",
            "stages",
            "lead_image",
            "lead_image_alt",
            "lead_image_caption",
            "lead_image_credit",
            "slug",
            "headline_override",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.edit_version
        # What the check of a newly chosen lead image found, for `save_lead_image`.
        self.processed_image = None
        if "lead_image" in self.fields:
            self.fields["lead_image"].widget = LeadImageInput(
                report=self.instance, attrs={"accept": "image/jpeg,image/png,image/webp"}
            )
        if self.instance.country_id:
            self.initial["country"] = self.instance.country.code.code

        self.evidence_stages = {stage.number: stage for stage in Stage.objects.all()}
        kept = (
            {e.stage.number: e for e in self.instance.stage_evidence.select_related("stage")}
            if self.instance.pk
            else {}
        )
        for number, stage in self.evidence_stages.items():
            note, source = (
                self.fields.get(f"evidence_{number}"),
                self.fields.get(f"source_{number}"),
            )
            if note is None:
                continue
            note.label = f"Why stage {number} ({stage.name})"
            note.widget.attrs["data-evidence-for"] = stage.pk
            source.widget.attrs["data-evidence-for"] = stage.pk
            if number in kept:
                self.initial.setdefault(f"evidence_{number}", kept[number].note)
                self.initial.setdefault(f"source_{number}", kept[number].source)

    def save_evidence(self, report):
        """Keep one evidence note per ticked stage; a stage unticked loses its note."""
        ticked = {stage.pk for stage in report.stages.all()}
        for number, stage in self.evidence_stages.items():
            if f"evidence_{number}" not in self.cleaned_data:
                continue
            note = self.cleaned_data[f"evidence_{number}"].strip()
            source = self.cleaned_data.get(f"source_{number}", "")
            if note and stage.pk in ticked:
                StageEvidence.objects.update_or_create(
                    report=report, stage=stage, defaults={"note": note, "source": source}
                )
            else:
                StageEvidence.objects.filter(report=report, stage=stage).delete()

    def _get_validation_exclusions(self):
        # A country new to the site is saved with the report (ReportAdmin.save_model).
        exclusions = super()._get_validation_exclusions()
        if self.instance.country_id is None and "country" in self.cleaned_data:
            exclusions.add("country")
        return exclusions

    def clean_lead_image(self):
        image = self.cleaned_data.get("lead_image")
        if isinstance(image, UploadedFile):
            try:
                self.processed_image = uploads.check_image(image)
            except ValidationError as error:
                raise forms.ValidationError(error.message_dict["lead_image"]) from error
        return image

    def save_lead_image(self, report):
        """Store a newly chosen lead image (or drop a cleared one) on the report to be saved."""
        if "lead_image" in self.changed_data:
            image = self.cleaned_data.get("lead_image")
            uploads.set_lead_image(report, image or None, processed=self.processed_image)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        # Read under a row lock, inside the admin's transaction: a concurrent save of the
        # same report waits here until this one has finished, then sees its new number.
        current = (
            Report.objects.select_for_update(of=("self",))
            .select_related("updated_by")
            .only("edit_version", "updated_at", "updated_by__username")
            .get(pk=self.instance.pk)
        )
        seen = cleaned.get("seen_version")
        if seen is not None and seen != current.edit_version:
            # The next save goes through: the person has seen this message and merged.
            self.data = self.data.copy()
            self.data[self.add_prefix("seen_version")] = current.edit_version
            who = current.updated_by.get_username() if current.updated_by else "Someone"
            when = date_format(timezone.localtime(current.updated_at), "j N Y, H:i T")
            raise forms.ValidationError(
                format_html(
                    "{} saved this report on {}, after you opened it. Nothing of yours has "
                    "been saved yet: your version is still in the form below. "
                    '<a href="{}" target="_blank" rel="noopener">Open the saved version</a> '
                    "in a new tab, bring its changes into yours, then save again.",
                    who,
                    when,
                    reverse("admin:reports_report_change", args=[self.instance.pk]),
                ),
                code="stale_edit",
            )
        return cleaned


def _evidence_fields():
    fields = {}
    for number in range(1, 11):
        fields[f"evidence_{number}"] = forms.CharField(
            label=f"Why stage {number}",
            required=False,
            max_length=600,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="One or two sentences readers see under the stage: what shows it.",
        )
        fields[f"source_{number}"] = forms.URLField(
            label=f"Source for stage {number}",
            required=False,
            max_length=500,
            assume_scheme="https",
            help_text="Optional: where a reader can check it.",
        )
    return fields


# Declared on the class, so the admin's fieldsets may name them.
for _name, _field in _evidence_fields().items():
    ReportAdminForm.base_fields[_name] = _field
    ReportAdminForm.declared_fields[_name] = _field

EVIDENCE_FIELDS = list(_evidence_fields())


class StepForm(forms.Form):
    """What a workflow step's page asks. A step asking several things gets a form made of
    several of these; each adds its own arguments to the step's."""

    def step_arguments(self):
        return {}


class ReturnForm(StepForm):
    note = forms.CharField(
        label="Note to the author",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What should change before the report can be published.",
    )

    def step_arguments(self):
        return {**super().step_arguments(), "note": self.cleaned_data["note"]}


class ScheduleForm(StepForm):
    publish_at = forms.SplitDateTimeField(
        label="Publish at",
        widget=AdminSplitDateTime,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["publish_at"].help_text = format_html(
            "The report becomes public by itself at this time, read in your time zone: "
            '<strong>{}</strong>. <a href="{}">Change your time zone</a>.',
            zone.replace("_", " "),
            reverse("staff_profile"),
        )

    def clean_publish_at(self):
        publish_at = self.cleaned_data["publish_at"]
        if publish_at <= timezone.now():
            raise forms.ValidationError(
                "Choose a time in the future, or use “Publish now”.", code="past"
            )
        return publish_at

    def step_arguments(self):
        return {**super().step_arguments(), "at": self.cleaned_data["publish_at"]}


class AttachmentForm(forms.ModelForm):
    """A PDF edition: a newly chosen file is checked while the form is validated."""

    class Meta:
        model = Attachment
        fields = ["file", "title", "language", "preview_page"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if isinstance(upload, UploadedFile) and "preview_page" not in self.errors:
            preview_page = cleaned.get("preview_page") or 1
            try:
                facts = uploads.check_pdf(upload, preview_page=preview_page)
            except ValidationError as error:
                self.add_error(None, error)
            else:
                # Facts first, so the model's own checks (the preview page) can use them.
                uploads.attach_pdf(self.instance, upload, facts=facts)
        return cleaned


class CorrectionForm(StepForm):
    # The edit counter of the changes the editor is shown; a save since then is refused.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(
        label="Note for readers",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What changed and why, in a sentence. It is shown under the report with "
        "today's date, e.g. “Corrected the number of people displaced from Mopti.”",
    )
    minor = forms.BooleanField(
        label="This is only a typo fix",
        required=False,
        help_text="Spelling, punctuation or layout: a note may then be left out.",
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("minor") and not cleaned.get("note", "").strip():
            self.add_error(
                "note",
                forms.ValidationError(
                    "Say in a sentence what changed: readers see it under the report. Only a "
                    "typo fix may go without one.",
                    code="note_required",
                ),
            )
        return cleaned

    def step_arguments(self):
        return {
            **super().step_arguments(),
            "note": self.cleaned_data["note"],
            "minor": self.cleaned_data["minor"],
            "seen_version": self.cleaned_data["seen_version"],
        }


class ReasonForm(StepForm):
    """Asked only when the step changes the country's alert level or stages."""

    reason = forms.CharField(
        label="Reason for the change",
        max_length=changelog.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "This changes the country's alert level or stages: say why, in a "
            "sentence readers will see in its change log."
        },
        help_text="Readers see it in the country's change log and in level-change alerts, "
        "with the date, e.g. “Killings of civilians in the centre of the country doubled "
        "since March.”",
    )

    def step_arguments(self):
        return {**super().step_arguments(), "reason": self.cleaned_data["reason"]}
