"""The read API at /api/v1/: only public reports, filters that refuse what they do not know,
JSON errors, open CORS, conditional requests, the page cache and a fixed query count."""

import os
import socket
from datetime import timedelta

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports import translations, workflow
from reports.models import (
    AlertLevel,
    Correction,
    Country,
    FormerCountrySlug,
    Recommendation,
    Report,
    Stage,
    StageEvidence,
    StatusChange,
)

from . import factories
from .measurements import SUMMARY

pytestmark = pytest.mark.django_db

Status = Report.Status
HOST = "http://testserver"


@pytest.fixture
def api():
    """A client elsewhere on the web: no session, no cookies."""
    return Client()


def get(api, url, status=200, **headers):
    response = api.get(url, headers=headers)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def slugs(data):
    return [item["slug"] for item in data["results"]]


@pytest.fixture
def mali():
    return factories.furnish(
        factories.published_report(
            title="Mali Country Report 2023",
            slug="mali-2023",
            year=2023,
            alert_level=AlertLevel.EMERGENCY,
        ),
        stages=(5, 6, 8),
        recommendations=2,
        attachments=1,
    )


@pytest.fixture
def sudan():
    return factories.furnish(
        factories.published_report(
            country=factories.country("SD"),
            title="Sudan Country Report 2021",
            slug="sudan-2021",
            year=2021,
            alert_level=AlertLevel.WARNING,
            published_at=timezone.now() - timedelta(days=30),
        ),
        stages=(3, 5),
        recommendations=1,
        attachments=0,
    )


@pytest.fixture
def hidden(editor, mali):
    """A report in each state the public must never see, each with a canary in its text."""
    made = {
        "CANARYDRAFT": factories.draft_report(
            country=factories.country("MM"), slug="canarydraft", title="CANARYDRAFT report"
        ),
        "CANARYREVIEW": factories.report(
            status=Status.IN_REVIEW, slug="canaryreview", title="CANARYREVIEW report"
        ),
        "CANARYSCHEDULED": factories.scheduled_report(
            country=factories.country("RW"), slug="canaryscheduled", title="CANARYSCHEDULED"
        ),
        "CANARYUNPUBLISHED": factories.published_report(
            country=factories.country("BI"), slug="canaryunpublished", title="CANARYUNPUBLISHED"
        ),
    }
    for canary, report in made.items():
        factories.furnish(report, stages=(1, 2, 9), recommendations=0, attachments=1)
        Recommendation.objects.create(
            report=report,
            addressee=factories.addressee(f"The {canary} addressee"),
            text=f"should {canary}.",
        )
    workflow.report_unpublish(made["CANARYUNPUBLISHED"], user=editor)
    # Pending changes to a public report: a working copy, never public itself.
    copy = workflow.report_propose_changes(mali, user=editor)
    copy.title = "CANARYWORKINGCOPY"
    copy.summary = "CANARYWORKINGCOPY"
    copy.save()
    Recommendation.objects.create(
        report=copy, addressee=factories.addressee("The CANARYWORKINGCOPY addressee"), text="x"
    )
    made["CANARYWORKINGCOPY"] = copy
    # Translations readers must not see: a draft, a scheduled one, and a published one whose
    # original is not public.
    made["CANARYTRANSLATIONDRAFT"] = translated(mali, "fr", "CANARYTRANSLATIONDRAFT", None)
    made["CANARYTRANSLATIONSCHEDULED"] = translated(
        mali, "ar", "CANARYTRANSLATIONSCHEDULED", timezone.now() + timedelta(days=3)
    )
    made["CANARYORPHANTRANSLATION"] = translated(
        made["CANARYUNPUBLISHED"], "fr", "CANARYORPHANTRANSLATION", timezone.now()
    )
    return made


def translated(original, language, title, published_at=None):
    """A translation of `original`: public from `published_at` if given, else a draft."""
    row = translations.create(original, language=language)
    row.title = title
    row.summary = f"{title} summary"
    if published_at is not None:
        row.status, row.published_at = Status.PUBLISHED, published_at
    row.save()
    return row


# The leak rule ---------------------------------------------------------------------------


def every_api_address(reports):
    """Each API operation, plainly and with every filter, for the given reports."""
    urls = [
        "/api/v1/",
        "/api/v1/reports/",
        "/api/v1/reports/?page_size=100",
        "/api/v1/reports/?stage=1",
        "/api/v1/reports/?stage=9",
        "/api/v1/reports/?alert_level=emergency",
        "/api/v1/reports/?year=2023",
        "/api/v1/reports/?updated_since=2000-01-01",
        "/api/v1/reports/?sort=-updated_at",
        "/api/v1/reports/?language=en",
        "/api/v1/reports/?language=fr",
        "/api/v1/reports/?language=ar",
        "/api/v1/changes/?page_size=100",
        "/api/v1/countries/",
        "/api/v1/stages/",
        "/api/v1/recommendations/?page_size=100",
        "/api/v1/addressees/?page_size=100",
    ]
    urls += [f"/api/v1/stages/{n}/" for n in range(1, 11)]
    for report in reports:
        urls += [
            f"/api/v1/reports/{report.slug}/",
            f"/api/v1/reports/?country={report.country.slug}",
            f"/api/v1/countries/{report.country.slug}/",
            f"/api/v1/changes/?country={report.country.slug}",
            f"/api/v1/recommendations/?country={report.country.slug}",
            f"/api/v1/recommendations/?report={report.slug}",
        ]
        for recommendation in report.recommendations.all():
            urls += [
                f"/api/v1/addressees/{recommendation.addressee.slug}/",
                f"/api/v1/recommendations/?addressee={recommendation.addressee.slug}",
            ]
    return urls


def test_no_api_answer_shows_a_draft_scheduled_unpublished_or_working_copy(api, hidden):
    found = []
    for url in every_api_address(list(hidden.values())):
        response = api.get(url)
        assert response.status_code in (200, 400, 404), url
        found += [(url, canary) for canary in hidden if canary in response.content.decode()]
    assert found == []


def test_a_report_that_is_not_public_is_404_and_unknown_to_the_filters(api, hidden):
    for report in hidden.values():
        if report.is_translation and report.translation_of.is_public:
            continue  # it shares its public original's address (the leak test covers it)
        assert api.get(f"/api/v1/reports/{report.slug}/").status_code == 404
        answer = get(api, f"/api/v1/recommendations/?report={report.slug}", status=400)
        assert answer == {
            "report": [f"No report '{report.slug}'. Use a slug from /api/v1/reports/."]
        }
    # Countries and addressees known only from hidden reports are not listed either.
    assert slugs(get(api, "/api/v1/countries/")) == ["mali"]
    assert api.get("/api/v1/countries/myanmar/").status_code == 404
    listed = {a["name"] for a in get(api, "/api/v1/addressees/?page_size=100")["results"]}
    assert not any("CANARY" in name for name in listed)


def test_the_api_follows_the_clock_a_scheduled_report_appears_when_due(api):
    when = timezone.now() + timedelta(hours=1)
    factories.scheduled_report(slug="later", published_at=when)
    assert slugs(get(api, "/api/v1/reports/")) == []
    with time_machine.travel(when + timedelta(seconds=1)):
        assert slugs(get(api, "/api/v1/reports/")) == ["later"]


# Property-based: Schemathesis against the live schema ---------------------------------------

# Examples per operation and mode; the run stays within tens of seconds on one core.
SCHEMATHESIS_EXAMPLES = 25


@pytest.fixture
def wsgi_app():
    """The site's WSGI application, called in this thread on the test's database connection.

    As Django's test client does, the connection is kept open across requests: the handler
    would otherwise close it when each request ends."""
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_every_api_operation_answers_within_its_schema(
    mali, sudan, hidden, wsgi_app, without_page_cache
):
    """Generated and example requests to every operation: no server error, no response
    outside the schema (status, content type, body), no word of a hidden report."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    assert schema.raw_schema["openapi"] == "3.1.0"
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    calls = []
    for operation in operations:
        strategies = [
            operation.as_strategy(generation_mode=mode)
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
        ] + schema.get_strategies_from_examples(operation)

        @settings(
            max_examples=SCHEMATHESIS_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(strategies))
        def check(case):
            response = case.call()
            case.validate_response(response, checks=checks)
            assert not [canary for canary in hidden if canary in response.text], case
            calls.append(response.status_code)

        check()
    assert 200 in calls and 404 in calls and 400 in calls


# What each operation gives ------------------------------------------------------------------


def test_a_report_gives_its_recommendations_stages_editions_and_version_notes(api, mali):
    Correction.objects.create(report=mali, note="The death toll was corrected.")
    data = get(api, "/api/v1/reports/mali-2023/")
    assert data["url"] == f"{HOST}/api/v1/reports/mali-2023/"
    assert data["page_url"] == f"{HOST}/reports/mali-2023/"
    assert data["country"]["code"] == "ML"
    assert data["country"]["url"] == f"{HOST}/api/v1/countries/mali/"
    assert [s["number"] for s in data["stages"]] == [5, 6, 8]
    assert data["stages"][0]["url"] == f"{HOST}/api/v1/stages/5/"
    assert [r["text"] for r in data["recommendations"]] == [
        "should act on point 0.",
        "should act on point 1.",
    ]
    edition = mali.attachments.get()
    assert data["editions"] == [
        {
            "id": edition.pk,
            "title": "Mali Country Report 2023",
            "language": "en",
            "size": edition.size,
            "page_count": 1,
            "sha256": edition.sha256,
            "url": f"{HOST}{edition.get_absolute_url()}",
        }
    ]
    download = api.get(data["editions"][0]["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert [n["note"] for n in data["version_notes"]] == ["The death toll was corrected."]


def test_fields_keeps_only_the_fields_asked_for(api, mali):
    data = get(api, "/api/v1/reports/?fields=slug,alert_level")
    assert data["results"] == [{"slug": "mali-2023", "alert_level": "emergency"}]
    assert get(api, "/api/v1/reports/mali-2023/?fields=editions,slug").keys() == {
        "editions",
        "slug",
    }


def test_a_country_gives_its_current_status_and_its_history_by_year(api, mali):
    factories.published_report(
        year=2021,
        slug="mali-2021",
        alert_level=AlertLevel.WATCH,
        published_at=timezone.now() - timedelta(days=700),
    )
    data = get(api, "/api/v1/countries/mali/")
    assert data["current"]["report"]["slug"] == "mali-2023"
    assert data["current"]["alert_level"] == "emergency"
    assert [s["number"] for s in data["current"]["stages"]] == [5, 6, 8]
    assert [(h["year"], h["alert_level"]) for h in data["history"]] == [
        (2021, "watch"),
        (2023, "emergency"),
    ]
    assert data["reports_url"] == f"{HOST}/api/v1/reports/?country=mali"
    listed = get(api, "/api/v1/countries/")["results"]
    assert [(c["slug"], c["current"]["report"]["slug"]) for c in listed] == [("mali", "mali-2023")]


def test_a_renamed_countrys_old_api_address_leads_to_the_new_one(api, mali):
    country = Country.objects.get(slug="mali")
    country.slug = "republic-of-mali"
    country.save()
    assert FormerCountrySlug.objects.filter(slug="mali").exists()
    response = api.get("/api/v1/countries/mali/")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/countries/republic-of-mali/"


def test_stages_list_the_ten_and_one_stage_names_the_countries_now_at_it(api, mali, sudan):
    data = get(api, "/api/v1/stages/")
    assert [s["number"] for s in data["results"]] == list(range(1, 11))
    five = get(api, "/api/v1/stages/5/")
    assert [c["country"]["slug"] for c in five["countries"]] == ["mali", "sudan"]
    assert get(api, "/api/v1/stages/3/")["countries"][0]["country"]["slug"] == "sudan"
    assert get(api, "/api/v1/stages/1/")["countries"] == []


def test_recommendations_filter_by_country_addressee_and_report(api, mali, sudan):
    everything = get(api, "/api/v1/recommendations/")
    assert everything["count"] == 3
    assert get(api, "/api/v1/recommendations/?country=sudan")["count"] == 1
    assert get(api, "/api/v1/recommendations/?report=mali-2023")["count"] == 2
    one = mali.recommendations.first()
    data = get(api, f"/api/v1/recommendations/?addressee={one.addressee.slug}")
    assert [r["id"] for r in data["results"]] == [one.pk]
    assert data["results"][0]["report"]["url"] == f"{HOST}/api/v1/reports/mali-2023/"


def test_addressees_count_only_recommendations_in_public_reports(api, mali, hidden):
    one = mali.recommendations.first().addressee
    Recommendation.objects.create(report=hidden["CANARYDRAFT"], addressee=one, text="hidden")
    data = get(api, f"/api/v1/addressees/{one.slug}/")
    assert data["recommendation_count"] == 1
    assert data["recommendations_url"] == f"{HOST}/api/v1/recommendations/?addressee={one.slug}"
    assert get(api, "/api/v1/addressees/")["count"] == 2


# Filters of the report list -----------------------------------------------------------------


@pytest.fixture
def three(mali, sudan):
    watch = factories.published_report(
        country=factories.country("CM"),
        slug="cameroon-2022",
        year=2022,
        alert_level=AlertLevel.WATCH,
        published_at=timezone.now() - timedelta(days=10),
    )
    watch.stages.set([])
    return mali, sudan, watch


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["mali-2023", "cameroon-2022", "sudan-2021"]),
        ("country=sudan", ["sudan-2021"]),
        ("stage=5", ["mali-2023", "sudan-2021"]),
        ("stage=8", ["mali-2023"]),
        ("alert_level=watch", ["cameroon-2022"]),
        ("year=2022", ["cameroon-2022"]),
        ("year=1999", []),
        ("country=mali&stage=3", []),
        ("sort=published_at", ["sudan-2021", "cameroon-2022", "mali-2023"]),
        ("sort=year", ["sudan-2021", "cameroon-2022", "mali-2023"]),
        ("sort=-year", ["mali-2023", "cameroon-2022", "sudan-2021"]),
        ("sort=country", ["cameroon-2022", "mali-2023", "sudan-2021"]),
        ("sort=-country", ["sudan-2021", "mali-2023", "cameroon-2022"]),
    ],
)
def test_each_report_filter_and_sort(api, three, query, expected):
    assert slugs(get(api, f"/api/v1/reports/?{query}")) == expected


def test_updated_since_gives_only_reports_changed_since(api, three):
    _, sudan, watch = three
    Report.objects.filter(pk=sudan.pk).update(updated_at=timezone.now() - timedelta(days=5))
    Report.objects.filter(pk=watch.pk).update(updated_at=timezone.now() - timedelta(days=2))
    since = (timezone.now() - timedelta(days=3)).date().isoformat()
    assert slugs(get(api, f"/api/v1/reports/?updated_since={since}")) == [
        "mali-2023",
        "cameroon-2022",
    ]
    assert slugs(get(api, "/api/v1/reports/?updated_since=2100-01-01T00:00:00Z")) == []
    assert slugs(get(api, "/api/v1/reports/?sort=updated_at")) == [
        "sudan-2021",
        "cameroon-2022",
        "mali-2023",
    ]


def test_lists_are_paged(api, three):
    first = get(api, "/api/v1/reports/?page_size=2")
    assert first["count"] == 3
    assert slugs(first) == ["mali-2023", "cameroon-2022"]
    assert first["next"] == f"{HOST}/api/v1/reports/?page=2&page_size=2"
    second = get(api, first["next"])
    assert slugs(second) == ["sudan-2021"]
    assert second["next"] is None


# Errors --------------------------------------------------------------------------------------


SORTS = "-published_at, published_at, -updated_at, updated_at, -year, year, country, -country"
LIST_FIELDS = (
    "id, url, page_url, slug, title, headline, country, year, alert_level, alert_level_name, "
    "stages, summary, published_at, updated_at, language, translations"
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "country=atlantis",
            {"country": ["No country 'atlantis'. Use a slug from /api/v1/countries/."]},
        ),
        (
            "stage=11",
            {"stage": ["No stage '11'. Stages are numbered 1 to 10; see /api/v1/stages/."]},
        ),
        (
            "alert_level=red",
            {"alert_level": ["No alert level 'red'. Use one of: watch, warning, emergency."]},
        ),
        ("year=last", {"year": ["Give the year as four digits, e.g. 2023."]}),
        ("year=99999999999999999999", {"year": ["Give the year as four digits, e.g. 2023."]}),
        (
            "updated_since=yesterday",
            {
                "updated_since": [
                    "Give a date or a time in ISO 8601, e.g. 2026-01-31 or 2026-01-31T09:00:00Z."
                ]
            },
        ),
        ("sort=title", {"sort": [f"Cannot sort by 'title'. Use one of: {SORTS}."]}),
        ("language=xx", {"language": ["No language 'xx'. Use one of: en, fr, ar."]}),
        ("fields=slug,secret", {"fields": [f"No field 'secret'. Choose from: {LIST_FIELDS}."]}),
    ],
)
def test_an_unknown_filter_value_is_a_400_naming_the_parameter(api, mali, query, expected):
    with CaptureQueriesContext(connection) as queries:
        assert get(api, f"/api/v1/reports/?{query}", status=400) == expected
    assert len(queries) <= 1  # refused before the reports are read (a slug needs one look)


def test_unknown_filter_values_of_recommendations_are_400s_too(api, mali):
    assert get(api, "/api/v1/recommendations/?addressee=nobody", status=400) == {
        "addressee": ["No addressee 'nobody'. Use a slug from /api/v1/addressees/."]
    }


@pytest.mark.parametrize("page", ["2", "0", "-1", "x", "99999999999999999999"])
def test_a_page_that_does_not_exist_is_a_json_404(api, mali, page):
    data = get(api, f"/api/v1/reports/?page={page}", status=404)
    assert data["detail"].startswith(f"No page '{page}' here:")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/v1/reports/atlantis/", "No report 'atlantis'. Use a slug from /api/v1/reports/."),
        (
            "/api/v1/countries/atlantis/",
            "No country 'atlantis'. Use a slug from /api/v1/countries/.",
        ),
        ("/api/v1/stages/11/", "No stage 11. Stages are numbered 1 to 10."),
        ("/api/v1/stages/99999999999999999999/", None),
        (
            "/api/v1/addressees/nobody/",
            "No addressee 'nobody'. Use a slug from /api/v1/addressees/.",
        ),
        ("/api/v1/nothing-here/", "Nothing here. The API's addresses are listed at /api/v1/."),
    ],
)
def test_an_address_with_nothing_public_is_a_json_404(api, mali, url, message):
    data = get(api, url, status=404)
    assert message is None or data == {"detail": message}


def test_the_api_is_read_only(api, mali):
    response = api.post("/api/v1/reports/", {"title": "x"})
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.'}
    assert Report.objects.count() == 1


# CORS, conditional requests and the page cache -----------------------------------------------


def test_any_site_may_read_the_api_from_a_browser(api, mali):
    response = api.get("/api/v1/reports/", headers={"Origin": "https://example.org"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response
    assert api.get("/api/v1/nothing/")["Access-Control-Allow-Origin"] == "*"
    assert api.get("/api/v1/reports/?stage=99")["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_request_is_answered_for_reading_only(api, mali):
    response = api.options(
        "/api/v1/reports/",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_pages_of_the_site_get_no_cors_headers(api, mali):
    assert "Access-Control-Allow-Origin" not in api.get("/reports/")


def test_an_unchanged_answer_is_a_304_to_a_client_that_has_it(api, mali, without_page_cache):
    response = api.get("/api/v1/reports/mali-2023/")
    assert response["Cache-Control"].startswith("public")
    etag = response["ETag"]
    again = api.get("/api/v1/reports/mali-2023/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    mali.title = "Mali: a new title"
    mali.save()
    changed = api.get("/api/v1/reports/mali-2023/", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["title"] == "Mali: a new title"


REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/9")


def redis_answers():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture(params=["local memory", "redis"])
def page_cache(request, settings):
    settings.PAGE_CACHE_SECONDS = 600
    if request.param == "redis":
        if not redis_answers():
            if os.environ.get("REQUIRE_REDIS"):
                pytest.fail("Redis is not answering on 127.0.0.1:6379 (REQUIRE_REDIS is set)")
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
            }
        }
    from django.core.cache import cache

    cache.clear()


def test_api_answers_are_stored_and_retired_when_a_report_changes(api, mali, page_cache):
    url = "/api/v1/reports/?fields=slug,title"
    assert api.get(url)["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        stored = api.get(url)
    assert stored["X-Page-Cache"] == "hit"
    assert stored["Access-Control-Allow-Origin"] == "*"
    assert len(queries) == 0
    assert api.get(url, headers={"If-None-Match": stored["ETag"]}).status_code == 304

    mali.title = "Mali: a new title"
    mali.save()
    fresh = api.get(url)
    assert fresh["X-Page-Cache"] == "miss"
    assert fresh.json()["results"] == [{"slug": "mali-2023", "title": "Mali: a new title"}]


def test_a_stored_api_answer_carries_last_modified_and_answers_if_modified_since(
    api, mali, page_cache
):
    api.get("/api/v1/")  # the content version starts now: what changed last is this old
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        first = api.get("/api/v1/countries/mali/")
        assert "Last-Modified" in first
        again = api.get(
            "/api/v1/countries/mali/", headers={"If-Modified-Since": first["Last-Modified"]}
        )
        assert again.status_code == 304


def test_unpublishing_retires_the_stored_api_answers(api, editor, mali, page_cache):
    assert slugs(get(api, "/api/v1/reports/")) == ["mali-2023"]
    assert api.get("/api/v1/reports/mali-2023/").status_code == 200
    workflow.report_unpublish(mali, user=editor)
    assert slugs(get(api, "/api/v1/reports/")) == []
    assert api.get("/api/v1/reports/mali-2023/").status_code == 404


# Languages, evidence and the change log ------------------------------------------------------


@pytest.fixture
def in_french(mali, sudan):
    """Mali read in French too; Sudan's French translation still a draft; and a report
    written in French."""
    translated(mali, "fr", "Rapport pays Mali 2023", timezone.now() - timedelta(minutes=1))
    translated(sudan, "fr", "Brouillon Soudan")
    translated(mali, "ar", "Scheduled Arabic", timezone.now() + timedelta(days=2))
    factories.published_report(
        country=factories.country("CM"),
        title="Rapport Cameroun 2022",
        slug="cameroun-2022",
        year=2022,
        language="fr",
        published_at=timezone.now() - timedelta(days=60),
    )


def test_each_report_says_its_language_and_lists_only_its_public_translations(api, in_french):
    listed = {r["slug"]: r for r in get(api, "/api/v1/reports/")["results"]}
    assert listed["mali-2023"]["language"] == "en"
    assert listed["mali-2023"]["translations"] == [
        {
            "language": "fr",
            "title": "Rapport pays Mali 2023",
            "url": f"{HOST}/fr/reports/mali-2023/",
        }
    ]
    assert listed["sudan-2021"]["translations"] == []  # a draft is not listed
    assert listed["cameroun-2022"]["language"] == "fr"
    detail = get(api, "/api/v1/reports/mali-2023/")
    assert detail["translations"] == listed["mali-2023"]["translations"]
    page = api.get("/fr/reports/mali-2023/")
    assert page.status_code == 200 and "Rapport pays Mali 2023" in page.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["mali-2023", "sudan-2021"]),
        ("fr", ["mali-2023", "cameroun-2022"]),  # translated, or written in French
        ("ar", []),  # the Arabic translation is only scheduled
    ],
)
def test_the_language_filter_gives_the_reports_readable_in_it(api, in_french, language, expected):
    assert slugs(get(api, f"/api/v1/reports/?language={language}")) == expected


def test_a_report_gives_the_evidence_for_each_stage_where_there_is_some(api, mali):
    StageEvidence.objects.create(
        report=mali,
        stage=Stage.objects.get(number=5),
        note="Armed groups recruit along ethnic lines.",
        source="https://example.org/recruitment",
    )
    StageEvidence.objects.create(
        report=mali, stage=Stage.objects.get(number=6), note="Hate radio is back on air."
    )
    stages = get(api, "/api/v1/reports/mali-2023/")["stages"]
    assert [(s["number"], s["evidence"]) for s in stages] == [
        (
            5,
            {
                "note": "Armed groups recruit along ethnic lines.",
                "source": "https://example.org/recruitment",
            },
        ),
        (6, {"note": "Hate radio is back on air.", "source": None}),
        (8, None),
    ]
    listed = get(api, "/api/v1/reports/")["results"][0]["stages"]
    assert "evidence" not in listed[0]  # in the list, the stages alone


@pytest.fixture
def changes(editor, mali):
    """Mali goes from Emergency to Warning with a reason; a scheduled report's change is not
    public yet."""
    eased = factories.draft_report(
        slug="mali-2024", year=2024, alert_level=AlertLevel.WARNING, title="Mali 2024"
    )
    factories.furnish(eased, stages=(5, 6), recommendations=0, attachments=0)
    workflow.report_publish(eased, user=editor, reason="A ceasefire has held since March.")
    later = factories.draft_report(
        slug="mali-2025", year=2025, alert_level=AlertLevel.EMERGENCY, title="Mali 2025"
    )
    factories.furnish(later, stages=(5, 6, 8, 9), recommendations=0, attachments=0)
    workflow.report_publish(
        later,
        user=editor,
        at=timezone.now() + timedelta(days=5),
        reason="CANARYSCHEDULEDREASON",
    )
    return eased


def test_a_country_gives_its_change_log_with_reasons(api, changes):
    data = get(api, "/api/v1/countries/mali/")
    assert len(data["changes"]) == 1
    change = data["changes"][0]
    assert change["level_from"] == "emergency" and change["level_to"] == "warning"
    assert change["level_from_name"] == "Genocide Emergency"
    assert change["stages_added"] == [] and change["stages_removed"] == [8]
    assert change["reason"] == "A ceasefire has held since March."
    assert change["report"]["slug"] == "mali-2024"
    assert change["report"]["page_url"] == f"{HOST}/reports/mali-2024/"
    assert change["page_url"].startswith(f"{HOST}/countries/mali/#change-")
    assert "CANARYSCHEDULEDREASON" not in str(data)


def test_the_changes_list_filters_by_country_and_date(api, changes, sudan):
    listed = get(api, "/api/v1/changes/")["results"]
    assert [(c["country"]["slug"], c["report"]["slug"]) for c in listed] == [("mali", "mali-2024")]
    assert get(api, "/api/v1/changes/?country=sudan")["results"] == []
    assert get(api, "/api/v1/changes/?since=2000-01-01")["count"] == 1
    assert get(api, "/api/v1/changes/?since=2999-01-01")["count"] == 0
    assert get(api, "/api/v1/changes/?country=atlantis", status=400) == {
        "country": ["No country 'atlantis'. Use a slug from /api/v1/countries/."]
    }
    assert list(get(api, "/api/v1/changes/?since=soon", status=400)) == ["since"]
    # An offset PostgreSQL does not take (beyond ±15:59) is read as the same moment in UTC.
    assert get(api, "/api/v1/changes/?since=2000-01-01T08:00:00-18:55")["count"] == 1
    early = get(api, "/api/v1/reports/?updated_since=2000-01-01T08:00:00%2B18:55")
    assert early["count"] == get(api, "/api/v1/reports/")["count"] == 3
    assert "CANARYSCHEDULEDREASON" not in str(get(api, "/api/v1/changes/"))


# Query counts ----------------------------------------------------------------------------------

OPERATIONS = {
    "index": "/api/v1/",
    "reports": "/api/v1/reports/?page_size=100",
    "reports, filtered": "/api/v1/reports/?stage=5&alert_level=emergency&year=2021&sort=country",
    "reports, by country": "/api/v1/reports/?country=mali",
    "report": "/api/v1/reports/report-1/",
    "countries": "/api/v1/countries/?page_size=100",
    "country": "/api/v1/countries/mali/",
    "reports, in French": "/api/v1/reports/?language=fr&page_size=100",
    "changes": "/api/v1/changes/?page_size=100",
    "changes, filtered": "/api/v1/changes/?country=mali&since=2000-01-01",
    "stages": "/api/v1/stages/",
    "stage": "/api/v1/stages/5/",
    "recommendations": "/api/v1/recommendations/?page_size=100",
    "recommendations, filtered": "/api/v1/recommendations/?country=mali&addressee=addressee-a",
    "addressees": "/api/v1/addressees/?page_size=100",
    "addressee": "/api/v1/addressees/addressee-a/",
}
COUNTRY_CODES = ["ML", "SD", "CM", "MM", "RW", "BI", "CD", "ET", "NG", "SS"]


def reports_across_countries(n):
    addressees = [factories.addressee(f"Addressee {x}", slug=f"addressee-{x}") for x in "abc"]
    for i in range(n):
        report = factories.published_report(
            country=factories.country(COUNTRY_CODES[i % len(COUNTRY_CODES)]),
            slug=f"report-{i + 1}",
            year=2020 + i % 4,
            published_at=timezone.now() - timedelta(days=i + 1),
        )
        report.stages.set(factories.Stage.objects.filter(number__in=(5, 6, 8)))
        for order, addressee in enumerate(addressees):
            Recommendation.objects.create(
                report=report, addressee=addressee, text=f"should {order}.", order=order
            )
        Correction.objects.create(report=report, note="A figure was corrected.")
        StageEvidence.objects.create(
            report=report, stage=Stage.objects.get(number=5), note="Militias were armed."
        )
        StatusChange.objects.create(
            country=report.country,
            report=report,
            changed_at=report.published_at,
            level_from=AlertLevel.WATCH,
            level_to=report.alert_level,
            stages_added=[5, 6],
            reason="Militias were armed.",
        )
        if i % 2 == 0:  # every other report read in French and Arabic too
            translated(report, "fr", f"Rapport {i + 1}", timezone.now())
            translated(report, "ar", f"تقرير {i + 1}", timezone.now())
        else:  # and a draft nobody sees
            translated(report, "fr", f"Brouillon {i + 1}")
    factories.furnish(Report.objects.public().get(slug="report-1"), stages=(), recommendations=0)


def query_counts(api):
    counts = {}
    for name, url in OPERATIONS.items():
        with CaptureQueriesContext(connection) as queries:
            get(api, url)
        counts[name] = len(queries)
    return counts


def test_every_operation_costs_the_same_queries_for_3_reports_as_for_30(api, without_page_cache):
    reports_across_countries(3)
    few = query_counts(api)
    Report.objects.all().delete()
    reports_across_countries(30)
    many = query_counts(api)
    assert few == many
    # At most: the report's row, then its stages, recommendations, editions, byline, version
    # notes, stage evidence and public translations, each read once.
    assert max(many.values()) <= 8, many
    SUMMARY.append("API queries per operation: " + ", ".join(f"{k} {v}" for k, v in many.items()))


# The schema and the documentation ---------------------------------------------------------------


def test_the_schema_is_openapi_3_1_and_names_every_operation(api):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    schema = response.json()
    assert schema["openapi"] == "3.1.0"
    assert set(schema["paths"]) == {
        "/api/v1/",
        "/api/v1/reports/",
        "/api/v1/reports/{slug}/",
        "/api/v1/countries/",
        "/api/v1/countries/{slug}/",
        "/api/v1/changes/",
        "/api/v1/stages/",
        "/api/v1/stages/{number}/",
        "/api/v1/recommendations/",
        "/api/v1/addressees/",
        "/api/v1/addressees/{slug}/",
    }
    parameters = {p["name"] for p in schema["paths"]["/api/v1/reports/"]["get"]["parameters"]}
    assert parameters == {
        "country",
        "stage",
        "alert_level",
        "year",
        "language",
        "updated_since",
        "sort",
        "fields",
        "page",
        "page_size",
    }


def test_the_documentation_page_reads_without_script_and_loads_nothing_from_elsewhere(api):
    page = api.get("/api/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "/api/v1/reports/" in text and "curl" in text
    assert "https://" not in text.replace("http://testserver", "")
    explorer = api.get("/api/explorer/")
    assert explorer.status_code == 200
    html = explorer.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/api/explorer.js" in html
    assert "<script>" not in html  # no inline script: the site's CSP forbids it
    assert "script-src 'self';" in explorer["Content-Security-Policy"]
    assert "https://" not in html
    for asset in (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "api/explorer.js",
    ):
        assert finders.find(asset), asset  # shipped with the site, served by WhiteNoise


def test_the_schema_is_valid_openapi_and_generated_without_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.json"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert target.stat().st_size > 0
