"""The parts of a report edited on its own page: byline, recommendations, PDF editions."""

from django.contrib import admin
from django.forms import BaseInlineFormSet, FileInput
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

from ..models import Attachment, Authorship, Recommendation
from ..workflow import can_edit
from .forms import AttachmentForm


class FollowsReportPermissionsMixin:
    """A report's parts may be changed exactly when the report itself may be."""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and can_edit(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_edit(request.user, obj)


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


class AuthorshipInline(FollowsReportPermissionsMixin, NamedControlsMixin, admin.TabularInline):
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


class OneEmptyRowOnANewReportMixin:
    """A new report opens with one empty row ready to fill (left empty, it is ignored)."""

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0


class RecommendationInline(
    OneEmptyRowOnANewReportMixin, FollowsReportPermissionsMixin, admin.StackedInline
):
    model = Recommendation
    autocomplete_fields = ["addressee"]
    fields = [("addressee", "order"), "text", "carried_over"]
    extra = 0
    verbose_name_plural = "Recommendations (each addressed to someone)"


class AttachmentInline(
    OneEmptyRowOnANewReportMixin, FollowsReportPermissionsMixin, admin.StackedInline
):
    model = Attachment
    form = AttachmentForm
    fields = ["file", ("title", "language"), "preview_page", "facts"]
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


class TranslatedRecommendationInline(RecommendationInline):
    """A translation's recommendations: the original's, in order, to the same addressees;
    only their words are translated here."""

    fields = [("addressee", "order"), "text"]
    readonly_fields = ["addressee", "order"]
    verbose_name_plural = "Recommendations (translate the text; addressees follow the original)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
