"""Reports in several languages: a translation is started from the original's current text,
reviewed and published on its own, shown to readers of its language only while it and its
original are public, and flagged when the original's words change after it was published."""

from datetime import timedelta

import pytest
import reversion
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from reversion.models import Version

from reports import translations
from reports.models import Recommendation, Report, Stage

from . import factories
from .test_admin import change_form, formset

pytestmark = pytest.mark.django_db


def admin_url(report, suffix="change/"):
    return f"/admin/reports/report/{report.pk}/{suffix}"


@pytest.fixture
def original():
    report = factories.published_report(
        title="Mali Country Report 2023",
        slug="mali-country-report-2023",
        summary="Civilians are attacked and the Fulani are persecuted.",
        body="<p>Armed groups took the north of the country.</p>",
    )
    factories.furnish(report, attachments=0)
    return report


def translate(client, report, language="fr"):
    response = client.post(admin_url(report, "translate/"), {"language": language})
    assert response.status_code == 302
    return Report.objects.translations().get(translation_of=report, language=language)


def translation_form(translated, **fields):
    """What the admin's form posts for a translation: its words and recommendations."""
    data = {
        "title": translated.title,
        "summary": translated.summary,
        "body": translated.body,
        "lead_image_alt": translated.lead_image_alt,
        "lead_image_caption": translated.lead_image_caption,
        "headline_override": translated.headline_override,
        "seen_version": str(translated.edit_version),
        **formset(
            "recommendations",
            [
                {"id": r.pk, "report": translated.pk, "text": r.text}
                for r in translated.recommendations.all()
            ],
            initial=translated.recommendations.count(),
        ),
    }
    data.update(fields)
    return data


def french(client, original, **fields):
    """A French translation, started and written through the admin."""
    translated = translate(client, original)
    words = {
        "title": "Rapport pays Mali 2023",
        "summary": "Des civils sont attaqués et les Peuls persécutés.",
        "body": "<p>Des groupes armés ont pris le nord du pays.</p>",
        **fields,
    }
    response = client.post(admin_url(translated), translation_form(translated, **words))
    assert response.status_code == 302, response.context and response.context["errors"]
    translated.refresh_from_db()
    return translated


def publish(client, report):
    response = client.post(admin_url(report, "workflow/publish/"))
    assert response.status_code == 302
    report.refresh_from_db()
    return report


# Starting a translation.


def test_translate_this_report_starts_a_draft_from_the_originals_current_text(
    editor_client, original
):
    page = editor_client.get(admin_url(original)).content.decode()
    assert "Translations" in page and "No translation yet." in page
    assert '<option value="fr">French</option>' in page
    assert '<option value="en">' not in page  # not into its own language

    translated = translate(editor_client, original)
    assert translated.status == Report.Status.DRAFT
    assert translated.language == "fr" and translated.translation_of == original
    assert (translated.title, translated.summary, translated.body) == (
        original.title,
        original.summary,
        original.body,
    )
    assert translated.slug == original.slug
    assert list(translated.stages.all()) == list(original.stages.all())
    assert translated.authors == original.authors
    assert [(r.addressee_id, r.text) for r in translated.recommendations.all()] == [
        (r.addressee_id, r.text) for r in original.recommendations.all()
    ]
    panel = editor_client.get(admin_url(original)).content.decode()
    assert f'href="/admin/reports/report/{translated.pk}/change/">French</a>: Draft' in panel
    assert '<option value="fr">' not in panel  # one translation per language


def test_a_report_is_not_translated_twice_into_a_language_nor_into_its_own(editor_client, original):
    translated = translate(editor_client, original)
    editor_client.post(admin_url(original, "translate/"), {"language": "fr"})
    editor_client.post(admin_url(original, "translate/"), {"language": "en"})
    editor_client.post(admin_url(original, "translate/"), {"language": "xx"})
    assert Report.objects.translations().filter(translation_of=original).count() == 1
    response = editor_client.post(
        admin_url(translated, "translate/"), {"language": "ar"}, follow=True
    )
    assert "Translate the original report" in response.content.decode()
    assert not Report.objects.filter(translation_of=translated).exists()


def test_the_translation_page_edits_words_only(editor_client, original):
    translated = translate(editor_client, original)
    page = editor_client.get(admin_url(translated)).content.decode()
    assert "French translation of" in page
    assert 'name="title"' in page and 'name="country"' not in page
    assert 'name="stages"' not in page and "authorships-TOTAL_FORMS" not in page
    assert 'name="recommendations-0-addressee"' not in page
    other = factories.addressee("Someone else")
    data = translation_form(
        translated,
        title="Rapport pays Mali 2023",
        country=factories.country("FR").pk,
        **{"recommendations-0-addressee": other.pk, "recommendations-0-text": "doit agir."},
    )
    assert editor_client.post(admin_url(translated), data).status_code == 302
    translated.refresh_from_db()
    first = translated.recommendations.first()
    assert translated.title == "Rapport pays Mali 2023"
    assert translated.country == original.country
    assert first.text == "doit agir." and first.addressee_id != other.pk


# Its own review.


def test_a_french_translation_is_reviewed_and_published_on_its_own(
    client, author, editor, original
):
    client.force_login(author)
    translated = french(client, original)
    assert client.post(admin_url(translated, "workflow/submit/")).status_code == 302
    translated.refresh_from_db()
    assert translated.status == Report.Status.IN_REVIEW

    client.force_login(editor)
    response = client.post(
        admin_url(translated, "workflow/return/"), {"note": "Traduisez aussi le titre."}
    )
    assert response.status_code == 302
    translated.refresh_from_db()
    assert translated.status == Report.Status.DRAFT
    assert translated.review_note == "Traduisez aussi le titre."
    original.refresh_from_db()
    assert original.is_public and original.review_note == ""

    reader = Client()
    assert (
        "Rapport pays Mali"
        not in reader.get("/fr/reports/mali-country-report-2023/").content.decode()
    )
    publish(client, translated)
    assert translated.is_public
    page = reader.get("/fr/reports/mali-country-report-2023/").content.decode()
    assert "Rapport pays Mali 2023" in page and "Des groupes armés" in page
    english = reader.get("/reports/mali-country-report-2023/").content.decode()
    assert "Mali Country Report 2023" in english and "Rapport pays" not in english
    original.refresh_from_db()
    assert (
        original.status == Report.Status.PUBLISHED and original.title == "Mali Country Report 2023"
    )
    comments = [v.revision.comment for v in Version.objects.get_for_object(translated)]
    assert "Published." in comments and "Returned to the author." in comments
    assert "Translation into French started." in comments


def test_unpublishing_the_original_hides_its_translation(editor_client, original):
    translated = publish(editor_client, french(editor_client, original))
    reader = Client()
    assert reader.get("/fr/reports/mali-country-report-2023/").status_code == 200
    editor_client.post(admin_url(original, "workflow/unpublish/"))
    assert reader.get("/fr/reports/mali-country-report-2023/").status_code == 404
    assert not Report.objects.public_translations().exists()
    assert original.in_language("fr") is None
    translated.refresh_from_db()
    assert translated.status == Report.Status.PUBLISHED
    assert translated.state == "Published; hidden while the original is not public"
    # The admin's state filter still finds it where its own state puts it.
    listing = editor_client.get("/admin/reports/report/?state=public").content.decode()
    assert f"/admin/reports/report/{translated.pk}/change/" in listing


def test_in_language_gives_the_public_translation_or_none(editor_client, original):
    assert original.in_language("en") == original
    assert original.in_language("fr") is None
    translated = french(editor_client, original)
    assert original.in_language("fr") is None  # a draft
    publish(editor_client, translated)
    assert original.in_language("fr") == translated
    assert original.in_language("ar") is None
    assert translated.in_language("en") == original and translated.in_language("fr") == translated


def test_a_draft_or_scheduled_translation_never_leaks(editor_client, original):
    translated = french(editor_client, original)
    reader = Client()
    draft = reader.get("/fr/reports/mali-country-report-2023/").content.decode()
    assert "Rapport pays" not in draft and "Mali Country Report 2023" in draft
    later = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    date, time = later.split()
    editor_client.post(
        admin_url(translated, "workflow/schedule/"), {"publish_at_0": date, "publish_at_1": time}
    )
    translated.refresh_from_db()
    assert translated.is_scheduled
    for address in (
        "/fr/reports/mali-country-report-2023/",
        "/fr/reports/",
        "/fr/",
        "/fr/feeds/reports/",
        "/fr/reports/?q=rapport",
        "/fr/reports/mali-country-report-2023/citation.ris",
    ):
        assert "Rapport pays" not in reader.get(address).content.decode(), address
    assert Report.objects.public().count() == 1


# The original's words change.


def test_a_change_to_the_originals_words_flags_the_translation_until_it_is_reviewed(
    editor_client, original
):
    translated = publish(editor_client, french(editor_client, original))
    assert translated.original_changed_at is None

    changes = editor_client.post(admin_url(original, "changes/"))
    assert changes.status_code == 302
    copy = Report.objects.get(revises=original)
    editor_client.post(
        admin_url(copy), change_form(copy, summary="Civilians are attacked in the centre too.")
    )
    editor_client.post(
        admin_url(copy, "workflow/publish_changes/"),
        {"note": "The summary names the centre.", "seen_version": copy.edit_version + 1},
    )
    original.refresh_from_db()
    assert original.summary == "Civilians are attacked in the centre too."
    translated.refresh_from_db()
    assert translated.original_changed_at == original.text_changed_at
    when = timezone.localtime(original.text_changed_at)
    flag = f"The English text changed on {when.day} {when:%B %Y}: review the French."
    assert flag in editor_client.get(admin_url(original)).content.decode()
    assert flag in editor_client.get(admin_url(translated)).content.decode()

    # The translator's changes, once published, clear it.
    editor_client.post(admin_url(translated, "changes/"))
    pending = Report.objects.get(revises=translated)
    assert pending.language == "fr" and pending.translation_of == original
    assert flag in editor_client.get(admin_url(pending)).content.decode()
    editor_client.post(
        admin_url(pending),
        translation_form(pending, summary="Des civils sont attaqués, au centre aussi."),
    )
    pending.refresh_from_db()
    response = editor_client.post(
        admin_url(pending, "workflow/publish_changes/"),
        {"note": "Le résumé nomme le centre.", "seen_version": pending.edit_version},
    )
    assert response.status_code == 302
    translated.refresh_from_db()
    assert translated.summary == "Des civils sont attaqués, au centre aussi."
    assert translated.original_changed_at is None
    assert flag not in editor_client.get(admin_url(original)).content.decode()
    assert Report.objects.translations().filter(translation_of=original).count() == 1


def test_what_a_translation_shares_follows_the_original(editor_client, original):
    translated = french(editor_client, original)
    draft = factories.draft_report(title="Sudan 2024", slug="sudan-2024")
    factories.furnish(draft, stages=(1, 2), recommendations=1, attachments=0)
    brouillon = translate(editor_client, draft)
    data = change_form(draft, year="2024", alert_level="warning")
    data["stages"] = [str(s.pk) for s in original.stages.all()[:1]]
    response = editor_client.post(admin_url(draft), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    brouillon.refresh_from_db()
    assert (brouillon.year, brouillon.alert_level) == (2024, "warning")
    assert list(brouillon.stages.all()) == list(original.stages.all()[:1])
    # A recommendation added to the original arrives in its words, to be translated.
    Recommendation.objects.create(
        report=draft, addressee=factories.addressee("The African Union"), text="should act."
    )
    translations.keep_in_step(draft)
    assert [r.text for r in brouillon.recommendations.all()][-1] == "should act."
    assert translated.year == 2023


def test_revisions_of_a_translation_are_its_own(editor_client, original):
    translated = french(editor_client, original)
    editor_client.post(admin_url(translated), translation_form(translated, title="Mali 2023 (fr)"))
    versions = Version.objects.get_for_object(translated)
    assert versions.count() == 3  # started, translated, retitled
    assert not any(v.object_id == str(original.pk) for v in versions)
    history = editor_client.get(admin_url(translated, "history/")).content.decode()
    assert "Translation into French started." in history


# What readers of French see.


@pytest.fixture
def in_french(editor_client, original):
    return publish(editor_client, french(editor_client, original))


def test_a_page_not_translated_yet_shows_the_original_and_says_so(client, original):
    page = client.get("/fr/reports/mali-country-report-2023/").content.decode()
    assert "Mali Country Report 2023" in page
    assert "n’a pas encore été traduit dans cette langue" in page
    assert '<article class="report" lang="en" dir="ltr">' in page
    english = client.get("/reports/mali-country-report-2023/").content.decode()
    assert "has not been translated" not in english


def test_the_french_page_is_the_translation_in_french_with_the_originals_facts(
    client, original, in_french
):
    page = client.get("/fr/reports/mali-country-report-2023/")
    html = page.content.decode()
    assert '<article class="report" lang="fr" dir="ltr">' in html
    assert "has not been translated" not in html
    assert page.context["translated_languages"] == ["en", "fr"]
    assert page.context["canonical_url"].endswith("/fr/reports/mali-country-report-2023/")
    for stage in original.stages.all():
        assert stage.get_absolute_url() in html
    assert '"inLanguage": "fr"' in html and '"name": "Rapport pays Mali 2023"' in html
    assert client.get("/reports/mali-country-report-2023/").context["translated_languages"] == [
        "en",
        "fr",
    ]


def test_restoring_an_earlier_revision_of_the_original_keeps_its_translation_for_readers(
    editor_client, original, in_french
):
    with reversion.create_revision():
        reversion.add_to_revision(original)
    earlier = Version.objects.get_for_object(original).first()
    response = editor_client.post(
        admin_url(original, f"history/{earlier.pk}/"), change_form(original)
    )
    assert response.status_code == 302

    page = Client().get("/fr/reports/mali-country-report-2023/")
    assert "Rapport pays Mali 2023" in page.content.decode()
    assert page.context["translated_languages"] == ["en", "fr"]


def test_the_french_page_offers_the_french_pdf_edition_when_there_is_one(
    client, original, in_french
):
    english = factories.attachment(original, name="mali-en.pdf")
    page = client.get("/fr/reports/mali-country-report-2023/").content.decode()
    assert english.get_absolute_url() in page  # no French edition: the original's
    french_edition = factories.attachment(original, name="mali-fr.pdf", language="fr")
    page = client.get("/fr/reports/mali-country-report-2023/").content.decode()
    assert english.get_absolute_url() not in page
    assert french_edition.get_absolute_url() in page
    download = client.get(french_edition.get_absolute_url())
    assert download.status_code == 200


def test_lists_feeds_and_country_pages_in_french_show_the_french_translation(
    client, original, in_french
):
    untranslated = factories.published_report(title="Sudan Report 2024", slug="sudan-2024")
    for address in ("/fr/", "/fr/reports/", "/fr/countries/mali/", "/fr/stages/5/"):
        page = client.get(address).content.decode()
        assert "Rapport pays Mali 2023" in page, address
        assert "/fr/reports/mali-country-report-2023/" in page, address
    listing = client.get("/fr/reports/").content.decode()
    assert "Sudan Report 2024" in listing and "Mali Country Report 2023" not in listing
    assert listing.count("/fr/reports/mali-country-report-2023/") >= 1
    feed = client.get("/fr/feeds/reports/").content.decode()
    assert 'xml:lang="fr"' in feed
    assert "Rapport pays Mali 2023" in feed and "Sudan Report 2024" in feed
    english_feed = client.get("/feeds/reports/").content.decode()
    assert "Rapport pays" not in english_feed and "Mali Country Report 2023" in english_feed
    for address in ("/", "/reports/", "/countries/mali/"):
        assert "Rapport pays" not in client.get(address).content.decode(), address
    assert Report.objects.public().count() == 2  # one row per report, whatever the language
    assert untranslated.in_language("fr") is None


def test_citations_carry_the_language_and_the_translated_title(client, original, in_french):
    ris = client.get("/fr/reports/mali-country-report-2023/citation.ris").content.decode()
    assert "TI  - Rapport pays Mali 2023" in ris and "LA  - fr" in ris
    assert "/fr/reports/mali-country-report-2023/" in ris
    bib = client.get("/fr/reports/mali-country-report-2023/citation.bib").content.decode()
    assert "title = {Rapport pays Mali 2023}" in bib and "language = {french}" in bib
    item = client.get("/fr/reports/mali-country-report-2023/citation.json").json()[0]
    assert item["title"] == "Rapport pays Mali 2023" and item["language"] == "fr"
    english = client.get("/reports/mali-country-report-2023/citation.json").json()[0]
    assert english["title"] == "Mali Country Report 2023" and english["language"] == "en"


def test_search_in_french_finds_the_french_translation_first(client, original, in_french):
    other = factories.published_report(
        title="Sudan Report 2024",
        slug="sudan-2024",
        summary="A report on Darfur: armed groups attack civilians.",
        published_at=timezone.now(),
    )
    results = client.get("/fr/reports/", {"q": "armés"}).context["object_list"]
    assert [r.title for r in results] == ["Rapport pays Mali 2023"]
    results = client.get("/fr/reports/", {"q": "civil"}).context["object_list"]
    assert [r.pk for r in results] == [in_french.pk, other.pk]  # French first, then newest
    english = client.get("/reports/", {"q": "armés"}).context["object_list"]
    assert list(english) == []


def test_a_translation_not_public_yet_does_not_make_its_original_found_by_its_words(
    client, editor_client, original
):
    french(editor_client, original)  # a draft: "armés" is only in its words
    response = client.get("/fr/reports/", {"q": "armés"})
    assert list(response.context["object_list"]) == []
    assert response.context["paginator"].count == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="French stemming is PostgreSQL's")
def test_french_search_stems_french_words_on_postgresql(client, original, in_french):
    in_french.summary = "Un rapport sur les civils attaqués au Mali."
    in_french.save()
    found = client.get("/fr/reports/", {"q": "rapports"}).context["object_list"]
    assert [r.pk for r in found] == [in_french.pk]
    found = client.get("/fr/reports/", {"q": "attaque"}).context["object_list"]
    assert [r.pk for r in found] == [in_french.pk]
    # The English original is indexed in English: French plurals are not its words.
    assert list(client.get("/reports/", {"q": "rapports"}).context["object_list"]) == []
    assert Report.objects.filter(
        pk=in_french.pk, search_vector=SearchQuery("rapport", config="french")
    ).exists()


# Vocabularies in the page's language.


def test_staff_give_stages_and_addressees_names_in_each_language(editor_client, original):
    stage = Stage.objects.get(number=5)
    response = editor_client.post(
        f"/admin/reports/stage/{stage.pk}/change/",
        {
            "description": stage.description,
            "name_fr": "Organisation",
            "description_fr": "Des groupes s'organisent pour agir contre un autre.",
            "name_ar": "التنظيم",
            "description_ar": "",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    stage.refresh_from_db()
    assert stage.translations == {
        "fr": {
            "name": "Organisation",
            "description": "Des groupes s'organisent pour agir contre un autre.",
        },
        "ar": {"name": "التنظيم"},
    }
    addressee = original.recommendations.first().addressee
    form = editor_client.get(f"/admin/reports/addressee/{addressee.pk}/change/").content.decode()
    assert "Name in French" in form and "Name in Arabic" in form
    editor_client.post(
        f"/admin/reports/addressee/{addressee.pk}/change/",
        {
            "name": addressee.name,
            "slug": addressee.slug,
            "kind": addressee.kind,
            "name_fr": "Le Conseil",
            "name_ar": "",
        },
    )
    client = Client()
    french = client.get("/fr/stages/5/").content.decode()
    assert "Organisation" in french and "Des groupes s&#x27;organisent" in french
    arabic = client.get("/ar/stages/5/").content.decode()
    assert "التنظيم" in arabic and stage.description in arabic  # no Arabic description: English
    english = client.get("/stages/5/").content.decode()
    assert "Organisation" not in english and "Organization" in english
    page = client.get("/fr/reports/mali-country-report-2023/").content.decode()
    assert "Le Conseil" in page and "Stage 5: Organisation" in page
    assert "Le Conseil" not in client.get("/reports/mali-country-report-2023/").content.decode()


def test_every_stage_comes_with_a_french_and_an_arabic_name_and_description():
    for stage in Stage.objects.all():
        for language in ("fr", "ar"):
            words = stage.translations[language]
            assert words["name"] and words["description"], (stage.number, language)
            assert words["description"] != stage.description
    assert Stage.objects.count() == 10


def test_the_stage_page_reads_its_name_and_description_in_the_language_of_its_address(client):
    stage = Stage.objects.get(number=8)
    french = client.get("/fr/stages/8/").content.decode()
    assert "Persécution" in french
    assert escape(stage.translations["fr"]["description"]) in french
    arabic = client.get("/ar/stages/8/").content.decode()
    assert "الاضطهاد" in arabic and "Persecution" not in arabic
    assert escape(stage.translations["ar"]["description"]) in arabic
    english = client.get("/stages/8/").content.decode()
    assert "Persecution" in english and escape(stage.description) in english
    assert "Persécution" not in english and "الاضطهاد" not in english


def test_countries_take_their_standard_name_in_each_language_unless_staff_give_one(client):
    sudan = factories.country("SD")
    factories.published_report(country=sudan, slug="sudan-2024")
    assert "Soudan" in client.get("/fr/countries/").content.decode()
    assert "السودان" in client.get("/ar/countries/").content.decode()
    assert "Sudan" in client.get("/countries/").content.decode()
    sudan.translations = {"fr": {"name": "République du Soudan"}}
    sudan.save()
    assert "République du Soudan" in client.get("/fr/countries/sudan/").content.decode()
    # A name staff chose themselves is kept in every language they did not translate it into.
    sudan.name, sudan.translations = "The Sudan", {}
    sudan.save()
    assert "The Sudan" in client.get("/fr/countries/").content.decode()


def test_the_french_page_shares_a_card_of_the_french_title(client, original, in_french):
    from sharing.cards import card_version

    page = client.get("/fr/reports/mali-country-report-2023/").content.decode()
    with translation.override("fr"):  # the card is drawn in the page's language
        version = card_version(in_french)
    card = f"/fr/reports/mali-country-report-2023/card-{version}.png"
    assert card in page
    response = client.get(card)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert version != card_version(original)


def test_a_country_added_by_someone_reading_french_keeps_its_english_name():
    from django.utils import translation

    from reports.models import Country

    with translation.override("fr"):
        sudan = Country.objects.create(code="SD")
    assert (sudan.name, sudan.slug) == ("Sudan", "sudan")
    with translation.override("fr"):
        assert sudan.local_name == "Soudan"
