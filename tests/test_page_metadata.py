"""What pages tell machines and readers around them: previews when shared, citation tags,
structured data, crawler hints and feeds; and the ten stages made visible on the page."""

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from reports.models import AlertLevel, Report, Stage

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def mali():
    report = factories.published_report(
        country=factories.country("ML", name="Mali", slug="mali"),
        title="Mali Country Report 2023",
        slug="mali-country-report-2023",
        published_at=datetime(2023, 12, 4, 9, tzinfo=UTC),
    )
    return factories.furnish(report, stages=(5, 6, 8), recommendations=1, attachments=1)


def meta(html, attribute, name):
    return re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)


def structured(html):
    return json.loads(html.split('<script type="application/ld+json">', 1)[1].split("</script>")[0])


def test_a_shared_report_names_its_country_once(client, mali):
    html = client.get(mali.get_absolute_url()).content.decode()
    expected = "Genocide Emergency Alert: Mali Country Report 2023"
    assert meta(html, "property", "og:title") == [expected]
    assert meta(html, "name", "twitter:title") == [expected]
    feed = ET.fromstring(client.get("/feeds/reports/").content)
    assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")] == [expected]


@pytest.mark.parametrize(
    ("override", "title", "expected"),
    [
        ("", "Mali Country Report 2023", "Genocide Emergency Alert: Mali Country Report 2023"),
        ("", "Annual review", "Genocide Emergency Alert: Mali (Annual review)"),
        ("Mali: stop the killing", "Mali: stop the killing", "Mali: stop the killing"),
        (
            "Stop the killing",
            "Mali Country Report 2023",
            "Stop the killing (Mali Country Report 2023)",
        ),
    ],
)
def test_the_full_title_never_says_the_same_thing_twice(override, title, expected):
    report = factories.published_report(
        country=factories.country("ML", name="Mali"), headline_override=override, title=title
    )
    assert report.full_title == expected


def test_the_report_carries_google_scholar_citation_tags(client, mali):
    html = client.get(mali.get_absolute_url()).content.decode()
    (edition,) = mali.attachments.all()
    assert meta(html, "name", "citation_title") == ["Mali Country Report 2023"]
    assert meta(html, "name", "citation_author") == [a.name for a in mali.authors]
    assert meta(html, "name", "citation_publication_date") == ["2023/12/04"]
    assert meta(html, "name", "citation_pdf_url") == [
        f"http://testserver{edition.get_absolute_url()}"
    ]
    assert meta(html, "name", "citation_technical_report_institution") == ["Genocide Watch"]


def test_a_draft_seen_by_staff_carries_no_citation_tags(editor_client):
    draft = factories.draft_report()
    html = editor_client.get(draft.get_absolute_url()).content.decode()
    assert "citation_title" not in html
    assert meta(html, "name", "robots") == ["noindex, nofollow"]


def test_the_structured_data_names_image_logo_page_and_language(client, mali):
    html = client.get(mali.get_absolute_url()).content.decode()
    data = structured(html)
    url = f"http://testserver{mali.get_absolute_url()}"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["inLanguage"] == "en"
    assert data["image"]["url"] == meta(html, "property", "og:image")[0]
    assert (data["image"]["width"], data["image"]["height"]) == (1200, 630)
    assert data["publisher"]["logo"]["url"].startswith("http://testserver/static/")


def test_the_ris_file_says_what_kind_of_report_it_is(client, mali):
    ris = client.get(f"{mali.get_absolute_url()}citation.ris").content.decode()
    assert "M3  - Genocide Emergency Alert\r\n" in ris
    assert ris.startswith("TY  - RPRT\r\n")


@pytest.mark.parametrize(
    "url",
    [
        "/reports/?q=Mali",
        "/reports/?country=mali",
        "/reports/?stage=5&page=1",
        "/recommendations/?country=mali",
    ],
)
def test_filtered_and_searched_lists_ask_crawlers_not_to_index_them(client, mali, url):
    html = client.get(url).content.decode()
    assert meta(html, "name", "robots") == ["noindex, follow"]
    assert 'rel="canonical"' not in html


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/reports/", "http://testserver/reports/"),
        ("/reports/?page=1", "http://testserver/reports/"),
        ("/recommendations/", "http://testserver/recommendations/"),
        ("/countries/?sort=name", "http://testserver/countries/"),
    ],
)
def test_unfiltered_lists_name_their_one_canonical_address(client, mali, url, canonical):
    html = client.get(url).content.decode()
    assert re.findall(r'<link rel="canonical" href="([^"]+)">', html) == [canonical]
    assert "noindex" not in html


def test_an_empty_feed_is_dated_by_the_last_change_not_by_the_time_it_is_read(client):
    with time_machine.travel(datetime(2026, 5, 1, 12, 0, tzinfo=UTC), tick=False):
        factories.published_report()  # a change: the content version starts now
    with time_machine.travel(datetime(2026, 5, 3, 8, 0, tzinfo=UTC), tick=False):
        for url in ("/stages/10/feed/", "/countries/mali/feed/"):
            Report.objects.update(status=Report.Status.DRAFT)  # no change noticed by pages
            feed = ET.fromstring(client.get(url).content)
            assert feed.findtext(f"{ATOM}updated") == "2026-05-01T12:00:00+00:00", url


def og_image(html):
    (url,) = meta(html, "property", "og:image")
    return url.removeprefix("http://testserver")


@pytest.mark.parametrize("page", ["/", "/countries/mali/", "/stages/5/"])
def test_home_country_and_stage_pages_have_a_card_of_their_own(client, mali, page):
    html = client.get(page).content.decode()
    card = og_image(html)
    assert card.endswith(".png") and card != "/"
    response = client.get(card)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size == (1200, 630)
    assert meta(html, "property", "og:image:alt")[0]
    assert re.findall(r'<link rel="canonical" href="([^"]+)">', html) == [
        f"http://testserver{page}"
    ]
    # An address from before a change leads to the current card.
    old = re.sub(r"card-[0-9a-f]+\.png$", "card-0123456789abcdef.png", card)
    assert client.get(old)["Location"] == card


def test_a_page_card_changes_with_what_is_public_and_never_with_a_draft(client, mali):
    cards = {
        page: og_image(client.get(page).content.decode()) for page in ("/", "/countries/mali/")
    }
    draft = factories.draft_report(country=mali.country, alert_level=AlertLevel.WATCH)
    factories.draft_report(country=factories.country("SD", name="Sudan", slug="sudan"))
    for page, card in cards.items():
        assert og_image(client.get(page).content.decode()) == card, page
    draft.status = Report.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.save()
    for page, card in cards.items():
        assert og_image(client.get(page).content.decode()) != card, page


def test_the_pdf_preview_has_its_width_and_height(client, mali):
    html = client.get(mali.get_absolute_url()).content.decode()
    (edition,) = mali.attachments.all()
    assert (edition.preview_width, edition.preview_height) == (192, 272)
    assert f'<img src="{edition.get_preview_url()}" alt="" width="96" height="136"' in html


def test_the_report_page_shows_the_ten_stages_as_a_bar_and_a_list(client, mali):
    html = client.get(mali.get_absolute_url()).content.decode()
    bar = html.split('<ol class="stage-bar__steps"', 1)[1].split("</ol>", 1)[0]
    steps = re.findall(r'<span class="visually-hidden">(Stage \d+: [^<]+)</span>', bar)
    names = {s.number: s.name for s in Stage.objects.all()}
    assert steps == [
        f"Stage {n}: {names[n]}, {'found' if n in (5, 6, 8) else 'not found'}" for n in range(1, 11)
    ]
    # Without colour: the found steps carry a tick, the others none.
    assert bar.count('<span class="stage-bar__mark" aria-hidden="true">✔</span>') == 3
    assert bar.count("stage-bar__step--found") == 3
    assert 'aria-labelledby="stage-bar-label"' in bar
    assert "The ten stages: where this report finds Mali" in html


def test_the_country_page_shows_the_current_stages_and_a_grid_that_fits_a_phone(client, mali):
    html = client.get("/countries/mali/").content.decode()
    assert "The ten stages: where Mali is now" in html
    assert html.count("stage-bar__step--found") == 3
    row = html.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    # The alert level sits under the year, so the grid has only eleven narrow columns.
    assert (
        '<span class="stage-grid__level stage-grid__level--emergency">'
        "Genocide Emergency</span></th>" in row
    )
    assert row.count("<td>") == 10
    assert row.count("stage-grid__mark--found") == 3


def test_report_cards_show_the_lead_image_and_sit_under_the_pages_headings(client, mali):
    factories.with_lead_image(mali)
    listing = client.get("/reports/").content.decode()
    card = listing.split('<article class="report-card">', 1)[1].split("</article>", 1)[0]
    assert '<picture class="report-card__image">' in card
    assert 'alt="" width="1200" height="800" loading="lazy"' in card
    assert '<h2 class="report-card__title">' in card
    home = client.get("/").content.decode()
    assert '<picture class="report-card__image">' in home
    assert '<h3 class="report-card__title">' in home
