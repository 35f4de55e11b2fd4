import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from follow.models import FollowLink, Platform
from reports.models import Addressee, Recommendation

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def mali_report():
    report = factories.published_report(
        title="Mali Country Report 2023", slug="mali-country-report-2023"
    )
    report.body = "<p>Militants seized the north in 2012.</p><h2>Since the coup</h2>"
    report.save()
    report.stages.set([5, 6, 8])
    long_text = "Civilians were displaced across the centre of the country. " * 800
    factories.attachment(
        report, name="Mali Report 2023.pdf", content=factories.pdf_bytes(long_text)
    )
    report.authorships.create(author=factories.author("Esme Matthews"))
    france = factories.addressee("France", kind=Addressee.Kind.STATE)
    icc = factories.addressee("The International Criminal Court", kind=Addressee.Kind.COURT)
    Recommendation.objects.create(
        report=report, addressee=icc, text="should prosecute war crimes.", order=2
    )
    Recommendation.objects.create(
        report=report, addressee=france, text="should urge a new peace operation.", order=1
    )
    FollowLink.objects.create(platform=Platform.YOUTUBE, url="https://video.example/gw", order=2)
    FollowLink.objects.create(platform=Platform.FACEBOOK, url="https://social.example/gw", order=1)
    return report


def get_page(client, report):
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_report_page_shows_the_alert_banner_title_byline_and_date(client, mali_report):
    html = get_page(client, mali_report)
    assert re.search(r'class="alert-banner alert-banner--emergency"', html)
    assert '<h1 class="alert-banner__headline">Genocide Emergency Alert: Mali</h1>' in html
    assert "Mali Country Report 2023" in html
    assert 'By <span class="author">Esme Matthews</span>' in html
    date = mali_report.published_at.date().isoformat()
    assert f'<time datetime="{date}' in html


def test_datetime_attributes_name_the_second_without_microseconds(client, mali_report):
    mali_report.published_at = mali_report.published_at.replace(microsecond=219283)
    mali_report.save()
    mali_report.refresh_from_db()
    assert mali_report.published_at.microsecond  # stored with microseconds, as saved
    second = mali_report.published_at.replace(microsecond=0).isoformat()
    for url in [mali_report.get_absolute_url(), "/reports/", "/", "/stages/5/"]:
        html = client.get(url).content.decode()
        times = re.findall(r'<time datetime="([^"]*)"', html)
        assert times == [second], url
    meta = re.findall(
        r'<meta property="article:\w+_time" content="([^"]*)"', get_page(client, mali_report)
    )
    assert meta and all("." not in value for value in meta)


def test_the_report_page_shows_the_sanitised_body(client, mali_report):
    html = get_page(client, mali_report)
    assert "<p>Militants seized the north in 2012.</p><h2>Since the coup</h2>" in html


def test_the_page_carries_the_full_address_of_itself_its_links_and_its_pdf_for_print(
    client, mali_report
):
    mali_report.body = (
        '<p>See <a href="/countries/mali/">Mali</a>, <a href="https://un.example/r?a=1&amp;b=2">'
        'the resolution</a>, <a href="mailto:desk@example.org">our desk</a> and '
        '<a href="#since">below</a>.</p><h2 id="since">Since the coup</h2>'
    )
    mali_report.save()
    html = get_page(client, mali_report)
    site = "http://testserver"
    report_url = f"{site}{mali_report.get_absolute_url()}"
    assert f'<p class="print-only report__address">Read online: {report_url}</p>' in html
    body = html[html.index('<div class="report__body"') : html.index("Since the coup")]
    assert re.findall(r'data-address="([^"]*)"', body) == [
        f"{site}/countries/mali/",
        "https://un.example/r?a=1&amp;b=2",
        "mailto:desk@example.org",
    ]  # a link to a place on the same page has nothing to print
    pdf = mali_report.attachments.get()
    assert f'data-address="{site}{pdf.get_absolute_url()}"' in html


def test_the_stages_sentence_links_each_stage_to_its_page(client, mali_report):
    html = get_page(client, mali_report)
    assert (
        'at <a href="/stages/5/">Stage 5: Organization</a>, '
        '<a href="/stages/6/">Stage 6: Polarization</a>, and '
        '<a href="/stages/8/">Stage 8: Persecution</a> of the '
        '<a href="/stages/">Ten Stages of Genocide</a>.'
    ) in html


def test_two_stages_are_joined_with_and_without_a_comma(client, mali_report):
    mali_report.stages.set([5, 6])
    html = get_page(client, mali_report)
    assert "Stage 5: Organization</a> and <a" in html


def test_recommendations_come_in_order_with_the_addressee_emphasised(client, mali_report):
    html = get_page(client, mali_report)
    france = html.index(
        '<strong class="addressee"><a href="/addressees/france/">France</a></strong> should urge'
    )
    icc = html.index(">The International Criminal Court</a></strong> should prosecute")
    assert france < icc


def test_the_parts_of_a_report_page_are_read_again_on_every_visit(
    client, mali_report, without_page_cache
):
    # Their SQL is prepared once (genocidewatch/prepared.py); their rows never are.
    get_page(client, mali_report)
    un = factories.addressee("The United Nations", kind=Addressee.Kind.UN_BODY)
    Recommendation.objects.create(
        report=mali_report, addressee=un, text="should send observers.", order=3
    )
    mali_report.stages.add(9)
    mali_report.authorships.create(author=factories.author("Jo Bloggs"))
    html = get_page(client, mali_report)
    assert ">The United Nations</a></strong> should send observers." in html
    assert '<a href="/stages/9/">Stage 9: Extermination</a>' in html
    assert "Esme Matthews</span> and <span" in html and "Jo Bloggs" in html

    other = factories.published_report(title="Sudan Country Report", slug="sudan-report")
    other.stages.set([1])
    assert "Stage 1: Classification" in get_page(client, other)
    assert ">Stage 9: Extermination</a>" not in get_page(client, other)


def test_each_attachment_has_a_download_link_with_its_real_size(client, mali_report):
    attachment = mali_report.attachments.get()
    html = get_page(client, mali_report)
    assert 20_000 < attachment.size < 1_000_000
    assert (
        f"Download PDF · {attachment.page_count} pages · {round(attachment.size / 1000)} KB" in html
    )
    assert f'href="{attachment.get_absolute_url()}"' in html
    assert attachment.get_absolute_url().endswith("/mali-report-2023.pdf")


def test_follow_links_come_from_the_admin_in_their_order_with_our_icons(client, mali_report):
    html = get_page(client, mali_report)
    facebook = html.index('href="https://social.example/gw"')
    youtube = html.index('href="https://video.example/gw"')
    assert facebook < youtube
    assert "Follow Genocide Watch for more updates" in html
    assert html.count('<svg class="icon"') >= 2


def test_share_links_are_plain_links_to_each_network(client, mali_report):
    html = get_page(client, mali_report)
    url = "http%3A%2F%2Ftestserver%2Freports%2Fmali-country-report-2023%2F"
    assert f"https://x.com/intent/post?url={url}" in html
    assert f"https://www.facebook.com/sharer/sharer.php?u={url}" in html
    assert f"https://www.linkedin.com/sharing/share-offsite/?url={url}" in html
    assert "https://wa.me/?text=Genocide%20Emergency%20Alert%3A%20Mali%20" in html
    assert f"https://t.me/share/url?url={url}" in html
    assert f"mailto:?subject=Genocide%20Emergency%20Alert%3A%20Mali&amp;body={url}" in html
    assert (
        '<a href="http://testserver/reports/mali-country-report-2023/" class="icon-link" '
        "data-copy-link>"
    ) in html


def test_the_page_loads_nothing_from_another_host(client, mali_report):
    html = get_page(client, mali_report)
    for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", html):
        for address in re.findall(r'(?:src|href)="([^"]+)"', tag):
            if 'rel="canonical"' in tag or "hreflang=" in tag:
                continue  # addresses of this page, never fetched by the browser
            assert address.startswith("/"), tag


def test_the_page_is_navigable_skip_link_back_to_top_and_landmarks(client, mali_report):
    html = get_page(client, mali_report)
    assert '<a class="skip-link" href="#main" id="top">' in html
    assert '<main id="main"' in html
    assert '<a href="#top">Back to top</a>' in html
    assert '<html lang="en" dir="ltr">' in html


def test_the_page_has_title_description_canonical_and_social_tags(client, mali_report):
    html = get_page(client, mali_report)
    assert "<title>Mali Country Report 2023 · Genocide Watch</title>" in html
    assert '<meta name="description" content="A short summary of the report.">' in html
    canonical = "http://testserver/reports/mali-country-report-2023/"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:description" content="A short summary of the report.">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert "noindex" not in html


def test_a_draft_is_404_for_the_public(client):
    report = factories.draft_report()
    assert client.get(report.get_absolute_url()).status_code == 404


def test_a_scheduled_report_is_404_for_the_public(client):
    report = factories.scheduled_report()
    assert client.get(report.get_absolute_url()).status_code == 404


def test_staff_who_may_change_reports_preview_a_draft_under_a_banner(editor_client):
    report = factories.draft_report()
    response = editor_client.get(report.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Draft, not public" in html
    assert f"/admin/reports/report/{report.pk}/change/" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control


def test_staff_preview_a_scheduled_report_with_its_time(editor_client):
    report = factories.scheduled_report()
    html = editor_client.get(report.get_absolute_url()).content.decode()
    assert "Scheduled, not public yet" in html


def test_staff_without_the_change_permission_get_404_for_a_draft(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_report"))
    client.force_login(user)
    report = factories.draft_report()
    assert client.get(report.get_absolute_url()).status_code == 404


def test_a_public_report_page_carries_no_preview_banner(editor_client, mali_report):
    response = editor_client.get(mali_report.get_absolute_url())
    assert "not public" not in response.content.decode()
    # What staff are sent is never stored; what readers are sent of the same page may be.
    assert "no-store" in response["Cache-Control"]
    reader = Client().get(mali_report.get_absolute_url())
    assert reader["Cache-Control"].startswith("public")


def count_page_queries(client, report):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(report.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_report_page_costs_a_fixed_number_of_queries(
    client, mali_report, django_assert_max_num_queries, without_page_cache
):
    # The report, its parts (the ticked stages with their evidence in one query), the
    # languages of its public translations, the follow links, the ten stages for the stage
    # bar, and the site's identity and menus (kept beside stored pages when the page cache
    # is on; pages/chrome.py).
    with django_assert_max_num_queries(11):
        client.get(mali_report.get_absolute_url())
    before = count_page_queries(client, mali_report)

    # Triple everything the page shows, and add other reports besides.
    mali_report.stages.set([1, 2, 3, 4, 5, 6, 7, 8, 9])
    factories.furnish(mali_report, stages=range(1, 10), recommendations=4, attachments=2, authors=2)
    for _ in range(5):
        factories.furnish(factories.published_report())
    FollowLink.objects.create(platform=Platform.X, url="https://micro.example/gw")

    assert count_page_queries(client, mali_report) == before


def test_the_report_list_shows_public_reports_newest_first(client):
    newer = factories.published_report(title="Newer report")
    factories.published_report(
        title="Older report", published_at=newer.published_at - timedelta(days=400)
    )
    factories.draft_report(title="Secret draft")
    factories.scheduled_report(title="Future report")
    html = client.get("/reports/").content.decode()
    assert html.index("Newer report") < html.index("Older report")
    assert "Secret draft" not in html
    assert "Future report" not in html


def test_the_report_list_is_paginated(client):
    for _ in range(21):
        factories.published_report()
    first = client.get("/reports/")
    assert len(first.context["report_list"]) == 20
    assert 'rel="next"' in first.content.decode()
    second = client.get("/reports/?page=2")
    assert len(second.context["report_list"]) == 1
    assert client.get("/reports/?page=99").status_code == 404
    assert client.get("/reports/?page=abc").status_code == 404


def test_the_home_page_lists_the_latest_public_reports(client, mali_report):
    factories.draft_report(title="Secret draft")
    html = client.get("/").content.decode()
    assert "Mali Country Report 2023" in html
    assert "Secret draft" not in html


def test_the_stages_page_explains_all_ten(client):
    html = client.get("/stages/").content.decode()
    for name in ["Classification", "Organization", "Persecution", "Denial"]:
        assert name in html


def test_a_stage_page_lists_its_public_reports(client, mali_report):
    draft = factories.draft_report(title="Secret draft")
    draft.stages.set([5])
    html = client.get("/stages/5/").content.decode()
    assert "Stage 5: Organization" in html
    assert "Mali Country Report 2023" in html
    assert "Secret draft" not in html
    assert client.get("/stages/11/").status_code == 404


def test_an_unknown_report_is_a_friendly_404(client):
    response = client.get("/reports/no-such-report/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_report_list_searches_public_reports_by_word(client):
    factories.published_report(title="Mali Country Report 2023", body="<p>Ogossagou</p>")
    factories.published_report(title="Sudan alert", body="<p>El Fasher</p>")
    factories.draft_report(title="Secret draft", body="<p>Ogossagou</p>")
    response = client.get("/reports/", {"q": "  ogossagou "})
    html = response.content.decode()
    assert [r.title for r in response.context["report_list"]] == ["Mali Country Report 2023"]
    assert "1 report matching “ogossagou”" in html
    assert re.search(r'name="q" value="\s*ogossagou\s*"', html)


def test_a_search_without_matches_says_so(client):
    factories.published_report()
    html = client.get("/reports/", {"q": "nothing-like-this"}).content.decode()
    assert "No report matches your search." in html
