import reversion
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.forms.models import model_to_dict
from django.utils.html import format_html_join
from reversion.admin import VersionAdmin

from audit.models import AuditEvent, record

from ..models import Addressee, Author, Country, Stage


class EditorialVocabularyAdmin(VersionAdmin):
    """Countries, addressees and authors are named on every public page about them.

    Who may do what is the groups' permissions (reports/migrations/0011_…): editors add,
    change and delete; authors only add, from a report's form, what is not there yet. Every
    add, change, restore and deletion keeps a revision and writes an audit event.
    """

    history_latest_first = True

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Restoring writes the old row before the form is saved: note what it replaces now.
        current = self._values(self.get_object(request, unquote(object_id)))
        request._vocabulary_restore = (AuditEvent.Action.RESTORE, current)
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        request._vocabulary_restore = (AuditEvent.Action.RECOVER, {})
        return super().recover_view(request, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if hasattr(request, "_vocabulary_restore"):
            action, before = request._vocabulary_restore
        elif change:
            action, before = AuditEvent.Action.CHANGE, form.initial
        else:
            action, before = AuditEvent.Action.ADD, {}
        record(action, request=request, obj=obj, detail=self._changes(before, obj))

    def delete_model(self, request, obj):
        self._keep_for_recovery(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._keep_for_recovery(request, obj)
        super().delete_queryset(request, queryset)

    def _keep_for_recovery(self, request, obj):
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment("Deleted.")
            reversion.add_to_revision(obj)
        record(AuditEvent.Action.DELETE, request=request, obj=obj)

    def _values(self, obj):
        if obj is None:
            return {}
        return {name: value for name, value in model_to_dict(obj).items() if name != "id"}

    def _changes(self, before, obj):
        """What changed, in words: `name: “Mali” → “Republic of Mali”`."""
        after = self._values(obj)
        changes = []
        for name, value in after.items():
            old, value = str(before.get(name) or ""), str(value or "")
            if old != value:
                label = obj._meta.get_field(name).verbose_name
                changes.append(f"{label}: “{old}” → “{value}”" if old else f"{label}: “{value}”")
        return "; ".join(changes)


@admin.register(Country)
class CountryAdmin(EditorialVocabularyAdmin):
    list_display = ["name", "code", "slug"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "slug", "former_addresses"]
    readonly_fields = ["former_addresses"]

    @admin.display(description="Former addresses")
    def former_addresses(self, country):
        former = country.former_slugs.all() if country.pk else []
        return (
            format_html_join(
                ", ",
                "/countries/{}/ (until {})",
                ((f.slug, f"{f.replaced_at:%Y-%m-%d}") for f in former),
            )
            or "None"
        )


@admin.register(Addressee)
class AddresseeAdmin(EditorialVocabularyAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(EditorialVocabularyAdmin):
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
