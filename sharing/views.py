from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from genocidewatch import pagecache, storedfiles
from reports.models import Country, Report, Stage
from reports.views import current_reports, visible_reports
from reports.workflow import can_preview

from . import cards, pages


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
        # A share made before the report changed names an older card: show the current one.
        # Not permanent, since the current card changes with the report.
        return redirect(cards.card_path(report))
    return cards.send_card(request, report)


def _send_page_card(request, card, version):
    if version != card.version:
        return redirect(card.path)
    return storedfiles.send(
        request,
        default_storage,
        card.stored(),
        public=True,
        last_modified=pagecache.last_change(),
        content_type="image/png",
        download_name=f"{card.kind}-{card.key or 'home'}.png",
        version=card.version,
    )


def home_card(request, version):
    return _send_page_card(request, pages.home_card(current_reports()), version)


def country_card(request, slug, version):
    country = get_object_or_404(Country, slug=slug)
    current = current_reports().filter(country=country).first()
    if current is None:
        raise Http404("No public report on this country.")
    return _send_page_card(request, pages.country_card(country, current), version)


def stage_card(request, number, version):
    stage = get_object_or_404(Stage, number=number)
    return _send_page_card(request, pages.stage_card(stage), version)
