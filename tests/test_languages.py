"""The site in English, French and Arabic: addresses, alternates, the switcher, right to left,
stored pages, emails in the subscriber's language, and complete translation catalogues."""

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from PIL import Image, features

from alerts import subscriptions
from alerts.models import Subscriber
from reports import workflow
from reports.models import Report, Stage
from sharing.cards import card_version

from . import factories
from .conftest import sitemap

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


@pytest.fixture
def report():
    factories.country("ML", name="Mali", slug="mali")
    report = factories.furnish(
        factories.published_report(title="Mali Country Report 2023", slug="mali-2023"),
        stages=(5, 6),
        recommendations=2,
        attachments=1,
    )
    return report


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def alternates(html):
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


# Addresses


@pytest.mark.parametrize(
    "path",
    ["/", "/reports/", "/reports/mali-2023/", "/countries/", "/countries/mali/", "/stages/5/"]
    + ["/recommendations/", "/subscribe/"],
)
def test_every_public_page_exists_in_each_language_under_its_prefix(client, report, path):
    for code, prefix in [("en", ""), ("fr", "/fr"), ("ar", "/ar")]:
        response = client.get(prefix + path)
        html = html_of(response)
        direction = "rtl" if code == "ar" else "ltr"
        assert f'<html lang="{code}" dir="{direction}">' in html
        assert response["Content-Language"] == code


def test_french_and_arabic_pages_speak_their_language(client, report):
    french = html_of(client.get("/fr/reports/mali-2023/"))
    assert "Aller au contenu principal" in french
    assert "Alerte « Urgence génocide » : Mali" in french.replace("\u00a0", " ")
    assert "Télécharger le PDF" in french
    arabic = html_of(client.get("/ar/reports/mali-2023/"))
    assert "الانتقال إلى المحتوى الرئيسي" in arabic
    assert "مراحل الإبادة الجماعية" in arabic
    assert "Skip to main content" not in arabic


def test_every_page_names_itself_in_each_language_and_a_default(client, report):
    html = html_of(client.get("/fr/stages/5/?x=1"))
    assert alternates(html) == {
        "en": "http://testserver/stages/5/?x=1",
        "fr": "http://testserver/fr/stages/5/?x=1",
        "ar": "http://testserver/ar/stages/5/?x=1",
        "x-default": "http://testserver/stages/5/?x=1",
    }


def test_a_report_not_yet_translated_names_only_the_language_it_is_written_in(client, report):
    # Its /fr/ page exists (French around the English text, with a notice), but search engines
    # are pointed only at the page whose text is in the language it claims.
    html = html_of(client.get("/fr/reports/mali-2023/?x=1"))
    assert alternates(html) == {
        "en": "http://testserver/reports/mali-2023/?x=1",
        "x-default": "http://testserver/reports/mali-2023/?x=1",
    }


def test_the_switcher_links_to_the_same_page_in_the_other_languages(client, report):
    html = html_of(client.get("/reports/?country=mali"))
    switcher = html.split('<nav class="languages"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/fr/reports/?country=mali" hreflang="fr" lang="fr" dir="ltr">Français' in switcher
    assert 'href="/ar/reports/?country=mali" hreflang="ar" lang="ar" dir="rtl">العربية' in switcher
    assert 'href="/reports/' not in switcher  # not the page the reader is on
    arabic = html_of(client.get("/ar/reports/?country=mali"))
    switcher = arabic.split('<nav class="languages"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/reports/?country=mali" hreflang="en" lang="en" dir="ltr">English' in switcher


def test_a_page_given_its_languages_names_only_those_and_says_the_rest_are_not_translated():
    request = RequestFactory().get("/fr/reports/mali-2023/")
    from django.utils import translation

    with translation.override("fr"):
        html = render_to_string("404.html", {"translated_languages": ["en", "fr"]}, request)
    assert alternates(html) == {
        "en": "http://testserver/reports/mali-2023/",
        "fr": "http://testserver/fr/reports/mali-2023/",
        "x-default": "http://testserver/reports/mali-2023/",
    }
    assert 'href="/ar/' not in html
    assert '<span lang="ar" dir="rtl">العربية</span>: pas encore traduit' in html


def test_english_addresses_stay_where_they_were_and_en_moves_there_for_good(client, report):
    assert client.get("/reports/mali-2023/").status_code == 200
    response = client.get("/en/reports/?page=1")
    assert response.status_code == 301
    assert response["Location"] == "/reports/?page=1"


def test_files_keep_one_address_whatever_the_language_of_the_page(client, report):
    attachment = report.attachments.get()
    html = html_of(client.get("/ar/reports/mali-2023/"))
    assert f'href="{attachment.get_absolute_url()}"' in html
    assert attachment.get_absolute_url().startswith("/reports/")
    response = client.get("/fr" + attachment.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"] == attachment.get_absolute_url()


def test_a_request_leaves_no_language_behind(client, report):
    from django.utils import translation

    client.get("/ar/countries/")
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_the_language_comes_from_the_address_never_from_the_browser(client, report):
    response = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="fr", HTTP_COOKIE="django_language=ar")
    assert '<html lang="en" dir="ltr">' in html_of(response)
    assert "Accept-Language" not in response.get("Vary", "")


def test_a_missing_page_says_so_in_the_language_of_its_address(client):
    response = Client().get("/ar/reports/no-such-report/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "الصفحة غير موجودة" in html


def test_form_errors_are_in_the_language_of_the_page(client, mailoutbox):
    response = client.post("/fr/subscribe/", {"email": "not an address", "what": "countries"})
    html = html_of(response)
    assert "Saisissez une adresse de courriel valide." in html
    assert "Choisissez au moins un pays" in html
    assert mailoutbox == []


def test_staff_screens_work_when_the_browser_asks_for_french(editor_client):
    for path in ["/admin/", "/admin/reports/report/", "/admin/reports/report/add/"]:
        response = editor_client.get(path, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
        assert response.status_code == 200, path


# Stored pages


@pytest.fixture(params=["local memory", "redis"])
def page_cache(request, settings):
    from .test_page_cache import REDIS_URL, redis_answers

    settings.PAGE_CACHE_SECONDS = 600
    if request.param == "redis":
        if not redis_answers():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
            }
        }
    from django.core.cache import cache

    cache.clear()


def test_a_stored_page_is_never_served_in_another_language(page_cache, report):
    asks_french = Client(HTTP_ACCEPT_LANGUAGE="fr", HTTP_COOKIE="django_language=fr")
    first = [asks_french.get(path) for path in ["/reports/", "/fr/reports/", "/ar/reports/"]]
    assert [response["X-Page-Cache"] for response in first] == ["miss", "miss", "miss"]
    for path, code in [("/reports/", "en"), ("/fr/reports/", "fr"), ("/ar/reports/", "ar")]:
        for client in [Client(), asks_french, Client(HTTP_ACCEPT_LANGUAGE="ar")]:
            response = client.get(path)
            assert response["X-Page-Cache"] == "hit"
            assert f'<html lang="{code}"' in response.content.decode()


def test_public_pages_cost_the_same_queries_in_every_other_language(report, without_page_cache):
    # Outside English, each list of reports costs one query more: the one that swaps in
    # public translations (reports/translations.py, `localise`); the home page has two lists.
    # tests/test_query_counts.py shows the counts do not grow with the number of translations.
    for path in ["/", "/reports/", "/reports/mali-2023/", "/countries/mali/", "/stages/5/"]:
        counts = []
        for prefix in ["", "/fr", "/ar"]:
            with CaptureQueriesContext(connection) as queries:
                assert Client().get(prefix + path).status_code == 200
            counts.append(len(queries))
        english, french, arabic = counts
        assert french == arabic and french - english <= 2, (path, counts)


# Sitemap, feeds, citations, cards


def test_the_sitemap_lists_every_page_in_each_language_with_its_alternates(client, report):
    xml = sitemap(client)
    for prefix in ["", "/fr", "/ar"]:
        assert f"<loc>http://testserver{prefix}/stages/5/</loc>" in xml
    assert 'hreflang="ar" href="http://testserver/ar/stages/5/"' in xml
    assert 'hreflang="x-default" href="http://testserver/stages/5/"' in xml
    # A report is listed in the languages its text is in: not yet translated, English only,
    # and once.
    assert xml.count("<loc>http://testserver/reports/mali-2023/</loc>") == 1
    assert "/fr/reports/mali-2023/" not in xml
    assert 'hreflang="x-default" href="http://testserver/reports/mali-2023/"' in xml


def test_the_sitemap_lists_a_report_in_the_language_of_each_public_translation(client, report):
    factories.report(
        translation_of=report,
        language="fr",
        slug=report.slug,
        country=report.country,
        title="Rapport pays Mali 2023",
        status=report.status,
        published_at=report.published_at,
    )
    factories.report(
        translation_of=report,
        language="ar",
        slug=report.slug,
        country=report.country,
        title="تقرير مالي 2023",
        status=Report.Status.DRAFT,
    )
    xml = client.get("/sitemap-reports.xml").content.decode()
    entries = re.findall(r"<url><loc>([^<]+)</loc>(.*?)</url>", xml, re.DOTALL)
    assert [loc for loc, _ in entries] == [
        "http://testserver/reports/mali-2023/",
        "http://testserver/fr/reports/mali-2023/",
    ]
    for _, links in entries:
        assert re.findall(r'hreflang="([^"]+)" href="([^"]+)"', links) == [
            ("en", "http://testserver/reports/mali-2023/"),
            ("fr", "http://testserver/fr/reports/mali-2023/"),
            ("x-default", "http://testserver/reports/mali-2023/"),
        ]


def test_feeds_and_citations_are_labelled_in_the_language_of_their_address(client, report):
    feed = client.get("/fr/feeds/reports/").content.decode()
    assert 'xml:lang="fr"' in feed
    assert "rapports et alertes" in feed
    # Not translated yet: the entry leads to the page whose text it gives, in English.
    assert "http://testserver/reports/mali-2023/" in feed
    stage = client.get("/ar/stages/5/feed/").content.decode()
    assert "المرحلة 5" in stage


def test_the_social_card_is_drawn_in_the_language_of_the_page(client, report, stored_files):
    assert features.check("raqm"), "Pillow cannot lay out Arabic: install libraqm0 and libfribidi0"
    cards = {}
    for prefix in ["", "/ar"]:
        html = html_of(client.get(f"{prefix}/reports/mali-2023/"))
        address = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
        assert address.startswith(f"http://testserver{prefix}/reports/mali-2023/card-")
        response = client.get(address.removeprefix("http://testserver"))
        assert response.status_code == 200
        cards[prefix] = b"".join(response.streaming_content)
    assert cards[""] != cards["/ar"]
    image = Image.open(__import__("io").BytesIO(cards["/ar"]))
    assert image.size == (1200, 630)


# Emails


def test_subscribers_choose_their_language_and_are_written_to_in_it(client, mailoutbox):
    factories.country("ML")
    response = client.post("/fr/subscribe/", {"email": "lecteur@example.org", "what": "all"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/subscribe/sent/"
    message = mailoutbox[0]
    assert message.subject == "Confirmez vos alertes Genocide Watch"
    assert "Quelqu’un, probablement vous" in message.body
    link = re.search(r"http://\S+/confirm/\S+/", message.body).group(0)
    assert "/fr/subscribe/confirm/" in link
    Client().post(link.split("127.0.0.1:8000", 1)[1])
    assert Subscriber.objects.get().language == "fr"


def test_the_subscribe_form_offers_the_languages_and_starts_at_the_pages(client):
    html = html_of(client.get("/ar/subscribe/"))
    assert "لغة الرسائل" in html
    chosen = re.findall(r'<input type="radio" name="language" value="(\w+)"[^>]*checked', html)
    assert chosen == ["ar"]


def test_a_subscriber_can_change_the_language_of_their_emails(client):
    subscriber = Subscriber.objects.create(email="a@example.org", confirmed_at=timezone.now())
    path = subscriptions.manage_link(subscriber).split("127.0.0.1:8000", 1)[1]
    assert client.post(path, {"what": "all", "language": "fr"}).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.language == "fr"


def test_the_language_chosen_on_the_form_wins_over_the_page(client, mailoutbox):
    client.post("/subscribe/", {"email": "qari@example.org", "what": "all", "language": "ar"})
    assert mailoutbox[0].subject == "أكّد اشتراكك في تنبيهات Genocide Watch"
    assert '<html lang="ar" dir="rtl">' in mailoutbox[0].alternatives[0][0]


def test_alerts_come_in_the_subscribers_language_saying_the_report_is_in_its_original(
    editor, mailoutbox, django_capture_on_commit_callbacks
):
    for email, language in [("en@example.org", "en"), ("fr@example.org", "fr")]:
        Subscriber.objects.create(email=email, language=language, confirmed_at=timezone.now())
    Subscriber.objects.create(email="ar@example.org", language="ar", confirmed_at=timezone.now())
    report = factories.draft_report(country=factories.country("ML"))
    report.stages.set(Stage.objects.filter(number__in=[5]))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_publish(report, user=editor)
    sent = {message.to[0]: message for message in mailoutbox}
    assert "not yet available" not in sent["en@example.org"].body
    french = sent["fr@example.org"]
    assert "Ce rapport n’est pas encore disponible dans votre langue" in french.body
    assert "(anglais)" in french.body
    assert "/fr/reports/" in french.body and "/fr/subscribe/unsubscribe/" in french.body
    assert french.subject.startswith("Alerte")
    arabic = sent["ar@example.org"]
    assert "هذا التقرير غير متاح بلغتك بعد" in arabic.body
    assert '<html lang="ar" dir="rtl">' in arabic.alternatives[0][0]
    assert '<div lang="en" dir="auto">' in arabic.alternatives[0][0]


def test_which_report_a_reader_gets_is_decided_in_one_place(report):
    assert subscriptions.report_for_reader(report, "en") == (report, False)
    assert subscriptions.report_for_reader(report, "fr") == (report, True)


# Catalogues


def catalogue(code):
    return polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(code):
    po = catalogue(code)
    assert not po.metadata_is_fuzzy  # msgfmt would leave out a fuzzy header: no plural rules
    assert po.untranslated_entries() == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert [entry.msgid for entry in po.obsolete_entries()] == []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            forms = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
            assert len(entry.msgstr_plural) == forms, entry.msgid
            assert all(entry.msgstr_plural.values()), entry.msgid


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogue_is_the_one_written(code):
    compiled = polib.mofile(str(LOCALE / code / "LC_MESSAGES" / "django.mo"))
    written = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in catalogue(code)}
    assert {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in compiled} == written
    msgfmt = shutil.which("msgfmt")
    if msgfmt:
        check = subprocess.run(  # noqa: S603 - our own catalogue, checked by GNU msgfmt
            [msgfmt, "--check", "-o", "/dev/null", str(LOCALE / code / "LC_MESSAGES/django.po")],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stderr


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
def test_the_catalogues_hold_every_message_of_the_source_and_no_other(tmp_path, monkeypatch):
    # makemessages writes into the catalogues it finds under the folder it runs in, so it
    # runs on a copy of the source, never touching locale/.
    source = tmp_path / "source"
    shutil.copytree(
        settings.BASE_DIR,
        source,
        ignore=shutil.ignore_patterns(
            ".*", "locale", "media", "staticfiles", "artifacts", "tests", "bench", "*.sqlite3*"
        ),
    )
    (source / "locale").mkdir()
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[]):
        call_command("makemessages", locale=["fr"], no_location=True, verbosity=0)
    fresh = polib.pofile(str(source / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    wanted = {(e.msgctxt, e.msgid, e.msgid_plural) for e in fresh}
    for code in TRANSLATED:
        have = {(e.msgctxt, e.msgid, e.msgid_plural) for e in catalogue(code)}
        assert have == wanted, (
            f"locale/{code} is out of date with the source: run `make messages` and "
            f"translate. Missing: {sorted(wanted - have, key=str)}; "
            f"no longer used: {sorted(have - wanted, key=str)}"
        )


def test_arabic_has_its_six_plural_forms():
    from django.utils import translation

    with translation.override("ar"):
        said = [
            translation.ngettext("%(counter)s report.", "%(counter)s reports.", n) % {"counter": n}
            for n in (0, 1, 2, 3, 11, 100)
        ]
    assert said == [
        "لا توجد تقارير.",
        "تقرير واحد.",
        "تقريران.",
        "3 تقارير.",
        "11 تقريرًا.",
        "100 تقرير.",
    ]


def test_card_versions_differ_by_language(report):
    from django.utils import translation

    with translation.override("fr"):
        french = card_version(report)
    assert french != card_version(report)
