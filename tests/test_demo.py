import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from follow.models import FollowLink
from reports.models import Addressee, AlertLevel, Attachment, Recommendation, Report, Stage

pytestmark = pytest.mark.django_db


def run(command):
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def counts():
    return [
        model.objects.count()
        for model in (Report, Recommendation, Addressee, Attachment, FollowLink)
    ]


def test_the_demo_loads_a_public_mali_emergency_alert(client):
    run("load_demo")
    report = Report.objects.public().get(slug="mali-country-report-2023")
    assert report.headline == "Genocide Emergency Alert: Mali"
    assert [s.number for s in report.stages.all()] == [5, 6, 8]
    assert [r.addressee.name for r in report.recommendations.all()] == [
        "France",
        "The UN General Assembly",
        "Mali",
        "The International Criminal Court",
    ]
    assert [a.name for a in report.authors] == ["Esme Matthews"]
    for fact in ["2085", "Ogossagou", "Wagner", "49 civilians", "470,000", "3.9 million"]:
        assert fact in report.body
    html = client.get(report.get_absolute_url()).content.decode()
    assert "Download PDF ·" in html
    assert FollowLink.objects.count() == 3


def test_the_demo_pdf_is_a_real_pdf_that_downloads(client):
    run("load_demo")
    attachment = Attachment.objects.get()
    response = client.get(attachment.get_absolute_url())
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content), strict=True)
    assert len(reader.pages) == attachment.page_count
    assert "Ogossagou" in "".join(page.extract_text() for page in reader.pages)


def test_loading_the_demo_twice_changes_nothing(stored_files):
    run("load_demo")
    first, files = counts(), stored_files()
    output = run("load_demo")
    assert counts() == first
    assert stored_files() == files
    assert "already present" in output


def test_the_demo_has_countries_years_and_levels_to_browse_all_marked_as_demonstration(client):
    run("load_demo")
    public = Report.objects.public()
    assert public.values("country").distinct().count() >= 10
    assert set(public.values_list("alert_level", flat=True)) == set(AlertLevel.values)
    assert set(public.values_list("year", flat=True)) >= {2021, 2022, 2023}
    assert Stage.objects.filter(reports__in=public).distinct().count() == 10
    demonstration = public.exclude(slug="mali-country-report-2023")
    for report in demonstration:
        assert report.title.endswith("(demonstration)")
        assert report.summary.startswith("Demonstration content, not an assessment")
        assert "Demonstration content" in report.body
        assert report.recommendations.exists() and report.stages.exists()
    # The real Mali alert stays each country page's current report where it is the latest.
    assert Report.objects.current().get(country__code="ML").slug == "mali-country-report-2023"
    html = client.get("/reports/?alert=watch").content.decode()
    assert "Brazil Country Report 2023 (demonstration)" in html
    page = client.get("/countries/myanmar/").content.decode()
    assert "Demonstration content" in page
    assert client.get("/post/demo-myanmar-country-report-2021")["Location"] == (
        "/reports/demo-myanmar-country-report-2021/"
    )


def signs_in(username, password):
    response = Client().post("/admin/login/", {"username": username, "password": password})
    return response.status_code == 302


def test_an_admin_account_is_created_once_with_the_given_password(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "a-long-demo-password")
    run("ensure_admin")
    assert signs_in("admin", "a-long-demo-password")
    monkeypatch.setenv("ADMIN_PASSWORD", "another-password")
    assert "unchanged" in run("ensure_admin")
    assert signs_in("admin", "a-long-demo-password")


def test_without_a_password_one_is_generated_and_printed_once(monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    output = run("ensure_admin")
    password = output.split("Password: ")[1].split()[0]
    assert len(password) >= 12
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    assert password not in run("ensure_admin")


def test_the_demo_mali_alert_is_public_in_french_too(client):
    run("load_demo")
    original = Report.objects.public().get(slug="mali-country-report-2023")
    french = original.in_language("fr")
    assert french is not None and french.title == "Mali : rapport pays 2023"
    assert french.original_changed_at is None
    for fact in ["2085", "Ogossagou", "Wagner", "49 civils", "470 000", "3,9 millions"]:
        assert fact in french.body
    assert [r.addressee_id for r in french.recommendations.all()] == [
        r.addressee_id for r in original.recommendations.all()
    ]
    html = client.get("/fr/reports/mali-country-report-2023/").content.decode()
    html = html.replace("\u00a0", " ")
    assert "Mali : rapport pays 2023" in html and "Télécharger le PDF" in html


def test_the_demo_addressees_have_french_and_arabic_names_that_never_replace_staffs(client):
    run("load_demo")
    for addressee in Addressee.objects.all():
        assert addressee.translations["fr"]["name"], addressee.name
        assert addressee.translations["ar"]["name"], addressee.name
    html = client.get("/fr/reports/mali-country-report-2023/").content.decode()
    assert "La Cour pénale internationale</a></strong> doit juger" in html
    arabic = client.get("/ar/addressees/international-criminal-court/").content.decode()
    assert "المحكمة الجنائية الدولية" in arabic
    france = Addressee.objects.get(name="France")
    france.translations = {"fr": {"name": "La République française"}}
    france.save()
    run("load_demo")
    france.refresh_from_db()
    assert france.translations == {
        "fr": {"name": "La République française"},
        "ar": {"name": "فرنسا"},
    }
