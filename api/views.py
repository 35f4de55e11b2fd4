"""The read API: only what `Report.objects.public()` allows, in a fixed number of queries.

Responses are ordinary public GET responses, so the site's middleware gives them their
Cache-Control, ETag and 304s, the page cache stores them, and any content change retires
them (genocidewatch/pagecache.py, genocidewatch/effects.py).
"""

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.generic import TemplateView
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from genocidewatch.links import link
from reports.models import (
    Addressee,
    Country,
    FormerCountrySlug,
    Recommendation,
    Report,
    Stage,
    StatusChange,
)
from reports.views import public_recommendations

from . import serializers as out
from .filters import ChangeFilter, RecommendationFilter, ReportFilter

NOT_FOUND = OpenApiResponse(
    inline_serializer("NotFound", {"detail": serializers.CharField()}),
    description="Nothing public at this address.",
)
PAGE_NOT_FOUND = OpenApiResponse(
    inline_serializer("PageNotFound", {"detail": serializers.CharField()}),
    description="No such page of the list.",
)
BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="A query parameter was refused: each refused parameter is a key, with the "
    "reasons as a list of messages.",
)
FIELDS = OpenApiParameter(
    "fields",
    str,
    description="Comma-separated names of the fields to include, e.g. `slug,title,url`; "
    "all fields when not given.",
)


class FieldsMixin:
    """`?fields=a,b` keeps only those fields of each item; an unknown name is a 400."""

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        wanted = self.request.query_params.get("fields")
        if wanted is None:
            return serializer
        item = serializer.child if kwargs.get("many") else serializer
        names = [name.strip() for name in wanted.split(",") if name.strip()]
        unknown = [name for name in names if name not in item.fields]
        if unknown or not names:
            raise ValidationError(
                {
                    "fields": [
                        f"No field '{unknown[0] if unknown else wanted}'. "
                        f"Choose from: {', '.join(item.fields)}."
                    ]
                }
            )
        for name in list(item.fields):
            if name not in names:
                item.fields.pop(name)
        return serializer


def with_translations(reports):
    """Each report with `public_translation_list`: its public translations, by language, read
    in one query for the lot. Drafts, scheduled translations and working copies never."""
    return reports.prefetch_related(
        Prefetch(
            "translations",
            queryset=Report.objects.public_translations()
            .filter(revises__isnull=True)
            .only("pk", "translation_of", "language", "title", "slug")
            .order_by("language"),
            to_attr="public_translation_list",
        )
    )


@extend_schema(
    tags=["reports"],
    parameters=[FIELDS],
    responses={200: out.ReportSerializer(many=True), 400: BAD_REQUEST, 404: PAGE_NOT_FOUND},
)
class ReportList(FieldsMixin, ListAPIView):
    """Public reports, newest first, 20 a page (`page_size` up to 100)."""

    serializer_class = out.ReportSerializer
    filterset_class = ReportFilter

    def get_queryset(self):
        return with_translations(
            Report.objects.public()
            .select_related("country")
            .prefetch_related("stages")
            .newest_first()
        )

    def list(self, request, *args, **kwargs):
        self.get_serializer([], many=True)  # refuse a bad ?fields= before any query
        return super().list(request, *args, **kwargs)


@extend_schema_view(
    get=extend_schema(
        tags=["reports"],
        parameters=[FIELDS],
        responses={200: out.ReportDetailSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
)
class ReportDetail(FieldsMixin, RetrieveAPIView):
    """One public report: its recommendations, stages, PDF editions and version notes."""

    serializer_class = out.ReportDetailSerializer

    def get_object(self):
        self.get_serializer(None)  # refuse a bad ?fields= before any query
        report = (
            with_translations(Report.objects.public().for_page())
            .filter(slug=self.kwargs["slug"])
            .first()
        )
        if report is None:
            raise NotFound(f"No report '{self.kwargs['slug']}'. Use a slug from /api/v1/reports/.")
        for stage, evidence in report.stages_with_evidence:
            stage.evidence = evidence
        return report


def with_current_reports(countries):
    """Give each country its latest public report, in one query for the lot."""
    current = {
        report.country_id: report
        for report in Report.objects.current()
        .filter(country__in=[c.pk for c in countries])
        .prefetch_related("stages")
    }
    for country in countries:
        country.current_report = current.get(country.pk)
    return countries


def countries_with_public_reports():
    return Country.objects.filter(pk__in=Report.objects.public().values("country_id"))


@extend_schema(
    tags=["countries"],
    responses={200: out.CountrySerializer(many=True), 404: PAGE_NOT_FOUND},
)
class CountryList(ListAPIView):
    """Countries with a public report, by name, each with its current alert level and stages."""

    serializer_class = out.CountrySerializer

    def get_queryset(self):
        return countries_with_public_reports().order_by("name", "pk")

    def paginate_queryset(self, queryset):
        return with_current_reports(super().paginate_queryset(queryset))


@extend_schema_view(
    get=extend_schema(
        tags=["countries"], responses={200: out.CountryDetailSerializer, 404: NOT_FOUND}
    )
)
class CountryDetail(RetrieveAPIView):
    """One country: its current status and, year by year, the history of its public reports."""

    serializer_class = out.CountryDetailSerializer

    def get(self, request, *args, **kwargs):
        slug = kwargs["slug"]
        if not Country.objects.filter(slug=slug).exists():
            renamed = FormerCountrySlug.country_for(slug)
            if renamed is not None:
                return redirect(link("api:country", slug=renamed.slug), permanent=True)
        return super().get(request, *args, **kwargs)

    def get_object(self):
        slug = self.kwargs["slug"]
        reports = list(
            Report.objects.public()
            .filter(country__slug=slug)
            .select_related("country")
            .prefetch_related("stages")
            .newest_first()
        )
        if not reports:
            raise NotFound(f"No country '{slug}'. Use a slug from /api/v1/countries/.")
        country = reports[0].country
        country.current_report = reports[0]
        latest_per_year = {}
        for report in reports:  # newest first: the first seen is the year's latest
            latest_per_year.setdefault(report.year, report)
        country.history = [latest_per_year[year] for year in sorted(latest_per_year)]
        country.changes = list(public_changes().filter(country=country))
        return country


def public_changes():
    """The change log as readers see it on the countries' pages, newest first."""
    return StatusChange.objects.public().for_display().newest_first()


@extend_schema(
    tags=["changes"],
    responses={
        200: out.CountryChangeSerializer(many=True),
        400: BAD_REQUEST,
        404: PAGE_NOT_FOUND,
    },
)
class ChangeList(ListAPIView):
    """Every country's change log in one list: dated changes of alert level or stages, with
    the reasons, newest first."""

    serializer_class = out.CountryChangeSerializer
    filterset_class = ChangeFilter

    def get_queryset(self):
        return public_changes()


@extend_schema(
    tags=["stages"], responses={200: out.StageSerializer(many=True), 404: PAGE_NOT_FOUND}
)
class StageList(ListAPIView):
    """The ten stages of genocide."""

    serializer_class = out.StageSerializer
    queryset = Stage.objects.all()


@extend_schema_view(
    get=extend_schema(tags=["stages"], responses={200: out.StageDetailSerializer, 404: NOT_FOUND})
)
class StageDetail(RetrieveAPIView):
    """One stage, with the countries whose latest public report names it."""

    serializer_class = out.StageDetailSerializer

    def get_object(self):
        number = self.kwargs["number"]
        stage = Stage.objects.filter(number=number).first() if 1 <= number <= 10 else None
        if stage is None:
            raise NotFound(f"No stage {number}. Stages are numbered 1 to 10.")
        stage.current_reports = (
            Report.objects.current()
            .filter(stages=stage)
            .select_related("country")
            .prefetch_related("stages")
            .order_by("country__name")
        )
        return stage


@extend_schema(
    tags=["recommendations"],
    responses={
        200: out.RecommendationSerializer(many=True),
        400: BAD_REQUEST,
        404: PAGE_NOT_FOUND,
    },
)
class RecommendationList(ListAPIView):
    """Recommendations in public reports, newest report first, in each report's order."""

    serializer_class = out.RecommendationSerializer
    filterset_class = RecommendationFilter

    def get_queryset(self):
        # The pages' order, made total so that paging never repeats or skips one.
        return public_recommendations().order_by(
            "-report__published_at", "report_id", "order", "pk"
        )


def addressees_in_public_reports():
    public = Report.objects.public()
    return Addressee.objects.filter(
        pk__in=Recommendation.objects.filter(report__in=public).values("addressee_id")
    ).annotate(
        recommendation_count=Count("recommendations", filter=Q(recommendations__report__in=public))
    )


@extend_schema(
    tags=["addressees"],
    responses={200: out.AddresseeSerializer(many=True), 404: PAGE_NOT_FOUND},
)
class AddresseeList(ListAPIView):
    """Everyone a public report makes a recommendation to, by name."""

    serializer_class = out.AddresseeSerializer

    def get_queryset(self):
        return addressees_in_public_reports().order_by("name")


@extend_schema_view(
    get=extend_schema(tags=["addressees"], responses={200: out.AddresseeSerializer, 404: NOT_FOUND})
)
class AddresseeDetail(RetrieveAPIView):
    """One addressee; their recommendations are at `recommendations_url`."""

    serializer_class = out.AddresseeSerializer

    def get_object(self):
        slug = self.kwargs["slug"]
        addressee = addressees_in_public_reports().filter(slug=slug).first()
        if addressee is None:
            raise NotFound(f"No addressee '{slug}'. Use a slug from /api/v1/addressees/.")
        return addressee


class ApiRoot(APIView):
    """Where each collection is."""

    @extend_schema(
        tags=["index"],
        responses=inline_serializer(
            "Index",
            {
                name: serializers.URLField()
                for name in (
                    "reports",
                    "countries",
                    "changes",
                    "stages",
                    "recommendations",
                    "addressees",
                )
            }
            | {"schema": serializers.URLField(), "documentation": serializers.URLField()},
        ),
    )
    def get(self, request):
        names = {
            "reports": "api:reports",
            "countries": "api:countries",
            "changes": "api:changes",
            "stages": "api:stages",
            "recommendations": "api:recommendations",
            "addressees": "api:addressees",
            "schema": "api:schema",
            "documentation": "api:index",
        }
        return Response(
            {key: request.build_absolute_uri(link(name)) for key, name in names.items()}
        )


def unknown_address(request, *args, **kwargs):
    return JsonResponse(
        {"detail": "Nothing here. The API's addresses are listed at /api/v1/."}, status=404
    )


class ApiDocs(TemplateView):
    """A readable description of the API, rendered on the server (no script needed)."""

    template_name = "api/index.html"


# Swagger UI (from drf-spectacular-sidecar, served by us) styles its elements inline and
# draws icons as data: images; nothing it loads comes from another host.
SWAGGER_CSP = {
    **settings.SECURE_CSP,
    "style-src": [*settings.SECURE_CSP["style-src"], CSP.UNSAFE_INLINE],
    "img-src": [*settings.SECURE_CSP["img-src"], "data:"],
}
explorer = csp_override(SWAGGER_CSP)(TemplateView.as_view(template_name="api/explorer.html"))
