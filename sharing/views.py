from django.http import Http404
from django.shortcuts import get_object_or_404

from reports.views import visible_reports

from . import cards


def report_card(request, slug, version):
    report = get_object_or_404(visible_reports(request).select_related("country"), slug=slug)
    if version != cards.card_version(report):
        raise Http404("This card shows an older version of the report.")
    return cards.send_card(request, report)
