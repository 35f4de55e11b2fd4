from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries

from reports.models import AlertLevel, Country, Report, Stage

from . import factories

pytestmark = pytest.mark.django_db


def test_the_ten_stages_exist_in_order_with_descriptions():
    stages = list(Stage.objects.all())
    assert [s.number for s in stages] == list(range(1, 11))
    assert stages[0].name == "Classification"
    assert stages[9].name == "Denial"
    assert all(s.description for s in stages)
    assert str(stages[4]) == "5 · Organization"


def test_a_published_report_whose_time_has_come_is_public():
    report = factories.published_report()
    assert list(Report.objects.public()) == [report]
    assert report.is_public


def test_a_draft_is_not_public_even_with_a_past_publication_time():
    report = factories.draft_report(published_at=timezone.now() - timedelta(days=1))
    assert not Report.objects.public().exists()
    assert not report.is_public


def test_a_report_scheduled_for_later_is_not_public_until_its_time():
    report = factories.scheduled_report(published_at=timezone.now() + timedelta(minutes=5))
    assert not Report.objects.public().exists()
    Report.objects.filter(pk=report.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert list(Report.objects.public()) == [report]


def test_publishing_without_a_time_publishes_now():
    before = timezone.now()
    report = factories.report(status=Report.Status.PUBLISHED, published_at=None)
    assert before <= report.published_at <= timezone.now()
    assert Report.objects.public().filter(pk=report.pk).exists()


def test_the_database_refuses_a_published_report_without_a_publication_time():
    report = factories.published_report()
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(published_at=None)


def test_the_database_refuses_an_implausible_year():
    report = factories.draft_report()
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(year=12)


def test_the_headline_is_derived_from_alert_level_and_country():
    report = factories.report(alert_level=AlertLevel.EMERGENCY)
    assert report.headline == "Genocide Emergency Alert: Mali"
    report.alert_level = AlertLevel.WATCH
    assert report.headline == "Genocide Watch Alert: Mali"


def test_an_editor_may_override_the_headline():
    report = factories.report(headline_override="Mali: civilians under fire")
    assert report.headline == "Mali: civilians under fire"


def test_each_alert_level_is_explained():
    for level in AlertLevel:
        assert len(level.description) > 40


def test_hostile_html_in_the_body_is_removed_on_save():
    report = factories.report(
        body='<p onclick="steal()">Text<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">x</a><iframe src="https://evil.example"></iframe>'
        '<h2 style="color:red">Heading</h2><img src=x onerror=alert(1)>'
    )
    report.refresh_from_db()
    assert "script" not in report.body
    assert "onclick" not in report.body
    assert "javascript:" not in report.body
    assert "iframe" not in report.body
    assert "style" not in report.body
    assert "<img" not in report.body
    assert "<h2>Heading</h2>" in report.body
    assert "<p>Text</p>" in report.body


def test_links_in_the_body_keep_their_address_and_leak_no_referrer():
    report = factories.report(body='<p><a href="https://example.org/a" target="_blank">a</a></p>')
    assert report.body == ('<p><a href="https://example.org/a" rel="noopener noreferrer">a</a></p>')


def test_a_country_takes_its_standard_name_and_slug_when_left_empty():
    country = Country.objects.create(code="CD")
    assert country.name == countries.name("CD")
    assert country.slug == slugify(countries.name("CD"))
    assert Country.objects.create(code="ML").slug == "mali"


def test_a_country_slug_clash_is_a_form_message_not_a_crash():
    Country.objects.create(code="ML", slug="mali")
    other = Country(code="SN", name="Senegal", slug="mali")
    with pytest.raises(ValidationError) as error:
        other.full_clean()
    assert "slug" in error.value.message_dict


def test_recommendations_keep_their_order():
    report = factories.report()
    factories.furnish(report, recommendations=3, attachments=0)
    texts = [r.text for r in report.recommendations.all()]
    assert texts == ["should act on point 0.", "should act on point 1.", "should act on point 2."]
