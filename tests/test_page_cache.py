"""Rendered public pages are kept in the cache and retired by any change to what they show.

Each test runs twice: on the process-local cache the development server uses, and on a real
Redis server (the production configuration), which must then be running on 127.0.0.1:6379.
"""

import os
import socket
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from django.utils.http import parse_http_date

from follow.models import FollowLink, Platform
from pages.models import Page
from reports import workflow
from reports.models import Addressee, Attachment, Author, Country, Recommendation, Stage

from . import factories

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/9")


def redis_answers():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture(params=["local memory", "redis"], autouse=True)
def page_cache(request, settings):
    settings.PAGE_CACHE_SECONDS = 600
    if request.param == "redis":
        if not redis_answers():
            if os.environ.get("REQUIRE_REDIS"):
                pytest.fail("Redis is not answering on 127.0.0.1:6379 (REQUIRE_REDIS is set)")
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "genocidewatch.cache.SharedClientRedisCache",
                "LOCATION": REDIS_URL,
            }
        }
    from django.core.cache import cache

    cache.clear()
    return request.param


@pytest.fixture
def reader():
    """A reader's browser: no session, no cookies."""
    return Client()


@pytest.fixture
def report():
    report = factories.furnish(
        factories.published_report(title="Mali Country Report 2023", slug="mali-2023"),
        stages=(5, 6),
        recommendations=1,
        attachments=1,
    )
    return report


def page(reader, url):
    response = reader.get(url)
    assert response.status_code == 200
    return response


def test_a_second_reader_gets_the_stored_page_without_touching_the_database(
    reader, report, django_assert_num_queries
):
    first = page(reader, report.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = page(Client(), report.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["Cache-Control"] == first["Cache-Control"]


def test_a_stored_page_answers_a_conditional_request_with_304(reader, report):
    etag = page(reader, report.get_absolute_url())["ETag"]
    response = Client().get(report.get_absolute_url(), headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response["X-Page-Cache"] == "hit"


def test_a_stored_page_says_when_it_last_changed_and_answers_if_modified_since(reader, report):
    start = timezone.now()
    with time_machine.travel(start + timedelta(seconds=5)):
        first = page(reader, report.get_absolute_url())
    last_modified = first["Last-Modified"]
    assert parse_http_date(last_modified) <= (start + timedelta(seconds=1)).timestamp()
    with time_machine.travel(start + timedelta(seconds=10)):
        response = Client().get(
            report.get_absolute_url(), headers={"if-modified-since": last_modified}
        )
        assert response.status_code == 304
        rename_report(report)
    with time_machine.travel(start + timedelta(seconds=15)):
        response = Client().get(
            report.get_absolute_url(), headers={"if-modified-since": last_modified}
        )
    assert response.status_code == 200
    assert parse_http_date(response["Last-Modified"]) > parse_http_date(last_modified)


def test_a_page_rendered_in_the_second_its_content_changed_has_no_last_modified(reader):
    report = factories.published_report()
    response = page(reader, report.get_absolute_url())
    assert "Last-Modified" not in response
    assert "ETag" in response


def test_the_proxy_may_keep_a_page_until_the_end_of_the_second_it_was_sent(reader, report):
    """nginx counts s-maxage in whole seconds from when a copy came; the deadline it is
    given instead is the second the page left the site, stored pages included."""
    sent = timezone.now().replace(microsecond=900_000)
    with time_machine.travel(sent, tick=False):
        first = page(reader, report.get_absolute_url())
    with time_machine.travel(sent + timedelta(seconds=5), tick=False):
        again = page(Client(), report.get_absolute_url())
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    assert first["X-Accel-Expires"] == f"@{int(sent.timestamp())}"
    assert again["X-Accel-Expires"] == f"@{int(sent.timestamp()) + 5}"


def test_pages_differ_by_query_string(reader, report):
    page(reader, "/reports/")
    response = page(reader, "/reports/?country=ML")
    assert response["X-Page-Cache"] == "miss"


def test_staff_are_never_served_or_stored_from_the_cache(reader, report, editor):
    page(reader, report.get_absolute_url())
    staff = Client()
    staff.force_login(editor)
    response = staff.get(report.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert response["Cache-Control"] == "private, no-store"
    # And what staff were shown did not replace the readers' copy.
    assert page(reader, report.get_absolute_url())["X-Page-Cache"] == "hit"


def test_pages_that_set_a_cookie_are_not_stored(reader):
    page(reader, "/subscribe/")
    response = page(Client(), "/subscribe/")
    assert "X-Page-Cache" not in response
    assert response.cookies


def test_a_form_page_is_not_stored_even_for_a_reader_who_already_has_the_form_cookie(reader):
    """Its hidden token belongs to that reader: stored, it would fail for everyone else."""
    page(reader, "/subscribe/")
    assert "csrftoken" in reader.cookies
    again = page(reader, "/subscribe/")
    assert again["Cache-Control"] == "private, no-store"
    assert "X-Page-Cache" not in page(Client(), "/subscribe/")


def test_drafts_are_never_stored_for_readers(reader):
    draft = factories.draft_report()
    assert reader.get(draft.get_absolute_url()).status_code == 404
    assert reader.get(draft.get_absolute_url()).status_code == 404


# Each change below alters what a page shows; the next reader must see it at once.
def rename_report(report):
    report.title = "Mali Country Report 2023 (revised)"
    report.save()
    return report.get_absolute_url(), "(revised)"


def add_a_stage(report):
    report.stages.add(Stage.objects.get(number=8))
    return report.get_absolute_url(), Stage.objects.get(number=8).name


def rename_a_stage(report):
    stage = Stage.objects.get(number=5)
    stage.name = "Organisation of militias"
    stage.save()
    return report.get_absolute_url(), "Organisation of militias"


def add_a_recommendation(report):
    Recommendation.objects.create(
        report=report,
        addressee=factories.addressee("The African Union"),
        text="should send observers.",
        order=9,
    )
    return report.get_absolute_url(), "should send observers."


def edit_a_recommendation(report):
    recommendation = report.recommendations.get()
    recommendation.text = "should reopen the humanitarian corridor."
    recommendation.save()
    return report.get_absolute_url(), "reopen the humanitarian corridor"


def remove_a_recommendation(report):
    text = report.recommendations.get().text
    report.recommendations.get().delete()
    return report.get_absolute_url(), f"!{text}"


def add_an_attachment(report):
    attachment = factories.attachment(report, name="Mali French edition.pdf")
    return report.get_absolute_url(), attachment.get_absolute_url()


def remove_an_attachment(report):
    attachment = report.attachments.get()
    url = attachment.get_absolute_url()
    attachment.delete()
    return report.get_absolute_url(), f"!{url}"


def rename_an_addressee(report):
    addressee = Addressee.objects.get(recommendations__report=report)
    addressee.name = "The United Nations Security Council"
    addressee.save()
    return report.get_absolute_url(), "The United Nations Security Council"


def rename_a_country(report):
    country = Country.objects.get(pk=report.country_id)
    country.name = "Republic of Mali"
    country.save()
    return "/countries/", "Republic of Mali"


def rename_an_author(report):
    author = Author.objects.get(authorships__report=report)
    author.name = "Gregory Stanton"
    author.save()
    return report.get_absolute_url(), "Gregory Stanton"


def add_a_follow_link(report):
    FollowLink.objects.create(platform=Platform.MASTODON, url="https://social.example/@gw")
    return "/", "https://social.example/@gw"


def unpublish_the_report(report):
    editor = User.objects.create_superuser("chief", password="pw-chief-123")
    workflow.report_unpublish(report, user=editor)
    return "/reports/", "!Mali Country Report 2023"


def delete_the_report(report):
    report.delete()
    return "/", "!Mali Country Report 2023"


def publish_another_report(report):
    editor = User.objects.create_superuser("chief", password="pw-chief-123")
    other = factories.draft_report(
        title="Sudan Country Report 2024", country=factories.country("SD")
    )
    workflow.report_publish(other, user=editor)
    return "/", "Sudan Country Report 2024"


CHANGES = [
    rename_report,
    add_a_stage,
    rename_a_stage,
    add_a_recommendation,
    edit_a_recommendation,
    remove_a_recommendation,
    add_an_attachment,
    remove_an_attachment,
    rename_an_addressee,
    rename_a_country,
    rename_an_author,
    add_a_follow_link,
    unpublish_the_report,
    delete_the_report,
    publish_another_report,
]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_any_change_to_what_a_page_shows_reaches_the_next_reader(reader, report, change):
    # Store every page the change could touch first, then make the change.
    for url in ("/", "/reports/", "/countries/", report.get_absolute_url()):
        page(reader, url)
        assert page(reader, url)["X-Page-Cache"] == "hit"
    url, expected = change(report)
    html = page(Client(), url).content.decode()
    if expected.startswith("!"):
        assert expected[1:] not in html
    else:
        assert expected in html


def test_a_scheduled_report_appears_once_its_time_comes(reader):
    factories.published_report(title="Mali Country Report 2023")
    due = timezone.now() + timedelta(hours=2)
    factories.scheduled_report(title="Burkina Faso Alert", published_at=due)
    assert "Burkina Faso Alert" not in page(reader, "/reports/").content.decode()
    assert page(reader, "/reports/")["X-Page-Cache"] == "hit"
    with time_machine.travel(due + timedelta(seconds=1)):
        response = page(Client(), "/reports/")
    assert response["X-Page-Cache"] == "miss"
    assert "Burkina Faso Alert" in response.content.decode()


def test_readers_arriving_together_when_a_scheduled_time_comes_start_one_version(reader):
    """Each process that read the version before the time came starts the next one itself:
    they all start the same, so none retires the pages and files another just stored."""
    from django.core.cache import cache

    from genocidewatch import pagecache

    due = timezone.now() + timedelta(hours=2)
    factories.scheduled_report(title="Burkina Faso Alert", published_at=due)
    page(reader, "/reports/")
    read_before = cache.get(pagecache.VERSION_KEY)
    with time_machine.travel(due + timedelta(seconds=1)):
        first = pagecache.current_version()
        stored = page(Client(), "/reports/")
        assert "Burkina Faso Alert" in stored.content.decode()
        cache.set(pagecache.VERSION_KEY, read_before, timeout=None)  # another process's view
        assert pagecache.current_version() == first
        assert page(Client(), "/reports/")["X-Page-Cache"] == "hit"


def test_readers_finding_no_version_in_the_cache_take_the_first_one_started():
    from django.core.cache import cache

    from genocidewatch import pagecache

    cache.delete(pagecache.VERSION_KEY)
    first = pagecache.current_version()
    # Another process that found no version either, an instant later.
    assert pagecache._current_state(None)[0] == first
    assert pagecache.current_version() == first


@pytest.mark.parametrize("page_cache", ["redis"], indirect=True)  # memory is one process's own
def test_a_change_made_by_another_process_reaches_this_one(reader, report, page_cache):
    """Processes share the version through the cache: what one retires, all stop serving."""
    page(reader, report.get_absolute_url())
    # Another process's cache client: a fresh connection to the same server.
    from django.core.cache.backends.redis import RedisCache

    from genocidewatch import pagecache

    other_process = RedisCache(REDIS_URL, {})
    other_process.set(
        pagecache.VERSION_KEY, ("from-another-process", None, time.time()), timeout=None
    )
    assert page(Client(), report.get_absolute_url())["X-Page-Cache"] == "miss"


def test_switched_off_nothing_is_stored(reader, report, settings):
    settings.PAGE_CACHE_SECONDS = 0
    page(reader, report.get_absolute_url())
    assert "X-Page-Cache" not in page(reader, report.get_absolute_url())


def test_an_attachment_saved_without_a_report_change_still_retires_pages(reader, report):
    page(reader, report.get_absolute_url())
    attachment = Attachment.objects.get(report=report)
    attachment.language = "fr"
    attachment.save()
    assert page(Client(), report.get_absolute_url())["X-Page-Cache"] == "miss"


def test_with_stored_pages_off_a_shared_cache_still_keeps_what_every_page_shows(
    reader, report, settings, page_cache, django_assert_num_queries
):
    """The identity, menus, ten stages and follow links are read once per content version
    when every process shares the cache, even with stored pages off; a change shows at
    once. On a process's own memory they are read on every request instead."""
    settings.PAGE_CACHE_SECONDS = 0
    page(reader, report.get_absolute_url())
    shared = page_cache == "redis"
    # The report and its parts (the ticked stages with their evidence in one query); with a
    # shared cache, nothing more.
    with django_assert_num_queries(6 if shared else 10):
        page(reader, report.get_absolute_url())

    Stage.objects.filter(number=5).update(name="Organisation renamed")
    Stage.objects.get(number=5).save()  # through the model, as the admin saves it
    assert "Organisation renamed" in page(reader, report.get_absolute_url()).text
    FollowLink.objects.create(platform=Platform.X, url="https://micro.example/kept")
    assert "https://micro.example/kept" in page(reader, report.get_absolute_url()).text


def test_the_menus_kept_for_every_page_link_to_pages_in_the_readers_language(reader, settings):
    """One copy of the menus serves every language: a French page drawn first must not
    send English readers to the French pages, nor the other way round."""
    Page.objects.create(
        title="Donate",
        slug="donate",
        body="<p>Give.</p>",
        menu=Page.Menu.FOOTER,
        status=Page.Status.PUBLISHED,
    )
    for pages_off in (False, True):
        settings.PAGE_CACHE_SECONDS = 0 if pages_off else 600
        assert 'href="/fr/pages/donate/"' in page(reader, "/fr/").text
        english = page(reader, "/").text
        assert 'href="/pages/donate/"' in english
        assert "/fr/pages/" not in english
        assert 'href="/ar/pages/donate/"' in page(reader, "/ar/").text


# The sitemap: an index of parts, each stored and retired like any page.


def test_the_sitemap_and_its_parts_are_stored_and_a_publication_shows_at_once(reader, report):
    for url in ("/sitemap.xml", "/sitemap-reports.xml"):
        page(reader, url)
        assert page(reader, url)["X-Page-Cache"] == "hit"
    editor = User.objects.create_superuser("chief", password="pw-chief-123")
    other = factories.draft_report(slug="sudan-2024", country=factories.country("SD"))
    workflow.report_publish(other, user=editor)
    part = page(Client(), "/sitemap-reports.xml")
    assert part["X-Page-Cache"] == "miss"
    assert "http://testserver/reports/sudan-2024/" in part.content.decode()
    assert page(Client(), "/sitemap.xml")["X-Page-Cache"] == "miss"

    workflow.report_unpublish(other, user=editor)
    assert "/reports/sudan-2024/" not in page(Client(), "/sitemap-reports.xml").content.decode()


def test_a_full_part_of_the_sitemap_is_small_enough_to_be_stored(settings):
    """As many reports as a part holds, each translated into every language (the most
    addresses a part can have), with long addresses: still under what the cache keeps."""
    from django.conf import settings as current

    from genocidewatch.pagecache import LARGEST_KEPT_BYTES
    from reports.models import Report

    host = "www.genocide-early-warning.example"
    settings.ALLOWED_HOSTS = [host]
    languages = [code for code, _ in current.LANGUAGES]
    per_part = current.SITEMAP_PART_ADDRESSES // len(languages)
    assert current.SITEMAP_PART_ADDRESSES <= 5000
    country = factories.country("ML")
    fields = {
        "country": country,
        "year": 2023,
        "status": Report.Status.PUBLISHED,
        "published_at": timezone.now() - timedelta(days=1),
    }
    originals = Report.objects.bulk_create(
        Report(
            title=f"Report {n}",
            slug=f"{n}-mali-country-report-on-the-central-regions-2023",
            **fields,
        )
        for n in range(per_part + 1)
    )
    Report.objects.bulk_create(
        Report(translation_of=original, language=code, slug=original.slug, title="-", **fields)
        for original in originals
        for code in languages[1:]
    )
    reader = Client(HTTP_HOST=host)
    first = reader.get("/sitemap-reports.xml", secure=True)
    assert first.content.count(b"<url>") == per_part * len(languages)
    assert len(first.content) <= LARGEST_KEPT_BYTES
    assert reader.get("/sitemap-reports.xml", secure=True)["X-Page-Cache"] == "hit"
    assert reader.get("/sitemap-reports.xml?p=2", secure=True).content.count(b"<url>") == 3
