from django.http import Http404
from django.shortcuts import get_object_or_404

from reports.models import Report
from reports.views import visible_reports
from reports.workflow import can_preview

from . import cards


def report_card(request, slug, version):
    report = get_object_or_404(visible_reports(request).select_related("country"), slug=slug)
    if version != cards.card_version(report):
        # The card of one of its translations (the version names which): a French page
        # shares a card with the French title.
        translations = (
            Report.objects.translations()
            if can_preview(request.user)
            else Report.objects.public_translations()
        )
        for translated in translations.filter(translation_of=report).select_related("country"):
            if version == cards.card_version(translated):
                return cards.send_card(request, translated)
        raise Http404("This card shows an older version of the report.")
    return cards.send_card(request, report)
