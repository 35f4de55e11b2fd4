"""The reading side: home, countries, stages, recommendations, filters, search, feeds, citations."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.models import AlertLevel, Recommendation, Report, Stage

from . import factories
from .conftest import sitemap

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ranked full-text search runs on PostgreSQL"
)


def days_ago(n):
    return timezone.now() - timedelta(days=n)


def report_on(code, *, level, stages=(), days=1, year=2023, **fields):
    report = factories.published_report(
        country=factories.country(code),
        alert_level=level,
        year=year,
        published_at=days_ago(days),
        **fields,
    )
    report.stages.set(Stage.objects.filter(number__in=stages))
    return report


@pytest.fixture
def world():
    """Mali at emergency now (after a warning), Sudan at watch, Myanmar's only report a draft."""
    old_mali = report_on("ML", level=AlertLevel.WARNING, stages=[5], days=400, year=2022)
    mali = report_on("ML", level=AlertLevel.EMERGENCY, stages=[5, 6, 8], days=10, year=2023)
    sudan = report_on("SD", level=AlertLevel.WATCH, stages=[3], days=5)
    factories.draft_report(country=factories.country("MM"), alert_level=AlertLevel.EMERGENCY)
    # A newer draft does not change Mali's status: only public reports count.
    factories.draft_report(country=factories.country("ML"), alert_level=AlertLevel.WATCH)
    return {"old_mali": old_mali, "mali": mali, "sudan": sudan}


def test_the_home_page_groups_countries_by_their_current_alert_level(client, world):
    html = client.get("/").content.decode()
    emergency = html[html.index('id="level-emergency"') : html.index('id="level-warning"')]
    watch = html[html.index('id="level-watch"') : html.index('id="latest-heading"')]
    assert "Mali" in emergency
    assert "Sudan" in watch and "Mali" not in watch
    assert "Myanmar" not in html
    for level in AlertLevel:
        assert level.description in html


def test_the_countries_page_lists_current_status_sortable_by_level_and_name(client, world):
    by_level = client.get("/countries/").content.decode()
    assert by_level.index(">Mali<") < by_level.index(">Sudan<")
    assert "Myanmar" not in by_level
    by_name = client.get("/countries/?sort=name").content.decode()
    assert by_name.index(">Mali<") < by_name.index(">Sudan<")
    sudan_first = report_on("AF", level=AlertLevel.WATCH)
    by_name = client.get("/countries/?sort=name").content.decode()
    assert by_name.index(f">{sudan_first.country.name}<") < by_name.index(">Mali<")


def test_a_country_page_shows_status_stage_history_reports_and_recommendations(client, world):
    Recommendation.objects.create(
        report=world["mali"], addressee=factories.addressee("France"), text="should act.", order=0
    )
    response = client.get("/countries/mali/")
    html = response.content.decode()
    assert "Genocide Emergency" in html
    table = html[html.index('class="data-table stage-grid"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table[table.index("<tbody>") :], re.S)
    assert len(rows) == 2
    assert ">2022<" in rows[0] and ">2023<" in rows[1]
    marks = [re.findall(r'visually-hidden">(yes|no)<', row) for row in rows]
    assert [i + 1 for i, m in enumerate(marks[0]) if m == "yes"] == [5]
    assert [i + 1 for i, m in enumerate(marks[1]) if m == "yes"] == [5, 6, 8]
    assert '<th scope="col">' in table
    assert "should act." in html and "/addressees/france/" in html
    assert '/countries/mali/feed/"' in html


def test_a_country_with_a_long_history_shows_its_reports_a_page_at_a_time(client, world):
    from reports.views import COUNTRY_PAGE_REPORTS

    years = range(1990, 1990 + 2 * COUNTRY_PAGE_REPORTS)
    for age, year in enumerate(reversed(years), start=20):
        report_on("ML", level=AlertLevel.WATCH, stages=[3], days=age, year=year, title=f"Y{year}")
    first = client.get("/countries/mali/").content.decode()
    second = client.get("/countries/mali/?page=2").content.decode()
    # The grid stays whole on every page: one row a year, the two years of the fixture too.
    for html in (first, second):
        grid = html[html.index("<tbody>") : html.index("</table>")]
        assert grid.count("<tr>") == len(years) + 2
        assert "Genocide Emergency" in html[: html.index("<tbody>")]  # the status now
    shown = [set(re.findall(r">(Y\d{4})<", html)) for html in (first, second)]
    assert len(shown[0]) == COUNTRY_PAGE_REPORTS - 1  # the newest card is Mali 2023
    assert shown[0].isdisjoint(shown[1])
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert '<link rel="canonical" href="http://testserver/countries/mali/?page=2">' in second
    assert client.get("/countries/mali/?page=99").status_code == 404
    assert client.get("/countries/mali/?page=two").status_code == 404


def test_a_country_without_a_public_report_is_404(client, world):
    assert client.get("/countries/myanmar/").status_code == 404
    assert client.get("/countries/atlantis/").status_code == 404


def test_a_stage_page_lists_the_countries_now_at_it_and_every_report(client, world):
    html = client.get("/stages/5/").content.decode()
    now = html[html.index("Countries at this stage now") : html.index("Reports that find")]
    assert "Mali" in now and "Sudan" not in now
    assert html.count(world["mali"].title) == 1 and world["old_mali"].title in html
    html = client.get("/stages/3/").content.decode()
    now = html[html.index("Countries at this stage now") : html.index("Reports that find")]
    assert "Sudan" in now


def test_recommendations_filter_by_addressee_and_country_and_each_addressee_has_a_page(
    client, world
):
    france = factories.addressee("France")
    icc = factories.addressee("The International Criminal Court")
    Recommendation.objects.create(report=world["mali"], addressee=france, text="should a.", order=0)
    Recommendation.objects.create(report=world["sudan"], addressee=icc, text="should b.", order=0)
    Recommendation.objects.create(
        report=world["old_mali"], addressee=icc, text="should c.", order=0
    )

    html = client.get("/recommendations/").content.decode()
    # Newest report first: Sudan's (5 days old), then Mali's (10 days), then Mali's of 2022.
    assert html.index("should b.") < html.index("should a.") < html.index("should c.")
    html = client.get("/recommendations/?addressee=international-criminal-court").content.decode()
    assert "should b." in html and "should c." in html and "should a." not in html
    html = client.get("/recommendations/?country=mali").content.decode()
    assert "should a." in html and "should c." in html and "should b." not in html

    html = client.get(icc.get_absolute_url()).content.decode()
    assert "should b." in html and "should c." in html
    assert world["sudan"].title in html


def test_an_unknown_filter_value_is_a_message_beside_the_field(client, world):
    response = client.get("/recommendations/?addressee=nobody")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = client.get("/reports/?stage=99&year=abc")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Select a valid choice") == 2
    assert len(response.context["report_list"]) == 3  # the bad filters are not applied


def test_report_filters_combine_and_show_facet_counts(client, world):
    response = client.get("/reports/?country=mali&stage=5")
    titles = {r.title for r in response.context["report_list"]}
    assert titles == {world["mali"].title, world["old_mali"].title}
    html = response.content.decode()
    assert "Mali (2)" in html  # countries counted under stage 5
    assert "Sudan (0, none with your other choices)" in html
    assert "8 · Persecution (1)" in html  # stages counted under Mali
    response = client.get("/reports/?country=mali&alert=emergency&year=2023")
    assert [r.title for r in response.context["report_list"]] == [world["mali"].title]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("/reports/", 3),
        ("/reports/?alert=emergency", 1),
        ("/reports/?stage=5&alert=warning", 1),
        ("/reports/?country=sudan&alert=emergency", 0),
        ("/reports/?country=mali&year=2023", 1),
        ("/reports/?q=report", 3),
        ("/reports/?q=report&alert=watch", 1),
    ],
)
def test_the_list_says_how_many_reports_its_filters_and_search_give(
    client, world, address, expected
):
    response = client.get(address)
    assert len(response.context["report_list"]) == expected
    assert response.context["paginator"].count == expected
    summary = re.search(r'class="search__summary"[^>]*>([^<]*)', response.content.decode())
    assert summary.group(1).startswith(f"{expected} report")


def option(html, value):
    """The <option> of `value` as rendered, with its attributes and label."""
    found = re.search(rf'<option value="{value}"[^>]*>[^<]*</option>', html)
    assert found, value
    return found.group()


def test_a_choice_that_would_show_nothing_is_greyed_out_with_the_reason(client, world):
    html = client.get("/reports/?stage=5").content.decode()
    # Sudan has no report at stage 5: its choice says so and cannot be picked.
    assert "disabled" in option(html, "sudan")
    assert "Sudan (0, none with your other choices)" in option(html, "sudan")
    assert "disabled" not in option(html, "mali") and "Mali (2)" in option(html, "mali")
    html = client.get("/reports/?stage=3").content.decode()
    assert "disabled" in option(html, "2022") and "disabled" not in option(html, "2023")
    # A choice already made stays selectable, or the next submission would drop it.
    html = client.get("/reports/?country=sudan&stage=5").content.decode()
    assert "selected" in option(html, "sudan") and "disabled" not in option(html, "sudan")

    france = factories.addressee("France")
    Recommendation.objects.create(report=world["mali"], addressee=france, text="should a.", order=0)
    html = client.get("/recommendations/?country=sudan").content.decode()
    assert "disabled" in option(html, "france")
    assert "France (0, none with your other choices)" in html
    html = client.get("/recommendations/?addressee=france").content.decode()
    assert "disabled" in option(html, "sudan") and "Mali (1)" in option(html, "mali")


@pytest.mark.parametrize(
    ("submitted", "clean"),
    [
        ("/reports/?q=&country=mali&stage=&alert=&year=", "/reports/?country=mali"),
        ("/reports/?q=+&country=&stage=&alert=&year=", "/reports/"),
        ("/reports/?q=displaced&country=&page=2", "/reports/?q=displaced&page=2"),
        ("/reports/?country=mali&page=", "/reports/?country=mali"),
        ("/recommendations/?addressee=&country=mali", "/recommendations/?country=mali"),
        ("/recommendations/?addressee=&country=", "/recommendations/"),
    ],
)
def test_a_submitted_filter_form_goes_to_the_address_of_only_what_was_chosen(
    client, world, submitted, clean
):
    response = client.get(submitted)
    assert response.status_code == 302
    assert response["Location"] == clean


def test_a_clean_filter_address_is_served_as_it_is_with_its_pages(client):
    for _ in range(21):
        report_on("ML", level=AlertLevel.WATCH)
    response = client.get("/reports/?country=mali&page=2")
    assert response.status_code == 200
    assert len(response.context["report_list"]) == 1
    assert 'href="?country=mali&amp;page=1"' in response.content.decode()


def test_a_filtered_list_keeps_its_filters_across_pages(client):
    for _ in range(21):
        report_on("ML", level=AlertLevel.WATCH)
    html = client.get("/reports/?country=mali").content.decode()
    assert 'href="?country=mali&amp;page=2"' in html


def test_search_finds_reports_by_recommendation_and_pdf_text_with_a_marked_snippet(client):
    report = report_on("ML", level=AlertLevel.EMERGENCY, title="Mali Country Report 2023")
    factories.attachment(report, content=factories.pdf_bytes("Displacement around Ogossagou."))
    Recommendation.objects.create(
        report=report,
        addressee=factories.addressee("France"),
        text="should fund peacekeepers.",
        order=0,
    )
    report_on("SD", level=AlertLevel.WATCH, title="Sudan alert")
    for word in ["Ogossagou", "peacekeepers"]:
        response = client.get("/reports/", {"q": word})
        assert [r.title for r in response.context["report_list"]] == [report.title], word
        assert f"<mark>{word}</mark>" in response.content.decode()


def test_a_search_snippet_cannot_inject_html(client):
    report_on("ML", level=AlertLevel.EMERGENCY, summary="Beware <script>alert(1)</script> here")
    html = client.get("/reports/", {"q": "beware"}).content.decode()
    assert "<script>alert(1)" not in html


def test_a_query_of_punctuation_only_finds_nothing_and_does_not_fail(client, world):
    response = client.get("/reports/", {"q": "&|!:*()"})
    assert response.status_code == 200
    assert list(response.context["report_list"]) == []


@on_postgresql
def test_search_ranks_a_title_match_above_a_body_match(client):
    report_on(
        "ML", level=AlertLevel.WATCH, title="Annual review", body="<p>Fulani herders</p>", days=1
    )
    report_on("SD", level=AlertLevel.WATCH, title="The Fulani crisis", days=30)
    response = client.get("/reports/", {"q": "fulani"})
    assert [r.title for r in response.context["report_list"]] == [
        "The Fulani crisis",
        "Annual review",
    ]


@on_postgresql
def test_search_matches_prefixes_and_quoted_phrases(client):
    report_on("ML", level=AlertLevel.WATCH, title="Persecution of herders in the centre")
    report_on("SD", level=AlertLevel.WATCH, title="Herders persecuted again")
    prefix = client.get("/reports/", {"q": "persec"}).context["report_list"]
    assert len(prefix) == 2
    phrase = client.get("/reports/", {"q": '"persecution of herders"'}).context["report_list"]
    assert [r.title for r in phrase] == ["Persecution of herders in the centre"]


@on_postgresql
def test_search_highlights_only_the_reports_on_the_page_in_one_query(client):
    for n in range(25):
        report_on("ML", level=AlertLevel.WATCH, summary=f"Herders displaced ({n}).", days=n + 1)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reports/", {"q": "herders"})
    shown = response.context["report_list"]
    assert response.context["paginator"].count == 25 and len(shown) == 20
    assert all("<mark>Herders</mark>" in report.snippet for report in shown)
    [highlighting] = [q["sql"] for q in queries.captured_queries if "ts_headline" in q["sql"]]
    highlighted = re.search(r'"id" IN \(([\d, ]+)\)', highlighting).group(1)
    assert {int(pk) for pk in highlighted.split(",")} == {report.pk for report in shown}


def test_the_atom_feed_lists_public_reports_with_their_pdfs_as_enclosures(client, world):
    attachment = factories.attachment(world["mali"])
    response = client.get("/feeds/reports/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles == [world[key].full_title for key in ("sudan", "mali", "old_mali")]
    enclosure = feed.find(f"{ATOM}entry/{ATOM}link[@rel='enclosure']")
    assert enclosure.get("href").endswith(attachment.get_absolute_url())
    assert enclosure.get("length") == str(attachment.size)
    assert enclosure.get("type") == "application/pdf"


def test_country_and_stage_feeds_hold_only_their_reports(client, world):
    feed = ET.fromstring(client.get("/countries/sudan/feed/").content)
    assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")] == [
        world["sudan"].full_title
    ]
    feed = ET.fromstring(client.get("/stages/8/feed/").content)
    assert len(list(feed.iter(f"{ATOM}entry"))) == 1
    assert client.get("/countries/myanmar/feed/").status_code == 200  # exists, but empty
    assert client.get("/stages/11/feed/").status_code == 404


def test_pages_link_their_feeds(client, world):
    html = client.get(world["mali"].get_absolute_url()).content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in html
    assert 'href="/countries/mali/feed/"' in html
    assert 'href="/feeds/reports/"' in html


def test_the_sitemap_lists_public_pages_with_lastmod_and_robots_points_to_it(client, world):
    index = client.get("/sitemap.xml").content.decode()
    assert "<sitemapindex" in index
    for section in ["pages", "reports", "countries", "stages", "addressees", "staff-pages"]:
        assert f"<loc>http://testserver/sitemap-{section}.xml</loc>" in index
    # Each part says when its section last changed, as far as it is cheap to know.
    assert re.search(r"sitemap-reports\.xml</loc><lastmod>", index)
    xml = sitemap(client)
    assert f"http://testserver{world['mali'].get_absolute_url()}" in xml
    assert "http://testserver/countries/mali/</loc><lastmod>" in xml
    assert f"{world['mali'].get_absolute_url()}</loc><lastmod>" in xml
    assert "myanmar" not in xml
    draft = Report.objects.exclude(status=Report.Status.PUBLISHED).first()
    assert f"/reports/{draft.slug}/" not in xml
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in robots.content.decode()


def test_the_sitemap_is_split_into_parts_of_at_most_the_part_size(client, settings):
    # Three languages: two reports per part of six addresses, whatever their translations.
    settings.SITEMAP_PART_ADDRESSES = 6
    reports = [
        report_on("ML", level=AlertLevel.WATCH, days=n, slug=f"mali-{n}") for n in range(1, 6)
    ]
    for language in ["fr", "ar"]:
        factories.report(
            translation_of=reports[0],
            language=language,
            slug=reports[0].slug,
            country=reports[0].country,
            status=Report.Status.PUBLISHED,
            published_at=reports[0].published_at,
        )
    index = client.get("/sitemap.xml").content.decode()
    parts = re.findall(r"<loc>http://testserver(/sitemap-reports\.xml[^<]*)</loc>", index)
    assert parts == [
        "/sitemap-reports.xml",
        "/sitemap-reports.xml?p=2",
        "/sitemap-reports.xml?p=3",
    ]
    listed = []
    for part in parts:
        xml = client.get(part).content.decode()
        assert len(re.findall("<url>", xml)) <= 6
        listed += re.findall(r"<loc>http://testserver(/[^<]*)</loc>", xml)
    # Newest first; the first report in its three languages, the others in English.
    assert listed == [
        "/reports/mali-1/",
        "/fr/reports/mali-1/",
        "/ar/reports/mali-1/",
        *(f"/reports/mali-{n}/" for n in range(2, 6)),
    ]
    assert client.get("/sitemap-reports.xml?p=4").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


@pytest.fixture
def cited_report():
    report = report_on("ML", level=AlertLevel.EMERGENCY, title="Mali Country Report 2023")
    Report.objects.filter(pk=report.pk).update(
        published_at=timezone.datetime(2023, 12, 4, 9, tzinfo=timezone.UTC)
    )
    report.refresh_from_db()
    report.authorships.create(author=factories.author("Esme Matthews"), order=0)
    return report


def test_the_report_page_offers_a_formatted_citation(client, cited_report):
    html = client.get(cited_report.get_absolute_url()).content.decode()
    assert (
        "Matthews, E. (2023). Mali Country Report 2023. Genocide Watch. "
        f"http://testserver{cited_report.get_absolute_url()}"
    ) in html


def test_citations_download_as_bibtex_ris_and_csl_json(client, cited_report):
    url = f"http://testserver{cited_report.get_absolute_url()}"
    bib = client.get(f"/reports/{cited_report.slug}/citation.bib")
    assert bib["Content-Type"].startswith("application/x-bibtex")
    assert "attachment;" in bib["Content-Disposition"]
    text = bib.content.decode()
    assert text.startswith("@techreport{matthews2023")
    assert "author = {Matthews, Esme}" in text and f"url = {{{url}}}" in text

    ris = client.get(f"/reports/{cited_report.slug}/citation.ris").content.decode()
    assert ris.startswith("TY  - RPRT\r\n")
    assert "AU  - Matthews, Esme\r\n" in ris and f"UR  - {url}\r\n" in ris
    assert ris.endswith("ER  - \r\n")

    item = json.loads(client.get(f"/reports/{cited_report.slug}/citation.json").content)[0]
    assert item["type"] == "report"
    assert item["author"] == [{"family": "Matthews", "given": "Esme"}]
    assert item["issued"] == {"date-parts": [[2023, 12, 4]]}
    assert item["URL"] == url
    assert client.get(f"/reports/{cited_report.slug}/citation.doc").status_code == 404


def test_the_report_page_describes_itself_in_json_ld(client, cited_report):
    cited_report.summary = "A summary with </script><script>alert(1)</script> in it."
    cited_report.save()
    html = client.get(cited_report.get_absolute_url()).content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "Report"
    assert data["name"] == "Mali Country Report 2023"
    assert data["author"] == [{"@type": "Person", "name": "Esme Matthews"}]
    assert data["datePublished"].startswith("2023-12-04")
    assert data["description"] == cited_report.summary
