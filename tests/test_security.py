"""Security headers on every response, and the health check load balancers use."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from . import factories

pytestmark = pytest.mark.django_db

PUBLIC_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def test_public_pages_allow_only_the_sites_own_scripts_and_styles(client):
    report = factories.published_report()
    response = client.get(report.get_absolute_url())
    assert response["Content-Security-Policy"] == PUBLIC_CSP
    assert response["Permissions-Policy"].startswith("camera=(), microphone=(), geolocation=()")
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_public_templates_carry_no_inline_script_or_style(client):
    report = factories.published_report()
    factories.attachment(report)
    for url in [
        "/",
        "/reports/",
        report.get_absolute_url(),
        "/countries/",
        "/stages/5/",
        "/recommendations/",
        "/subscribe/",
    ]:
        html = client.get(url).content.decode()
        assert " style=" not in html, url
        assert " on" + "click=" not in html, url
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'src="' in tag or 'type="application/ld+json"' in tag, (url, tag)


def test_the_admin_has_its_own_scoped_policy(admin_client):
    response = admin_client.get("/admin/reports/report/add/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "https:" not in policy and "*" not in policy


def test_files_keep_their_sandbox_policy(client):
    attachment = factories.attachment(factories.published_report())
    response = client.get(attachment.get_absolute_url())
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_the_health_check_answers_ok_when_database_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_the_health_check_says_503_without_detail_when_the_cache_fails(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache wants a folder")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(blocker / "cache"),
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"


def test_a_staff_session_ends_after_a_working_day_without_activity(client, editor):
    client.force_login(editor)
    start = timezone.now()
    with time_machine.travel(start + timedelta(hours=8)):
        assert client.get("/admin/").status_code == 200  # active: the session lives on
    with time_machine.travel(start + timedelta(hours=16)):
        assert client.get("/admin/").status_code == 200  # 8 hours after the last request
    with time_machine.travel(start + timedelta(hours=26)):
        assert client.get("/admin/").status_code == 302  # 10 idle hours: logged out


def test_public_pages_may_be_kept_but_are_checked_again_and_answer_304(client):
    report = factories.published_report()
    response = client.get(report.get_absolute_url())
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=1, must-revalidate"
    etag = response["ETag"]
    again = client.get(report.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    report.summary = "A corrected summary."
    report.save()
    changed = client.get(report.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "A corrected summary." in changed.content.decode()


def test_staff_pages_previews_and_forms_are_never_stored(client, editor):
    assert client.get("/subscribe/")["Cache-Control"] == "private, no-store"  # CSRF cookie
    draft = factories.draft_report()
    client.force_login(editor)
    for url in ["/", draft.get_absolute_url(), "/admin/reports/report/"]:
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "public" not in response["Cache-Control"], url
        assert not response.has_header("ETag"), url
        assert not response.has_header("X-Accel-Expires"), url


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(client, settings):
    settings.REQUEST_MAX_BYTES = 1000
    response = client.generic(
        "POST", "/subscribe/", b"x" * 1001, content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert b"larger than the site accepts" in response.content


def test_a_malformed_multipart_body_is_a_400(client):
    response = client.generic(
        "POST",
        "/subscribe/",
        b"--broken\r\nContent-Disposition: form-data; name=\r\n\r\nvalue",
        content_type="multipart/form-data",  # no boundary: the body cannot be split
    )
    assert response.status_code == 400


def test_too_many_form_fields_are_a_400(client):
    fields = "&".join(f"f{i}=1" for i in range(2500))
    response = client.generic(
        "POST", "/subscribe/", fields, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_too_many_files_are_a_400(admin_client):
    files = {f"file{i}": factories.pdf_upload(f"f{i}.pdf") for i in range(25)}
    response = admin_client.post("/admin/reports/report/add/", files)
    assert response.status_code == 400


def test_the_health_check_is_never_stored(client):
    response = client.get("/healthz")
    assert "no-store" in response["Cache-Control"]
    assert "X-Page-Cache" not in client.get("/healthz")


def test_a_request_for_another_host_name_is_a_400(client):
    factories.published_report()
    assert client.get("/").status_code == 200  # stored for the site's own name
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "X-Page-Cache" not in response
