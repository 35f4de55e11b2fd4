from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from genocidewatch import storedfiles
from genocidewatch.links import link
from reports.models import Recommendation, Report

from . import cap, data
from .models import CapCancellation


def cap_message(request, slug):
    """A public report as a CAP 1.2 message; 404 for every other report, as its page."""
    report = get_object_or_404(
        Report.objects.public()
        .select_related("country")
        .prefetch_related(
            "corrections",
            Prefetch(
                "recommendations", queryset=Recommendation.objects.select_related("addressee")
            ),
        ),
        slug=slug,
    )
    url = request.build_absolute_uri(report.get_absolute_url())
    return HttpResponse(cap.message(report, url=url), content_type=cap.CONTENT_TYPE)


def cap_cancel(request, identifier):
    cancellation = CapCancellation.objects.filter(identifier=identifier).first()
    if cancellation is None:
        raise Http404("No such message.")
    return HttpResponse(cap.cancel_message(cancellation), content_type=cap.CONTENT_TYPE)


def data_page(request):
    tables = [
        (table, description, [field.schema("json") for field in fields])
        for table, (description, fields) in data.TABLES.items()
    ]
    licence = {
        "name": settings.DATA_LICENCE_NAME,
        "title": settings.DATA_LICENCE_TITLE,
        "url": settings.DATA_LICENCE_URL,
    }
    return render(
        request,
        "opendata/data.html",
        {
            "tables": tables,
            "licence": licence,
            "cap_url": link("opendata:cap_feed"),
            "changes_url": link("reports:changes_feed"),
        },
    )


def data_download(request, name):
    """A bulk file, as saved for the current content version (opendata/data.py)."""
    if name not in data.FILES:
        raise Http404("No such file.")
    stored = data.stored_file(name)
    if stored is None:  # the cache is away: built for this reader
        response = HttpResponse(data.build(name), content_type=data.CONTENT_TYPES[name])
        if not name.endswith(".json"):
            response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    try:
        return _send_data_file(request, name, stored)
    except Http404:
        # Gone from storage (a media folder restored without it, say): saved again, rather
        # than missing until the next change.
        return _send_data_file(request, name, data.stored_file(name, missing=stored.name))


def _send_data_file(request, name, stored):
    return storedfiles.send(
        request,
        default_storage,
        stored.name,
        public=True,
        last_modified=stored.last_modified,
        content_type=data.CONTENT_TYPES[name],
        download_name=name,
        version=stored.version,
        inline=name.endswith(".json"),
    )
