from django.contrib import admin
from django.forms import BaseInlineFormSet, CheckboxSelectMultiple, FileInput
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import format_html

from .models import (
    Addressee,
    Attachment,
    Author,
    Authorship,
    Country,
    Recommendation,
    Report,
    Stage,
)


class NamedControlsMixin:
    """Table rows of an inline have no <label>s; name each control for screen readers."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            formfield.widget.attrs.setdefault("aria-label", str(formfield.label))
        return formfield


class BylineFormSet(BaseInlineFormSet):
    default_error_messages = {
        "too_few_forms": "Add at least one author: every report carries a byline.",
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = "Remove this author"


class AuthorshipInline(NamedControlsMixin, admin.TabularInline):
    model = Authorship
    formset = BylineFormSet
    autocomplete_fields = ["author"]
    fields = ["author", "order"]
    extra = 0
    min_num = 1
    verbose_name = "author"
    verbose_name_plural = "Byline (one or more authors, in order)"

    def get_formset(self, request, obj=None, **kwargs):
        # The admin shows min_num empty rows but does not enforce them unless asked.
        return super().get_formset(request, obj, validate_min=True, **kwargs)


class RecommendationInline(admin.StackedInline):
    model = Recommendation
    autocomplete_fields = ["addressee"]
    fields = [("addressee", "order"), "text"]
    extra = 0
    verbose_name_plural = "Recommendations (each addressed to someone)"


class AttachmentInline(admin.StackedInline):
    model = Attachment
    fields = ["file", ("title", "language"), "facts"]
    readonly_fields = ["facts"]
    extra = 0
    verbose_name = "PDF edition"
    verbose_name_plural = "PDF editions"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "file":
            # A plain file input: the stored file is described under "File details", with a
            # link that works, instead of the default widget's raw storage path.
            kwargs["widget"] = FileInput(attrs={"accept": "application/pdf,.pdf"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="File details")
    def facts(self, attachment):
        if not attachment.pk:
            return "Filled in when you save."
        pages = f"{attachment.page_count} page{'s' if attachment.page_count != 1 else ''}"
        return format_html(
            '<a href="{}">{}</a> · {} · {}. Choose a file above only to replace it.',
            attachment.get_absolute_url(),
            attachment.original_name,
            pages,
            filesizeformat(attachment.size),
        )


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["title", "country", "alert_level", "state", "published_at"]
    list_filter = ["status", "alert_level", "country", "year", "stages"]
    list_select_related = ["country"]
    search_fields = ["title", "summary", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["country"]
    inlines = [AuthorshipInline, RecommendationInline, AttachmentInline]
    fieldsets = [
        (
            "What the report is",
            {"fields": ["country", "year", "alert_level", "title", "summary"]},
        ),
        ("Text", {"fields": ["body"]}),
        (
            "Stages of genocide",
            {
                "fields": ["stages"],
                "description": "Tick every stage the country is at according to this report.",
            },
        ),
        (
            "Publication",
            {
                "fields": ["status", "published_at"],
                "description": "Only published reports whose publication time has come are "
                "public. Drafts can be previewed at their address by staff.",
            },
        ),
        (
            "Advanced",
            {"fields": ["slug", "headline_override"], "classes": ["collapse"]},
        ),
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "stages":
            kwargs["widget"] = CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="State", ordering="status")
    def state(self, report):
        if report.status == Report.Status.PUBLISHED and report.published_at > timezone.now():
            local = timezone.localtime(report.published_at)
            return f"Scheduled for {local:%Y-%m-%d %H:%M %Z}"
        return report.get_status_display()


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "slug"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "slug"]


@admin.register(Addressee)
class AddresseeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    """The ten stages are fixed; staff may reword their descriptions."""

    list_display = ["number", "name"]
    list_display_links = ["number", "name"]
    fields = ["number", "name", "description"]
    readonly_fields = ["number", "name"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
