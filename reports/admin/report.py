import reversion
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.forms import CheckboxSelectMultiple
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from reversion.admin import VersionAdmin

from audit.models import AuditEvent, record
from opendata import cap
from staff.policy import verification_step

from .. import autosave, changes, checks, translations, workflow
from ..models import Attachment, Report
from ..richtext import sanitize_html
from ..times import local_and_utc
from .forms import CorrectionForm, ReasonForm, ReportAdminForm, ReturnForm, ScheduleForm
from .history import compare_versions, report_versions, word_diff
from .inlines import (
    AttachmentInline,
    AuthorshipInline,
    RecommendationInline,
    TranslatedRecommendationInline,
)

Status = Report.Status
# What a step's own page asks for before it is taken (`workflow.Step.asks`).
STEP_FORMS = {
    "note": ReturnForm,
    "time": ScheduleForm,
    "correction": CorrectionForm,
    "reason": ReasonForm,
}


def step_form_class(step, *, change):
    """The form for what `step` asks; the reason only when the step makes a `change`."""
    parts = [STEP_FORMS[asked] for asked in step.asks if asked != "reason" or change]
    if not parts:
        return None
    return type("StepForm", tuple(reversed(parts)), {})


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Report.State.choices

    def queryset(self, request, queryset):
        if self.value() in Report.State.values:
            return queryset.in_state(self.value())
        return queryset


# What the staff list never shows of a report or of the original it translates: the long
# text, and the search index built from it.
LONG_TEXT = ["summary", "body", "search_text", "search_vector", "review_note"]


class ReportChangeList(ChangeList):
    def get_results(self, request):
        # The page of rows only: counts, filters and the actions' own queryset
        # (`get_queryset`) are unchanged, so an action still acts on whole reports.
        self.queryset = self.queryset.defer(
            *LONG_TEXT, *(f"translation_of__{name}" for name in LONG_TEXT)
        )
        super().get_results(request)


@admin.register(Report)
class ReportAdmin(VersionAdmin):
    form = ReportAdminForm
    list_display = [
        "title",
        "country",
        "alert_level",
        "language",
        "state",
        "publication_time",
    ]
    list_filter = [StateFilter, "language", "alert_level", "country", "year", "stages"]
    list_select_related = ["country", "translation_of"]
    # On PostgreSQL a trigram index on these three answers the search (migration 0019):
    # a field added here is searched unindexed until the index names it too.
    search_fields = ["title", "summary", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [AuthorshipInline, RecommendationInline, AttachmentInline]
    readonly_fields = ["state", "published_at", "published_by", "review_note", "evidence"]
    object_history_template = "admin/reports/report/object_history.html"
    # Ours, not django-reversion's: the "Recover deleted reports" link only for who may recover.
    change_list_template = "admin/reports/report/change_list.html"
    history_latest_first = True
    fieldsets = [
        (
            "What the report is",
            {"fields": ["country", "year", "alert_level", "title", "summary", "seen_version"]},
        ),
        ("Text", {"fields": ["body"]}),
        (
            "Lead image",
            {
                "fields": [
                    "lead_image",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ],
                "classes": ["collapse"],
            },
        ),
        (
            "Stages of genocide",
            {
                "fields": ["stages"],
                "description": "Tick every stage the country is at according to this report.",
            },
        ),
        (
            "Evidence for each stage",
            {
                "fields": [(f"evidence_{n}", f"source_{n}") for n in range(1, 11)],
                "classes": ["evidence"],
                "description": "For each stage you ticked: what shows it, in a sentence or "
                "two, and where it can be checked. Readers see it under the stage (“Why "
                "stage 8: …”). A ticked stage without evidence is a warning.",
            },
        ),
        (
            "Publication",
            {
                "fields": ["state", "published_at", "published_by", "review_note"],
                "description": "Only published reports whose publication time has come are "
                "public. Use the buttons at the foot of the page to submit, publish, schedule, "
                "return or unpublish; staff can preview any report at its own address.",
            },
        ),
        ("Advanced", {"fields": ["slug", "headline_override"], "classes": ["collapse"]}),
    ]

    # A translation's own fields: what it shares with its original is shown, not edited.
    translation_fieldsets = [
        (
            "Translation",
            {
                "fields": ["translation_details"],
                "description": "Translate the words below from the original. Country, year, "
                "alert level, stages, byline, the image and addressees follow the original "
                "and change with it.",
            },
        ),
        (
            "What the report is",
            {
                "fields": [
                    ("country", "year", "alert_level"),
                    "title",
                    "summary",
                    "seen_version",
                ]
            },
        ),
        ("Text", {"fields": ["body"]}),
        (
            "Lead image",
            {"fields": ["lead_image_alt", "lead_image_caption"], "classes": ["collapse"]},
        ),
        ("Stages of genocide", {"fields": ["stages"]}),
        ("Publication", {"fields": ["state", "published_at", "published_by", "review_note"]}),
        ("Advanced", {"fields": ["headline_override"], "classes": ["collapse"]}),
    ]
    translation_shared_fields = ["translation_details", "country", "year", "alert_level", "stages"]

    # Django's own words, translated by the admin's catalogue; named here rather than
    # written inside gettext() so `make messages` does not copy them into ours.
    DJANGO_CHECKBOX_LABEL = "Select this object for an action - {}"

    def action_checkbox(self, report):
        # The same <input> Django draws, written directly: drawn through the form widget's
        # templates, the 100 checkboxes of a page cost more than the rest of the list.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            report.pk,
            format_html(gettext(self.DJANGO_CHECKBOX_LABEL), str(report)),
        )

    def get_changelist(self, request, **kwargs):
        return ReportChangeList

    @admin.display(description="State")
    def state(self, report):
        return report.state

    @admin.display(description="Translation")
    def translation_details(self, report):
        original = report.translation_of
        text = format_html(
            '{} translation of <a href="{}">{}</a> ({}).',
            translations.language_name(report.language),
            reverse("admin:reports_report_change", args=[original.pk]),
            original.title,
            translations.language_name(original.language),
        )
        changed = report.original_changed_at
        if changed:
            text += format_html(
                ' <strong class="translation-flag">{}</strong>', _changed_flag(report, changed)
            )
        return text

    def get_inlines(self, request, obj):
        if obj is not None and obj.is_translation:
            return [TranslatedRecommendationInline]
        return super().get_inlines(request, obj)

    @admin.display(description="Publication time (yours and UTC)", ordering="published_at")
    def publication_time(self, report):
        return local_and_utc(report.published_at) or "—"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "stages":
            kwargs["widget"] = CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_prepopulated_fields(self, request, obj=None):
        # A working copy keeps its own address out of sight: publishing the changes never
        # moves the live report's address.
        if obj is not None and (obj.is_pending_changes or obj.is_translation):
            return {}
        return super().get_prepopulated_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.is_translation:
            return [*fields, *self.translation_shared_fields]
        if obj is not None and obj.is_pending_changes:
            return [*fields, "slug"]
        return fields

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # A new report starts as a draft; there is nothing to publish yet.
            return [fs for fs in self.fieldsets if fs[0] != "Publication"]
        fieldsets = self.translation_fieldsets if obj.is_translation else self.fieldsets
        if not self.has_change_permission(request, obj):
            # Read, not edited (changes go through pending changes): the text as readers
            # see it, not its markup.
            read = {"Text": ["text_as_published"], "Evidence for each stage": ["evidence"]}
            return [
                (
                    name,
                    {
                        **options,
                        "fields": read.get(
                            name,
                            ["text_as_published"]
                            if options["fields"] == ["body"]
                            else options["fields"],
                        ),
                    },
                )
                for name, options in fieldsets
            ]
        return fieldsets

    @admin.display(description="Evidence")
    def evidence(self, report):
        return (
            format_html_join(
                "\n",
                "<p>Why stage {}: {}</p>",
                ((e.stage.number, e.note) for e in report.stage_evidence.select_related("stage")),
            )
            or "None given."
        )

    @admin.display(description="Body")
    def text_as_published(self, report):
        return mark_safe(sanitize_html(report.body))  # noqa: S308 - sanitised on save and here

    # Who may do what. Every path (form, inline, list, raw POST) comes through these.

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if getattr(request, "_keep_workflow_fields", None) is not None:
            # Restoring a revision or recovering a deleted report: an editor's own decision,
            # taken on the report whatever its state (revision_view and recover_view check).
            return workflow.can_publish(request.user)
        return workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and workflow.can_publish(request.user)

    # Saving.

    def save_model(self, request, obj, form, change):
        if obj.country._state.adding:  # first report on this country: its row, made once
            obj.country.save()
        form.save_lead_image(obj)
        obj.updated_by = request.user
        if change:
            obj.edit_version = F("edit_version") + 1
        restored_workflow = getattr(request, "_keep_workflow_fields", None)
        if restored_workflow is not None:
            for name, value in restored_workflow.items():
                setattr(obj, name, value)
        super().save_model(request, obj, form, change)
        obj.refresh_from_db(fields=["edit_version"])
        # Saved for real: the autosave has done its work.
        autosave.forget(report=obj if change else None, user=request.user)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # The admin's own confirmations name the model and the object like a log line;
        # editors read a sentence about what happened to their report instead.
        if level == messages.SUCCESS:
            message = getattr(request, "_desk_message", None) or self._saved_message(request)
        if message:
            super().message_user(request, message, level, *args, **kwargs)

    def _saved_message(self, request):
        view = request.resolver_match.url_name if request.resolver_match else ""
        if view.endswith("_add"):
            return "Saved as a draft. Nothing is public until an editor publishes it."
        if view.endswith("_delete"):
            return "Deleted. An editor can bring it back from “Recover deleted reports”."
        if view.endswith("_changelist"):
            return "Done."
        if "_workflow" in request.POST:
            return ""  # the step's own page says what comes next
        return "Saved. Nothing public has changed."

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.save_evidence(form.instance)
        editions = [f for f in formsets if f.model is Attachment]
        if any(f.has_changed() for f in editions):
            # A PDF chosen or replaced: say at once if it looks like another report's.
            for finding in checks.pdf_findings(form.instance):
                messages.warning(request, finding.message)
        # Saved last, with its stages and recommendations: what translations share with
        # the original follows it, and a change to its words flags them for review.
        report = form.instance
        if report.is_translation:
            translations.follow_original(report)
        else:
            translations.keep_in_step(report)

    def delete_model(self, request, obj):
        self._delete(request, obj)

    def delete_queryset(self, request, queryset):
        for report in queryset:
            self._delete(request, report)

    def _delete(self, request, report):
        # Pending changes are a working copy: deleted, they go with their drafting history
        # and are never offered for recovery on their own.
        pending = Report.objects.filter(revises=report).first()
        if pending is not None:
            changes.discard(pending)
        if report.is_pending_changes:
            changes.discard(report)
            record(AuditEvent.Action.DELETE, request=request, obj=report, detail="Changes")
            return
        self._keep_for_recovery(request, report)
        cap.withdraw(report)
        report.delete()

    def _keep_for_recovery(self, request, report):
        # A last revision taken just before deletion lets an editor recover the report with
        # its byline, recommendations and PDF editions, even one never saved through here.
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment("Deleted.")
            reversion.add_to_revision(report)
        record(AuditEvent.Action.DELETE, request=request, obj=report)

    # The change page: workflow buttons, and what happens after a save.

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        restored = getattr(request, "_restore_autosave", None)
        if restored is None:
            return form

        class RestoredForm(form):
            # The autosaved text in place of the saved one, and the edit counter it was
            # written on: a save since then is caught by the stale-edit check.
            def __init__(self, *args, **kwargs):
                kwargs["initial"] = {
                    **restored.fields,
                    "seen_version": restored.based_on_version,
                    **kwargs.get("initial", {}),
                }
                super().__init__(*args, **kwargs)

        return RestoredForm

    def _autosave_context(self, request, report):
        offer = autosave.offered(report=report, user=request.user)
        restoring = offer is not None and request.method == "GET" and "restore" in request.GET
        if restoring:
            request._restore_autosave = offer
        kwargs = {"object_id": report.pk} if report else {}
        name = "admin:reports_report_autosave" if report else "admin:reports_report_autosave_new"
        return {
            "autosave_offer": None if restoring else offer,
            "autosave_restored": offer if restoring else None,
            "autosave_url": reverse(name, kwargs=kwargs),
            "autosave_seconds": settings.AUTOSAVE_SECONDS,
        }

    def add_view(self, request, form_url="", extra_context=None):
        # A new report is a draft: its first save can take the draft's main step at once.
        steps = workflow.steps_for(request.user, Report(status=Status.DRAFT))
        context = {
            **(extra_context or {}),
            **self._autosave_context(request, None),
            "primary_step": workflow.primary_step(steps),
        }
        return super().add_view(request, form_url, context)

    def response_add(self, request, obj, post_url_continue=None):
        step = request.POST.get("_workflow")
        if step in workflow.STEPS:
            return redirect("admin:reports_report_workflow", obj.pk, step)
        return super().response_add(request, obj, post_url_continue)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        published = report is not None and report.status == Status.PUBLISHED
        steps = (
            workflow.steps_for(request.user, report)
            if report is not None and not getattr(request, "_keep_workflow_fields", None)
            else []
        )
        extra_context = {
            **(extra_context or {}),
            # A published report is read here; its changes are written on a working copy.
            "workflow_read_only": published,
            "primary_step": None if published else workflow.primary_step(steps),
            "can_start_next_year": published
            and not report.is_pending_changes
            and request.user.has_perm("reports.add_report"),
            "pending_changes": Report.objects.filter(revises=report).first()
            if report is not None
            else None,
            "can_propose_changes": published and request.user.has_perm("reports.change_report"),
            "workflow_steps": steps,
            **_checks_context(report),
            **self._translations_context(request, report),
            **(
                self._autosave_context(request, report)
                if report is not None and workflow.can_edit(request.user, report)
                else {}
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _translations_context(self, request, report):
        if report is not None and report.is_translation:
            live = report.revises if report.is_pending_changes else report
            changed = live.original_changed_at
            return {"translation_flag": _changed_flag(live, changed) if changed else ""}
        if report is None or report.is_pending_changes:
            return {}
        rows = (
            Report.objects.translations()
            .filter(translation_of=report)
            .select_related("translation_of")
            .order_by("language")
        )
        return {
            "translation_rows": [
                {
                    "report": row,
                    "language": translations.language_name(row.language),
                    "flag": _changed_flag(row, row.original_changed_at)
                    if row.original_changed_at
                    else "",
                }
                for row in rows
            ],
            "translate_languages": translations.languages_to_translate(report)
            if translations.can_translate(request.user)
            else [],
            "original_language": translations.language_name(report.language),
        }

    def response_change(self, request, obj):
        step = request.POST.get("_workflow")
        if step in workflow.STEPS:
            # The edits are saved; now take the step the button asked for.
            return redirect("admin:reports_report_workflow", obj.pk, step)
        return super().response_change(request, obj)

    def changelist_view(self, request, extra_context=None):
        # django-reversion wraps the list in a revision, and so in a transaction, for the
        # sake of its POSTed actions. Reading the list changes nothing: on SQLite that
        # transaction would take the write lock and make every staff member's list queue
        # behind every other's, so a GET skips it.
        extra_context = {"can_recover": workflow.can_publish(request.user), **(extra_context or {})}
        if request.method == "GET":
            context = {"has_change_permission": self.has_change_permission(request)}
            context.update(extra_context or {})
            return admin.ModelAdmin.changelist_view(self, request, context)
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/workflow/<str:step>/",
                self.admin_site.admin_view(self.workflow_view),
                name="reports_report_workflow",
            ),
            path(
                "<int:object_id>/changes/",
                self.admin_site.admin_view(self.propose_changes_view),
                name="reports_report_propose_changes",
            ),
            path("autosave/", self.autosave_view, name="reports_report_autosave_new"),
            path("<int:object_id>/autosave/", self.autosave_view, name="reports_report_autosave"),
            path(
                "<int:object_id>/next-year/",
                self.admin_site.admin_view(self.next_year_view),
                name="reports_report_next_year",
            ),
            path(
                "<int:object_id>/translate/",
                self.admin_site.admin_view(self.translate_view),
                name="reports_report_translate",
            ),
            path(
                "<int:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="reports_report_compare",
            ),
            *super().get_urls(),
        ]

    def workflow_view(self, request, object_id, step):
        report = get_object_or_404(Report, pk=object_id)
        step = workflow.STEPS.get(step)
        if step is None:
            raise Http404("No such step.")
        if not workflow.may_take(request.user, step):
            raise PermissionDenied
        if step not in workflow.steps_for(request.user, report):
            messages.error(
                request, f"This report is {report.state.lower()}: that step does not apply."
            )
            return redirect("admin:reports_report_change", report.pk)
        change = workflow.needs_reason(step, report)
        form_class = step_form_class(step, change=change)
        form = None
        if request.method == "POST":
            form = form_class(request.POST) if form_class else None
            if form is None or form.is_valid():
                arguments = form.step_arguments() if form else {}
                try:
                    result = workflow.take(
                        step.name, report, user=request.user, request=request, **arguments
                    )
                except ValidationError as error:
                    if getattr(error, "code", None) != "reason_required":
                        messages.error(request, " ".join(error.messages))
                        return redirect("admin:reports_report_change", report.pk)
                    # The country's reports changed since the page was drawn: ask now.
                    form = step_form_class(step, change=True)(request.POST)
                    form.is_valid()
                    form.add_error("reason", error)
                else:
                    messages.success(
                        request, step.done.format(when=local_and_utc(result.published_at))
                    )
                    # Publishing changes removes their working copy: go to the live report.
                    return redirect("admin:reports_report_change", result.pk)
        elif form_class:
            form = form_class(initial={"seen_version": report.edit_version})
        context = {
            **self.admin_site.each_context(request),
            **(_checks_context(report) if step.checked else {}),
            "opts": self.opts,
            "original": report,
            "title": f"{step.label.rstrip('…')}: {report}",
            "step": step.name,
            "step_label": step.label.rstrip("…"),
            "form": form,
            "change": change,
            "media": self.media + form.media if form else self.media,
            "differences": [
                (label, word_diff(old, new))
                for label, old, new in changes.differences(report.revises, report)
            ]
            if report.is_pending_changes
            else None,
        }
        return TemplateResponse(request, "admin/reports/report/workflow.html", context)

    def propose_changes_view(self, request, object_id):
        report = get_object_or_404(Report, pk=object_id)
        if request.method != "POST":
            return redirect("admin:reports_report_change", report.pk)
        try:
            copy = workflow.report_propose_changes(report, user=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("admin:reports_report_change", report.pk)
        messages.info(
            request,
            "Write your changes here. Readers keep seeing the published report until an "
            "editor publishes the changes.",
        )
        return redirect("admin:reports_report_change", copy.pk)

    def translate_view(self, request, object_id):
        original = get_object_or_404(Report, pk=object_id)
        if request.method != "POST":
            return redirect("admin:reports_report_change", original.pk)
        try:
            translated = translations.start_translation(
                original, language=request.POST.get("language", ""), user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("admin:reports_report_change", original.pk)
        messages.info(
            request,
            f"A {translations.language_name(translated.language)} translation has begun from "
            "the original's current text. Translate the words, then submit it for review: "
            "an editor publishes it on its own.",
        )
        return redirect("admin:reports_report_change", translated.pk)

    @method_decorator(never_cache)
    def autosave_view(self, request, object_id=None):
        """Keep what the person is writing (POST), forget it (POST with `discard`), or give
        the page a fresh CSRF token after they signed in again in another tab (GET).

        Not behind admin_view: a session that has ended is told so in JSON (401) for the
        page's script to show, not sent to the sign-in page."""
        user = request.user
        if not (user.is_active and user.is_staff) or verification_step(user):
            return JsonResponse(
                {
                    "message": "Your session has ended. Sign in again in another tab; your text "
                    "stays on this page and is autosaved once you are back."
                },
                status=401,
            )
        report = get_object_or_404(Report, pk=object_id) if object_id else None
        allowed = workflow.can_edit(user, report) if report else user.has_perm("reports.add_report")
        if not allowed:
            return JsonResponse({"message": "You cannot change this report now."}, status=403)
        if request.method == "GET":
            return JsonResponse({"csrf": get_token(request)})
        if request.method != "POST":
            return JsonResponse({"message": "Only POST saves."}, status=405)
        if "discard" in request.POST:
            autosave.forget(report=report, user=user)
            messages.info(request, "The autosaved text is discarded.")
            return redirect(
                "admin:reports_report_change" if report else "admin:reports_report_add",
                *([report.pk] if report else []),
            )
        try:
            seen = int(request.POST.get("seen_version", ""))
        except ValueError:
            seen = report.edit_version if report else 0
        kept = autosave.keep(report=report, user=user, data=request.POST, based_on_version=seen)
        saved_at = timezone.localtime(kept.saved_at)
        answer = {"saved_at": f"{saved_at:%H:%M:%S}", "csrf": get_token(request)}
        if report is not None and seen != report.edit_version:
            who = report.updated_by.get_username() if report.updated_by else "Someone"
            answer["message"] = (
                f"{who} saved this report after you opened it. Your text is autosaved for "
                "you, and nothing of theirs is overwritten; when you save, you will be shown "
                "both to merge them."
            )
            return JsonResponse(answer, status=409)
        return JsonResponse(answer)

    def next_year_view(self, request, object_id):
        report = get_object_or_404(Report, pk=object_id)
        if request.method != "POST":
            return redirect("admin:reports_report_change", report.pk)
        try:
            draft = workflow.report_start_next_year(report, user=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("admin:reports_report_change", report.pk)
        messages.success(
            request,
            f"Started the {draft.year} report as a draft, with last year's byline, stages, "
            "summary and recommendations. Check each recommendation marked “carried over”; "
            "nothing is public until an editor publishes it.",
        )
        return redirect("admin:reports_report_change", draft.pk)

    # History: compare, restore, recover.

    def history_view(self, request, object_id, extra_context=None):
        report = self.get_object(request, object_id)
        context = {
            **(extra_context or {}),
            "versions": report_versions(report) if report else [],
            "can_restore": workflow.can_publish(request.user),
        }
        return super().history_view(request, object_id, context)

    def compare_view(self, request, object_id):
        report = get_object_or_404(Report, pk=object_id)
        if not self.has_view_or_change_permission(request, report):
            raise PermissionDenied
        versions = {v.pk: v for v in report_versions(report)}
        try:
            old = versions[int(request.GET.get("old", ""))]
            new = versions[int(request.GET.get("new", ""))]
        except (KeyError, ValueError):
            messages.error(request, "Choose two revisions of this report to compare.")
            return redirect("admin:reports_report_history", report.pk)
        if old.revision.date_created > new.revision.date_created:
            old, new = new, old
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": report,
            "title": f"Changes to “{report}”",
            "old": old,
            "new": new,
            "changes": compare_versions(old, new),
        }
        return TemplateResponse(request, "admin/reports/report/compare.html", context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not workflow.can_publish(request.user):
            raise PermissionDenied
        report = get_object_or_404(Report, pk=object_id)
        # Restoring brings back words, not a publication state: the report stays as public
        # (or not) as it is now. Publishing remains a step of its own. Its translations stay
        # too, and with them the flag that pages read to look for one (kept out of
        # revisions, so an earlier revision would otherwise bring back its default).
        request._keep_workflow_fields = {
            **_workflow_fields(report),
            "has_translations": report.has_translations,
        }
        request._desk_message = (
            "Restored. This earlier text is now the newest revision; nothing was lost."
        )
        response = super().revision_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            record(
                AuditEvent.Action.RESTORE,
                request=request,
                obj=report,
                detail=f"Revision {version_id}",
            )
        return response

    def recoverlist_view(self, request, extra_context=None):
        # The list shows the titles of deleted reports: only for those who may recover them.
        if not workflow.can_publish(request.user):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not workflow.can_publish(request.user):
            raise PermissionDenied
        # A recovered report comes back as a draft, public only once it is published again.
        request._keep_workflow_fields = {"status": Status.DRAFT, "review_note": ""}
        request._desk_message = (
            "Recovered as a draft, with its byline, recommendations and PDF editions. It "
            "is public again only once an editor publishes it."
        )
        response = super().recover_view(request, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            version = reversion.models.Version.objects.get(pk=version_id)
            recovered = Report.objects.filter(pk=version.object_id).first()
            record(AuditEvent.Action.RECOVER, request=request, obj=recovered)
        return response


def _changed_flag(translated, changed_at):
    when = timezone.localtime(changed_at)
    return (
        f"The {translations.language_name(translated.translation_of.language)} text changed "
        f"on {when.day} {when:%B %Y}: review the "
        f"{translations.language_name(translated.language)}."
    )


def _checks_context(report):
    if report is None:
        return {}
    findings = checks.check(report)
    return {
        "findings": findings,
        "has_errors": any(f.is_error for f in findings),
        "fix_url": reverse("admin:reports_report_change", args=[report.pk]),
    }


def _workflow_fields(report):
    return {
        name: getattr(report, name)
        for name in ("status", "published_at", "published_by", "review_note")
    }
