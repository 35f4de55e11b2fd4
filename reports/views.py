import json
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import InvalidPage, Paginator
from django.db import connection
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from genocidewatch import storedfiles
from genocidewatch.languages import language_neutral
from pages.chrome import identity as site_identity
from sharing import cards, pages
from sharing.cards import card_path

from . import citations, images, search, translations, worldmap
from .forms import RecommendationFilterForm, ReportFilterForm
from .models import (
    Addressee,
    AlertLevel,
    Attachment,
    Country,
    FormerCountrySlug,
    Recommendation,
    Report,
    Stage,
    StatusChange,
)
from .workflow import can_preview

logger = logging.getLogger(__name__)


def visible_reports(request):
    return Report.objects.visible_to(request.user)


def current_reports():
    """Each country's latest public report, with what status pages show of it."""
    return Report.objects.current().select_related("country").prefetch_related("stages")


def page_card_context(request, card, description):
    """What templates/includes/social_meta.html needs: the page's card and addresses."""
    return {
        "card": card,
        "social_description": description,
        "card_url": request.build_absolute_uri(card.path),
        "page_url": request.build_absolute_uri(request.path),
    }


def by_alert_level(reports):
    """[(level, [reports…]), …] from the most to the least severe level."""
    levels = [AlertLevel.EMERGENCY, AlertLevel.WARNING, AlertLevel.WATCH]
    groups = {level: [] for level in levels}
    for report in sorted(reports, key=lambda r: r.country.name):
        groups[report.alert_level].append(report)
    return [(level, groups[level]) for level in levels]


class HomeView(TemplateView):
    template_name = "reports/home.html"

    def get_context_data(self, **kwargs):
        language = get_language()
        current = translations.localise(current_reports(), language)
        return super().get_context_data(
            levels=by_alert_level(current),
            map=worldmap.world_map(current),
            **page_card_context(
                self.request,
                pages.home_card(current),
                # The organisation's own words when staff wrote them (pages.Identity).
                site_identity().description
                or gettext(
                    "%(site)s publishes early-warning reports and alerts on countries at "
                    "risk of genocide."
                )
                % {"site": site_identity().name},
            ),
            latest_reports=translations.localise(
                Report.objects.public().for_list().newest_first()[:6], language
            ),
            **kwargs,
        )


class CleanFilterAddress:
    """Send a submitted filter form to the address that names only what was chosen.

    A form names every field, the empty ones too (`?q=&country=&stage=…`); the address a
    reader shares or bookmarks should not. Done here rather than in a script, so it works
    with JavaScript off.
    """

    def get(self, request, *args, **kwargs):
        chosen = QueryDict(mutable=True)
        for key, values in request.GET.lists():
            kept = [value for value in values if value.strip()]
            if kept:
                chosen.setlist(key, kept)
        if chosen != request.GET:
            query = chosen.urlencode()
            return redirect(f"{request.path}?{query}" if query else request.path)
        return super().get(request, *args, **kwargs)


def list_canonical_url(request, page_obj):
    """A list's one address for crawlers: the page of the unfiltered list (filtered and
    searched lists are marked `noindex` instead, so crawlers do not walk every combination)."""
    number = page_obj.number if page_obj else 1
    return request.build_absolute_uri(request.path + (f"?page={number}" if number > 1 else ""))


class ReportListView(CleanFilterAddress, ListView):
    paginate_by = 20

    def get_queryset(self):
        self.form = ReportFilterForm(self.request.GET or None)
        self.form.is_valid()
        public = Report.objects.public()
        self.query = self.form.values.get("q", "")
        searched = search.search(public, self.query, get_language()) if self.query else public
        self.form.count_facets(searched)
        reports = self.form.apply(searched).for_list()
        return reports if self.query else reports.newest_first()

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = self.form.total  # counted with the facets: no COUNT query of its own
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(form=self.form, query=self.query, **kwargs)
        shown = translations.localise(context["object_list"], get_language())
        context["object_list"] = context["report_list"] = shown
        if self.query:
            search.snippets(shown, self.query)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["filter_query"] = params.urlencode()
        context["canonical_url"] = list_canonical_url(self.request, context["page_obj"])
        return context


class ReportDetailView(DetailView):
    def get_queryset(self):
        # The page's parts are read once it is known which report the page shows.
        return visible_reports(self.request).for_page(parts=False)

    def get_object(self, queryset=None):
        # In the reader's language: the translation into it where readers may see one,
        # else the original, with a notice that it is not translated yet. The original is
        # found first: most have no translation (`has_translations`), and asking for one
        # by the original's id is a far smaller query than by address.
        language = get_language()
        self.staff = can_preview(self.request.user)
        original = super().get_object()
        if original.language != language:
            translated = original.has_translations and self._translation(original, language)
            if translated:
                return translated
        shown = self._with_pending_changes(original)
        if shown is original:
            Report.objects.read_page_parts([original])
        shown.not_translated = shown.language != language
        return shown

    def _translation(self, original, language):
        # Staff may preview a translation in any state; readers see a published one, its
        # original being public already (`visible_reports`).
        translated = next(
            (
                found
                for found in original.translations_as_read()
                if found.language == language
                and (self.staff or found.workflow_state == Report.State.PUBLIC)
            ),
            None,
        )
        if translated is None:
            return None
        translated.country = original.country
        shown = self._with_pending_changes(translated)
        if shown is translated:
            Report.objects.read_page_parts([translated])
        shown.translation_of = original
        # The PDF editions are the original's: the one in this language, or all of them.
        Report.objects.read_page_parts([original], only=["attachments"])
        shown._prefetched_objects_cache["attachments"] = translations.editions_in(
            original.attachments.all(), language
        )
        return shown

    def _with_pending_changes(self, report):
        # Staff see the pending changes to a published report at its address, under a
        # banner (`?published` shows them what readers see); readers never reach this.
        if (
            report.status == Report.Status.PUBLISHED
            and "published" not in self.request.GET
            and self.staff
        ):
            pending = Report.objects.for_page().filter(revises=report).first()
            if pending is not None:
                # The banner names the live report's last update.
                Report.objects.read_page_parts([report], only=["corrections"])
                pending.live = report
                return pending
        return report

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        url = self.request.build_absolute_uri(self.object.get_absolute_url())
        context["canonical_url"] = url
        context["citation"] = citations.reference(self.object, url)
        # Worked out once: the card's name hashes what it shows, and the head and the
        # JSON-LD both give it.
        context["card_url"] = self.request.build_absolute_uri(card_path(self.object))
        context["structured_data"] = structured_data(
            self.request, self.object, url, context["card_url"]
        )
        # The languages readers may read this report in: the page offers only those.
        original = self.object.translation_of or self.object
        context["translated_languages"] = [
            original.language,
            *original.public_translation_languages(),
        ]
        context["all_stages"] = Stage.objects.ten()
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.object.is_public:
            # A preview must never be kept by a browser or a shared cache.
            add_never_cache_headers(response)
        return response


def site_logo():
    """The organisation's logo, as search engines and reference managers are shown it: the
    one staff set (pages.Identity), else the site's icon."""
    from pages.chrome import identity

    return identity().logo_url() or static("img/favicon.svg")


def structured_data(request, report, url, card_url):
    """schema.org description of a report, for search engines and reference managers."""
    data = {
        "@context": "https://schema.org",
        "@type": "Report",
        "name": report.title,
        "headline": report.headline,
        "inLanguage": report.language,
        "description": report.summary,
        "url": url,
        "dateModified": report.updated_at.isoformat(),
        "author": [{"@type": "Person", "name": author.name} for author in report.authors],
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "image": {
            "@type": "ImageObject",
            "url": card_url,
            "width": cards.WIDTH,
            "height": cards.HEIGHT,
        },
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": request.build_absolute_uri("/"),
            "logo": {"@type": "ImageObject", "url": request.build_absolute_uri(site_logo())},
        },
        "about": {"@type": "Country", "name": report.country.local_name},
        "keywords": [report.get_alert_level_display()]
        + [f"Stage {s.number}: {s.local_name}" for s in report.stages.all()],
        # Each stage the report names, with why: the evidence note and its source.
        "mentions": [
            {
                "@type": "DefinedTerm",
                "name": f"Stage {stage.number}: {stage.local_name}",
                "url": request.build_absolute_uri(stage.get_absolute_url()),
                **({"description": why.note} if why else {}),
                **({"citation": why.source} if why and why.source else {}),
            }
            for stage, why in report.stages_with_evidence
        ],
        "encoding": [
            {
                "@type": "MediaObject",
                "encodingFormat": "application/pdf",
                "contentUrl": request.build_absolute_uri(a.get_absolute_url()),
                "contentSize": f"{a.size} B",
                "inLanguage": a.language,
            }
            for a in report.attachments.all()
        ],
    }
    if report.published_at:
        data["datePublished"] = report.published_at.isoformat()
    # Safe inside <script>: no "<", ">" or "&" can close the element or open a comment.
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - JSON with the characters that matter escaped


def _visible_attachment(request, slug, pk):
    return get_object_or_404(
        Attachment.objects.select_related("report"),
        pk=pk,
        report__in=visible_reports(request).filter(slug=slug),
    )


def _send_edition_file(request, attachment, fieldfile, **details):
    """The PDF of an edition, or its preview: public exactly when the report is."""
    return storedfiles.send(
        request,
        fieldfile.storage,
        fieldfile.name,
        public=attachment.report.is_public,
        last_modified=attachment.updated_at,
        **details,
    )


@language_neutral
def attachment_download(request, slug, pk, filename):
    attachment = _visible_attachment(request, slug, pk)
    if filename != attachment.filename:
        # Old or mistyped names still reach the file, at its one canonical address.
        return redirect(attachment.get_absolute_url(), permanent=attachment.report.is_public)
    return _send_edition_file(
        request,
        attachment,
        attachment.file,
        content_type="application/pdf",
        download_name=attachment.download_name,
        version=attachment.sha256,
    )


@language_neutral
def report_image(request, slug, name):
    report = get_object_or_404(visible_reports(request), slug=slug)
    stored = {n.rsplit("/", 1)[-1]: n for n in report.image_names}
    if name not in stored:
        raise Http404("No such image.")
    return storedfiles.send(
        request,
        report.lead_image.storage,
        stored[name],
        public=report.is_public,
        last_modified=report.updated_at,
        content_type=images.CONTENT_TYPES[name.rsplit(".", 1)[-1]],
        download_name=name,
        version=name,  # a stored image never changes under its name
    )


@language_neutral
def attachment_preview(request, slug, pk):
    attachment = _visible_attachment(request, slug, pk)
    if not attachment.preview:
        raise Http404("This edition has no preview.")
    return _send_edition_file(
        request,
        attachment,
        attachment.preview,
        content_type="image/webp",
        download_name=f"{attachment.filename.removesuffix('.pdf')}-page-{attachment.preview_page}.webp",
        version=f"{attachment.sha256[:32]}-{attachment.preview_page}",
    )


class CountryListView(TemplateView):
    template_name = "reports/country_list.html"

    def get_context_data(self, **kwargs):
        sort = "name" if self.request.GET.get("sort") == "name" else "level"
        reports = sorted(
            translations.localise(current_reports(), get_language()),
            key=lambda r: r.country.name,
        )
        if sort == "level":
            severity = {AlertLevel.EMERGENCY: 0, AlertLevel.WARNING: 1, AlertLevel.WATCH: 2}
            reports.sort(key=lambda r: severity[r.alert_level])
        return super().get_context_data(
            current=reports,
            sort=sort,
            map=worldmap.world_map(reports),
            canonical_url=self.request.build_absolute_uri(self.request.path),
            **kwargs,
        )


def to_renamed_country(slug, viewname):
    """A permanent redirect from a country's former address to the same page at its
    current one; 404 when no country ever had the slug."""
    country = FormerCountrySlug.country_for(slug)
    if country is None:
        raise Http404("No such country.")
    return redirect(viewname, slug=country.slug, permanent=True)


COUNTRY_PAGE_REPORTS = 12


class CountryDetailView(DetailView):
    """A country's status now, its whole grid of years and stages and change log, and its
    reports a page at a time (with their recommendations): a country with a long history
    stays a light page."""

    model = Country

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Country.DoesNotExist:
            return to_renamed_country(kwargs["slug"], "reports:country")

    def get_object(self, queryset=None):
        # Not found is not yet a 404: the slug may be one the country had before.
        country = Country.objects.get(slug=self.kwargs["slug"])
        self.public = Report.objects.public().filter(country=country)
        # For the grid: each year's latest report, read without its words.
        self.every_report = list(
            self.public.newest_first().only(
                "pk", "year", "alert_level", "slug", "language", "published_at"
            )
        )
        if not self.every_report:
            raise Http404("No public report on this country.")
        latest_per_year = {}
        for report in self.every_report:  # newest first: the first seen is the year's latest
            latest_per_year.setdefault(report.year, report)
        self.latest_per_year = latest_per_year
        return country

    def get_context_data(self, **kwargs):
        language = get_language()
        try:
            # Paged over the rows the grid read already: no count query.
            page = Paginator(self.every_report, COUNTRY_PAGE_REPORTS).page(
                self.request.GET.get("page") or 1
            )
        except InvalidPage as invalid:
            raise Http404(str(invalid)) from invalid
        shown = [report.pk for report in page.object_list]
        full = self.public.filter(pk__in=shown).for_list().prefetch_related("stages")
        by_pk = {report.pk: report for report in full}
        # (One unpublished between the two reads is left out, not an error.)
        reports = translations.localise([by_pk[pk] for pk in shown if pk in by_pk], language)
        current = reports[0] if page.number == 1 and reports else None
        if current is None:  # a later page: the status is still the newest report's
            newest = self.public.select_related("country").prefetch_related("stages")
            newest = newest.newest_first().first()
            if newest is None:
                raise Http404("No public report on this country.")
            current = translations.localise([newest], language)[0]
        stages = Stage.objects.ten()
        years = sorted(self.latest_per_year.items())
        latest = [report for _, report in years]
        prefetch_related_objects(latest, "stages")
        latest = translations.localise(latest, language)
        grid = [
            (year, report, [stage in report.stages.all() for stage in stages])
            for (year, _), report in zip(years, latest, strict=True)
        ]
        recommendations = (
            Recommendation.objects.filter(report__in=reports)
            .select_related("addressee", "report")
            .order_by("-report__published_at", "order")
        )
        social = page_card_context(
            self.request,
            pages.country_card(self.object, current),
            f"{self.object.name}: {current.get_alert_level_display()}. {current.summary}",
        )
        social["page_url"] = list_canonical_url(self.request, page)  # each page its own
        return super().get_context_data(
            current=current,
            **social,
            reports=reports,
            page_obj=page,
            stages=stages,
            grid=grid,
            recommendations=recommendations,
            changes=StatusChange.objects.public()
            .filter(country=self.object)
            .for_display()
            .newest_first(),
            **kwargs,
        )


STAGE_PAGE_REPORTS = 30


class StageListView(ListView):
    model = Stage


class StageDetailView(DetailView):
    slug_field = "number"
    slug_url_kwarg = "number"
    model = Stage

    def get_context_data(self, **kwargs):
        tagged = Report.objects.public().filter(stages=self.object)
        language = get_language()
        return super().get_context_data(
            current=translations.localise(
                current_reports().filter(stages=self.object).order_by("country__name"), language
            ),
            reports=translations.localise(
                tagged.for_list().newest_first()[:STAGE_PAGE_REPORTS], language
            ),
            report_count=tagged.count(),
            **page_card_context(
                self.request,
                pages.stage_card(self.object),
                Truncator(self.object.description).chars(300),
            ),
            **kwargs,
        )


def public_recommendations():
    return (
        Recommendation.objects.filter(report__in=Report.objects.public())
        .select_related("addressee", "report", "report__country")
        .order_by("-report__published_at", "report_id", "order")
    )


class RecommendationListView(CleanFilterAddress, ListView):
    template_name = "reports/recommendation_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.form = RecommendationFilterForm(self.request.GET or None)
        self.form.is_valid()
        recommendations = public_recommendations()
        self.form.count_facets(recommendations)
        return self.form.apply(recommendations)

    def get_context_data(self, **kwargs):
        params = self.request.GET.copy()
        params.pop("page", None)
        context = super().get_context_data(
            form=self.form, filter_query=params.urlencode(), **kwargs
        )
        context["canonical_url"] = list_canonical_url(self.request, context["page_obj"])
        return context


class AddresseeDetailView(DetailView):
    model = Addressee

    def get_object(self, queryset=None):
        addressee = super().get_object(queryset)
        self.recommendations = list(public_recommendations().filter(addressee=addressee))
        if not self.recommendations:
            raise Http404("Nothing public is addressed to them.")
        return addressee

    def get_context_data(self, **kwargs):
        return super().get_context_data(recommendations=self.recommendations, **kwargs)


def report_citation(request, slug, fmt):
    report = get_object_or_404(
        Report.objects.public()
        .select_related("country")
        .prefetch_related("authorships__author", "corrections"),
        slug=slug,
    )
    report = (
        Report.objects.public_translations()
        .filter(translation_of=report, language=get_language())
        .select_related("country", "translation_of")
        .prefetch_related("authorships__author", "corrections")
        .first()
        or report
    )
    if fmt not in citations.FORMATS:
        raise Http404("No such citation format.")
    content_type, extension = citations.FORMATS[fmt]
    url = request.build_absolute_uri(report.get_absolute_url())
    response = HttpResponse(citations.RENDERERS[fmt](report, url), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.slug}.{extension}"'
    return response


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@never_cache
def healthz(request):
    """200 when the database and the cache answer, 503 otherwise; never says which failed."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        cache.set("healthz", "ok", timeout=10)
        healthy = cache.get("healthz") == "ok"
    except Exception:
        logger.exception("Health check failed")
        healthy = False
    return HttpResponse(
        "ok\n" if healthy else "unavailable\n",
        status=200 if healthy else 503,
        content_type="text/plain; charset=utf-8",
    )
