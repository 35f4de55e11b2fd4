import reversion
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.shortcuts import get_object_or_404, redirect
from reversion.admin import VersionAdmin

from audit.models import AuditEvent, record

from . import workflow
from .colours import warnings_for
from .logos import check_logo, set_logo
from .models import Identity, Page


class IdentityForm(forms.ModelForm):
    class Meta:
        model = Identity
        fields = ["name", "description", "logo", "accent_colour"]
        widgets = {"accent_colour": forms.TextInput(attrs={"size": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checked_logo = None
        # SVG or PNG only; the check below reads the content, this only narrows the picker.
        self.fields["logo"].widget.attrs["accept"] = ".svg,.png,image/svg+xml,image/png"
        # With a logo in place, the admin draws the file box under a legend, not a label.
        self.fields["logo"].widget.attrs["aria-label"] = "Logo file (SVG or PNG)"

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            self.checked_logo = check_logo(logo)
        return logo


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    """One row: the list goes straight to it."""

    form = IdentityForm
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if not Identity.objects.exists():
            Identity.current().save()  # the defaults, so there is one row to edit
        return redirect("admin:pages_identity_change", Identity.SINGLETON)

    def save_model(self, request, obj, form, change):
        if "logo" in form.changed_data:
            set_logo(obj, form.cleaned_data.get("logo") or None, checked=form.checked_logo)
        super().save_model(request, obj, form, change)
        for warning in warnings_for(obj.accent_colour):
            messages.warning(request, warning)

    def response_change(self, request, obj):
        messages.success(request, "The site identity is saved; every page shows it now.")
        return redirect("admin:pages_identity_change", obj.pk)


@admin.register(Page)
class PageAdmin(VersionAdmin):
    list_display = ["title", "status", "menu", "menu_order", "updated_at"]
    list_filter = ["status", "menu"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "published_at"]
    history_latest_first = True
    fieldsets = [
        ("Page", {"fields": ["title", "summary", "body"]}),
        (
            "Menu",
            {
                "fields": ["menu", "menu_label", "menu_order"],
                "description": "Published pages are linked from the header or the footer of "
                "every page, lowest order first.",
            },
        ),
        (
            "Publication",
            {
                "fields": ["status", "published_at", "review_note"],
                "description": "Only published pages are public. Use the buttons at the foot "
                "of the page to submit, publish, return or unpublish; staff can read any page "
                "at its own address.",
            },
        ),
        ("Advanced", {"fields": ["slug"], "classes": ["collapse"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # a new page starts as a draft
            return [fs for fs in self.fieldsets if fs[0] != "Publication"]
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not workflow.can_publish(request.user):
            fields.append("review_note")  # the editor's note, read by the author
        return fields

    # Who may do what: every path (form, list action, raw POST) comes through these.

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if getattr(request, "_keep_workflow_fields", None) is not None:
            return workflow.can_publish(request.user)
        return workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and workflow.can_publish(request.user)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        for name, value in (getattr(request, "_keep_workflow_fields", None) or {}).items():
            setattr(obj, name, value)
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        page = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "workflow_steps": workflow.steps_for(request.user, page)
            if page is not None and not getattr(request, "_keep_workflow_fields", None)
            else [],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def response_add(self, request, obj, post_url_continue=None):
        return self._take_step(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._take_step(request, obj) or super().response_change(request, obj)

    def _take_step(self, request, page):
        """The edits are saved; now the step the button asked for."""
        name = request.POST.get("_workflow")
        if name not in workflow.STEPS:
            return None
        try:
            workflow.take(name, page, user=request.user, request=request)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, f"Your edits are saved, but: {text}")
        else:
            step = workflow.STEPS[name]
            messages.success(request, f"“{page}”: {step.label.lower()}: done.")
        return redirect("admin:pages_page_change", page.pk)

    # History: restore and recover, an editor's decisions.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not workflow.can_publish(request.user):
            raise PermissionDenied
        page = get_object_or_404(Page, pk=object_id)
        # Restoring brings back words, not a publication state.
        request._keep_workflow_fields = {
            name: getattr(page, name) for name in ("status", "published_at", "review_note")
        }
        response = super().revision_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            record(
                AuditEvent.Action.RESTORE,
                request=request,
                obj=page,
                detail=f"Revision {version_id}",
            )
        return response

    def recoverlist_view(self, request, extra_context=None):
        if not workflow.can_publish(request.user):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not workflow.can_publish(request.user):
            raise PermissionDenied
        # A recovered page comes back as a draft, public only once published again.
        request._keep_workflow_fields = {"status": Page.Status.DRAFT, "review_note": ""}
        response = super().recover_view(request, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            version = reversion.models.Version.objects.get(pk=version_id)
            record(
                AuditEvent.Action.RECOVER,
                request=request,
                obj=Page.objects.filter(pk=version.object_id).first(),
            )
        return response

    def delete_model(self, request, obj):
        # A last revision just before deletion lets an editor recover the page.
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment("Deleted.")
            reversion.add_to_revision(obj)
        record(AuditEvent.Action.DELETE, request=request, obj=obj)
        super().delete_model(request, obj)
