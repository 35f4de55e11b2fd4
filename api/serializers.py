"""What the API says about each thing. Every address in it is absolute; every id is stable
(a report's and a country's slug, a stage's number, a row's numeric id)."""

from django.conf import settings
from rest_framework import serializers

from genocidewatch.links import link
from reports.models import Addressee, AlertLevel, Language


class LinkField(serializers.URLField):
    """An absolute address made from the object by `path_of`."""

    def __init__(self, path_of, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)
        self.path_of = path_of

    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(self.path_of(value))


def api_link(viewname, **kwargs_of):
    """`path_of` for LinkField: the API address `viewname` with arguments read from the object."""
    return lambda obj: link(viewname, **{k: get(obj) for k, get in kwargs_of.items()})


def page_link(obj):
    return obj.get_absolute_url()


class StageRefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    url = LinkField(api_link("api:stage", number=lambda s: s.number))
    page_url = LinkField(page_link, help_text="The stage's page on the site.")


class StageSerializer(StageRefSerializer):
    slug = serializers.SlugField()
    description = serializers.CharField()


class CountryRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    code = serializers.CharField(help_text="ISO 3166-1 alpha-2 code.")
    name = serializers.CharField()
    url = LinkField(api_link("api:country", slug=lambda c: c.slug))
    page_url = LinkField(page_link)


class ReportRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = LinkField(api_link("api:report", slug=lambda r: r.slug))
    page_url = LinkField(page_link)


class AddresseeRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Addressee.Kind.choices)
    url = LinkField(api_link("api:addressee", slug=lambda a: a.slug))


def alert_level():
    return serializers.ChoiceField(choices=AlertLevel.choices)


def alert_level_name():
    return serializers.CharField(source="get_alert_level_display")


class TranslationSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    title = serializers.CharField()
    url = LinkField(page_link, help_text="The translation's page on the site.")


class EvidenceSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="What in the country shows this stage.")
    source = serializers.URLField(
        allow_null=True, help_text="Where it can be checked; null when no link was given."
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["source"] = data["source"] or None
        return data


class StageInReportSerializer(StageRefSerializer):
    evidence = EvidenceSerializer(
        allow_null=True, help_text="Why the report names this stage, when it says."
    )


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = LinkField(api_link("api:report", slug=lambda r: r.slug))
    page_url = LinkField(page_link, help_text="The report's page on the site.")
    slug = serializers.SlugField()
    title = serializers.CharField()
    headline = serializers.CharField()
    country = CountryRefSerializer()
    year = serializers.IntegerField()
    alert_level = alert_level()
    alert_level_name = alert_level_name()
    stages = StageRefSerializer(many=True, help_text="The stages of genocide the report names.")
    summary = serializers.CharField()
    published_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, help_text="The language the report was written in."
    )
    translations = TranslationSerializer(
        many=True,
        source="public_translation_list",
        help_text="Its translations readers can read, by language.",
    )


class RecommendationInReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    addressee = AddresseeRefSerializer()
    text = serializers.CharField(help_text="Continues the sentence after the addressee's name.")


class EditionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(source="display_title")
    language = serializers.ChoiceField(choices=Language.choices)
    size = serializers.IntegerField(help_text="In bytes.")
    page_count = serializers.IntegerField()
    sha256 = serializers.CharField(help_text="SHA-256 of the file, in hexadecimal.")
    url = LinkField(page_link, help_text="Where to download the PDF.")


class VersionNoteSerializer(serializers.Serializer):
    made_at = serializers.DateTimeField()
    note = serializers.CharField(allow_blank=True)
    typo_fix = serializers.BooleanField(source="minor")


class ReportDetailSerializer(ReportSerializer):
    stages = StageInReportSerializer(
        many=True, help_text="The stages of genocide the report names, with their evidence."
    )
    authors = serializers.ListField(child=serializers.CharField())
    body = serializers.CharField(allow_blank=True, help_text="The report's text, as HTML.")
    recommendations = RecommendationInReportSerializer(many=True)
    editions = EditionSerializer(many=True, source="attachments", help_text="PDF editions.")
    version_notes = VersionNoteSerializer(
        many=True,
        source="corrections",
        help_text="Changes published to the report since it first appeared, oldest first.",
    )


class StatusSerializer(serializers.Serializer):
    """A country's status as one public report gave it."""

    year = serializers.IntegerField()
    alert_level = alert_level()
    alert_level_name = alert_level_name()
    stages = StageRefSerializer(many=True)
    published_at = serializers.DateTimeField()
    report = ReportRefSerializer(source="*")


class CountrySerializer(CountryRefSerializer):
    current = StatusSerializer(
        source="current_report",
        allow_null=True,  # only if the report was unpublished while the list was being read
        help_text="As the latest public report gives it.",
    )
    reports_url = LinkField(
        lambda c: f"{link('api:reports')}?country={c.slug}",
        help_text="The country's public reports.",
    )


class ChangeSerializer(serializers.Serializer):
    """A dated change of a country's assessment, with the reason the editor gave."""

    id = serializers.IntegerField()
    changed_at = serializers.DateTimeField(help_text="When the change became public.")
    level_from = alert_level()
    level_from_name = serializers.CharField(source="level_from_label")
    level_to = alert_level()
    level_to_name = serializers.CharField(source="level_to_label")
    stages_added = serializers.ListField(child=serializers.IntegerField(), help_text="Numbers.")
    stages_removed = serializers.ListField(child=serializers.IntegerField(), help_text="Numbers.")
    summary = serializers.CharField(help_text="The change in words.")
    reason = serializers.CharField(allow_blank=True)
    report = ReportRefSerializer(help_text="The report that made the change.")
    page_url = LinkField(page_link, help_text="The change in the country's change log.")


class CountryChangeSerializer(ChangeSerializer):
    country = CountryRefSerializer()


class CountryDetailSerializer(CountrySerializer):
    history = StatusSerializer(
        many=True, help_text="For each year with a public report, the latest one, oldest first."
    )
    changes = ChangeSerializer(
        many=True, help_text="The country's change log: dated changes with reasons, newest first."
    )


class CountryStatusSerializer(StatusSerializer):
    country = CountryRefSerializer()


class StageDetailSerializer(StageSerializer):
    countries = CountryStatusSerializer(
        many=True,
        source="current_reports",
        help_text="The countries whose latest public report names this stage.",
    )


class AddresseeSerializer(AddresseeRefSerializer):
    kind_name = serializers.CharField(source="get_kind_display")
    page_url = LinkField(page_link)
    recommendation_count = serializers.IntegerField(help_text="In public reports.")
    recommendations_url = LinkField(lambda a: f"{link('api:recommendations')}?addressee={a.slug}")


class RecommendationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField(help_text="Its place among the report's recommendations.")
    addressee = AddresseeRefSerializer()
    text = serializers.CharField()
    report = ReportRefSerializer()
    country = CountryRefSerializer(source="report.country")
    published_at = serializers.DateTimeField(source="report.published_at")
