from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from . import importer, uploads
from .manifest import ManifestError
from .models import Redirect

SESSION_KEY = "archive_import"


def may_import(user):
    """Importing publishes reports: an editor's decision."""
    return user.has_perms(["reports.add_report", "reports.publish_report"])


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "leads_to", "created_at"]
    search_fields = ["old_path", "new_path", "report__title"]
    autocomplete_fields = ["report"]
    fields = ["old_path", "report", "new_path"]

    @admin.display(description="Leads to")
    def leads_to(self, redirect):
        target = redirect.target()
        if target is None:
            return "nowhere now (its report is not public or was deleted)"
        return format_html('<a href="{}">{}</a>', target, target)

    # Where an old address leads is an editorial decision, like publishing.
    def _editor(self, request):
        return request.user.has_perm("reports.publish_report")

    def has_module_permission(self, request):
        return self._editor(request)

    def has_view_permission(self, request, obj=None):
        return self._editor(request)

    def has_add_permission(self, request):
        return self._editor(request)

    def has_change_permission(self, request, obj=None):
        return self._editor(request)

    def has_delete_permission(self, request, obj=None):
        return self._editor(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_import": may_import(request.user), **(extra_context or {})}
        return super().changelist_view(request, extra_context)


class UploadForm(forms.Form):
    archive = forms.FileField(
        label="Archive",
        help_text="The manifest (.csv or .json), or a .zip holding the manifest and the PDFs "
        "it names. Nothing is imported until you have seen the dry run and confirmed.",
    )


def import_view(request):
    """Upload an archive, read its dry run, then confirm the import."""
    if not may_import(request.user):
        raise PermissionDenied
    pending = request.session.get(SESSION_KEY)
    form, result, error = UploadForm(), None, None
    if request.method == "POST" and "confirm" in request.POST:
        if not pending:
            messages.error(request, "Nothing is waiting to be imported; upload the archive again.")
            return redirect("archive_import")
        try:
            with uploads.unpacked(pending["name"], pending["sha256"]) as manifest:
                result = importer.run(manifest, dry_run=False, user=request.user)
        except (ManifestError, FileNotFoundError) as problem:
            error = str(problem) if isinstance(problem, ManifestError) else "The upload is gone."
        else:
            uploads.forget(pending["name"])
            del request.session[SESSION_KEY]
            result.manifest = pending["original"]
            messages.success(request, result.summary)
    elif request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            if pending:
                uploads.forget(pending["name"])
                request.session.pop(SESSION_KEY)
            upload = form.cleaned_data["archive"]
            name = None
            try:
                name, sha256 = uploads.keep(upload)
                with uploads.unpacked(name, sha256) as manifest:
                    result = importer.run(manifest, dry_run=True)
            except ManifestError as problem:
                uploads.forget(name)
                form.add_error("archive", str(problem))
            else:
                result.manifest = upload.name
                if result.created:  # kept for the confirmation
                    request.session[SESSION_KEY] = {
                        "name": name,
                        "sha256": sha256,
                        "original": upload.name,
                    }
                else:
                    uploads.forget(name)
    context = {
        **admin.site.each_context(request),
        "title": "Import reports from the archive",
        "form": form,
        "result": result,
        "error": error,
        "redirects_url": reverse("admin:archive_redirect_changelist"),
    }
    return TemplateResponse(request, "admin/archive/import.html", context)
