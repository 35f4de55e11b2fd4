import reversion
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.forms.models import model_to_dict
from django.utils.html import format_html_join
from reversion.admin import VersionAdmin

from audit.models import AuditEvent, record

from ..models import Addressee, Author, Country, Stage
from ..translations import language_name


def translated_field_names(model):
    """[(form field, language, word)] for each other language and translated word."""
    return [
        (f"{word}_{code}", code, word)
        for code, _ in settings.LANGUAGES
        if code != settings.LANGUAGE_CODE
        for word in model.TRANSLATED
    ]


def translations_form(model):
    """A form for a vocabulary row with a field per other language and translated word
    (“Name in French”), kept in the row's `translations`."""

    def field(code, word):
        model_field = model._meta.get_field(word)
        return forms.CharField(
            label=f"{model_field.verbose_name.capitalize()} in {language_name(code)}",
            required=False,
            max_length=model_field.max_length,
            widget=forms.Textarea(attrs={"rows": 3})
            if word == "description"
            else forms.TextInput(attrs={"dir": "auto"}),
            help_text="Leave empty to show the English words"
            + (
                " (or the standard name of the country in that language)."
                if model is Country
                else "."
            ),
        )

    class TranslationsForm(forms.ModelForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stored = self.instance.translations or {}
            for name, code, word in translated_field_names(model):
                if name in self.fields:
                    self.fields[name].initial = stored.get(code, {}).get(word, "")

        def save(self, commit=True):
            stored = {
                code: dict(words) for code, words in (self.instance.translations or {}).items()
            }
            for name, code, word in translated_field_names(model):
                if name not in self.cleaned_data:
                    continue
                value = self.cleaned_data[name].strip()
                if value:
                    stored.setdefault(code, {})[word] = value
                else:
                    stored.get(code, {}).pop(word, None)
            self.instance.translations = {code: words for code, words in stored.items() if words}
            return super().save(commit)

    for name, code, word in translated_field_names(model):
        TranslationsForm.base_fields[name] = field(code, word)
        TranslationsForm.declared_fields[name] = TranslationsForm.base_fields[name]
    return TranslationsForm


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
    form = translations_form(Country)
    list_display = ["name", "code", "slug"]
    search_fields = ["name", "code"]
    fields = [
        "code",
        "name",
        *[name for name, _, _ in translated_field_names(Country)],
        "slug",
        "former_addresses",
    ]
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
    form = translations_form(Addressee)
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

    form = translations_form(Stage)
    list_display = ["number", "name"]
    list_display_links = ["number", "name"]
    fields = [
        "number",
        "name",
        "description",
        *[name for name, _, _ in translated_field_names(Stage)],
    ]
    readonly_fields = ["number", "name"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
