from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView, ListView

from .models import Attachment, Report, Stage


def can_preview(user):
    """Staff who may change reports see drafts and scheduled reports at their public URLs."""
    return user.is_active and user.is_staff and user.has_perm("reports.change_report")


def visible_reports(request):
    if can_preview(request.user):
        return Report.objects.all()
    return Report.objects.public()


class HomeView(ListView):
    template_name = "reports/home.html"
    context_object_name = "latest_reports"

    def get_queryset(self):
        return Report.objects.public().for_list()[:10]


class ReportListView(ListView):
    paginate_by = 20

    def get_queryset(self):
        reports = Report.objects.public().for_list()
        if query := self.search_query():
            # A plain word match that works on every database; ranked full-text search on
            # PostgreSQL is planned for the discovery work.
            reports = reports.filter(
                Q(title__icontains=query)
                | Q(summary__icontains=query)
                | Q(body__icontains=query)
                | Q(country__name__icontains=query)
            )
        return reports

    def search_query(self):
        return " ".join(self.request.GET.get("q", "").split())[:200]

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.search_query(), **kwargs)


class ReportDetailView(DetailView):
    def get_queryset(self):
        return visible_reports(self.request).for_page()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = self.request.build_absolute_uri(self.object.get_absolute_url())
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.object.is_public:
            # A preview must never be kept by a browser or a shared cache.
            add_never_cache_headers(response)
        return response


def attachment_download(request, slug, pk, filename):
    attachment = get_object_or_404(
        Attachment.objects.select_related("report"),
        pk=pk,
        report__in=visible_reports(request).filter(slug=slug),
    )
    if filename != attachment.filename:
        # Old or mistyped names still reach the file, at its one canonical address.
        return redirect(attachment.get_absolute_url(), permanent=attachment.report.is_public)
    try:
        stream = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this edition is missing from storage.") from None
    response = FileResponse(
        stream, content_type="application/pdf", filename=attachment.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    if not attachment.report.is_public:
        add_never_cache_headers(response)
    return response


class StageListView(ListView):
    model = Stage


class StageDetailView(DetailView):
    slug_field = "number"
    slug_url_kwarg = "number"
    model = Stage

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reports"] = Report.objects.public().filter(stages=self.object).for_list()
        return context
