"""The organisation's identity: edited by editors in the admin, shown on every page, in the
social preview and in the emails; bad logos refused with a message and nothing stored."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, PngImagePlugin

from alerts.models import Subscriber
from alerts.subscriptions import alert_message, request_subscription
from pages.logos import LOGO_MAX_BYTES
from pages.models import Identity

from . import factories

pytestmark = pytest.mark.django_db

CHANGE_URL = "/admin/pages/identity/1/change/"
PLAIN_SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40">'
    b'<defs><linearGradient id="g"><stop offset="0" stop-color="#123"/></linearGradient></defs>'
    b'<rect width="120" height="40" fill="url(#g)"/><use href="#g"/></svg>'
)


def png_bytes(size=(300, 100), metadata=True):
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if metadata:
        info.add_text("Author", "Someone who must not be named")
    Image.new("RGB", size, "navy").save(out, "PNG", pnginfo=info)
    return out.getvalue()


def jpeg_bytes():
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(out, "JPEG")
    return out.getvalue()


def save_identity(client, logo=None, **fields):
    data = {
        "name": "Early Warning Network",
        "description": "We watch for the signs of genocide and warn in time.",
        "accent_colour": "#0b57a4",
        **fields,
    }
    if logo is not None:
        data["logo"] = logo
    return client.post(CHANGE_URL, data)


def svg(content, name="logo.svg"):
    return SimpleUploadedFile(name, content, "image/svg+xml")


def test_an_editor_edits_the_identity_and_every_page_shows_it(editor_client):
    response = save_identity(editor_client, accent_colour="#7A1F2B")
    assert response.status_code == 302
    identity = Identity.objects.get()
    assert identity.accent_colour == "#7a1f2b"

    page = Client().get("/").content.decode()
    assert "<span>Early Warning Network</span>" in page
    assert "<title>Early Warning Network</title>" in page
    assert '<meta property="og:site_name" content="Early Warning Network">' in page
    assert 'content="We watch for the signs of genocide and warn in time."' in page
    report = factories.published_report()
    assert "Early Warning Network" in Client().get(report.get_absolute_url()).content.decode()

    accent = re.search(r'href="(/site/accent-[^"]+\.css)"', page).group(1)
    css = Client().get(accent)
    assert css["Content-Type"].startswith("text/css")
    assert css.content.decode() == ":root { --accent: #7a1f2b; --accent-ink: #ffffff; }\n"


def test_the_accent_colour_arrives_as_a_stylesheet_never_as_inline_style(editor_client):
    save_identity(editor_client, accent_colour="#7a1f2b")
    response = Client().get("/")
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.content.decode()
    assert "style=" not in html and "<style" not in html
    assert "#7a1f2b" not in html


def test_a_png_logo_is_stored_clean_and_shown_in_the_header_with_its_size(
    editor_client, stored_files
):
    upload = SimpleUploadedFile("logo.png", png_bytes(size=(900, 300)), "image/png")
    assert save_identity(editor_client, logo=upload).status_code == 302
    identity = Identity.objects.get()
    # Brought down to what a header needs, its metadata gone.
    assert (identity.logo_width, identity.logo_height) == (768, 256)
    assert stored_files() == [identity.logo.name]
    with identity.logo.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        assert stored.format == "PNG" and "Author" not in stored.info

    page = Client().get("/").content.decode()
    logo = re.search(r'<img class="site-logo" src="([^"]+)" alt="" width="768" height="256">', page)
    assert logo
    served = Client().get(logo.group(1))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_an_svg_logo_is_kept_as_uploaded_and_sent_so_it_can_run_nothing(editor_client):
    assert save_identity(editor_client, logo=svg(PLAIN_SVG)).status_code == 302
    identity = Identity.objects.get()
    assert (identity.logo_width, identity.logo_height) == (120, 40)
    with identity.logo.open("rb") as handle:
        assert handle.read() == PLAIN_SVG
    served = Client().get(identity.logo_url())
    assert served["Content-Type"] == "image/svg+xml"
    assert "sandbox" in served["Content-Security-Policy"]
    assert served["X-Content-Type-Options"] == "nosniff"


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>&b;</text></svg>'
)
BAD_LOGOS = {
    "script": (
        svg(
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><script>alert(1)</script>'
            b"</svg>"
        ),
        "<script> element",
    ),
    "event attribute": (
        svg(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9" onload="alert(1)"/>'),
        "“onload” attribute",
    ),
    "picture from another host": (
        svg(
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
            b' viewBox="0 0 9 9"><image xlink:href="https://tracker.example/p.png"/></svg>'
        ),
        "links to “https://tracker.example/p.png”",
    ),
    "script address": (
        svg(
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9">'
            b'<a href="javascript:alert(1)"><rect width="9" height="9"/></a></svg>'
        ),
        "links to “javascript:alert(1)”",
    ),
    "style sheet that fetches": (
        svg(
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9">'
            b'<style>@import url("https://fonts.example/f.css");</style></svg>'
        ),
        "style sheet loads something from elsewhere",
    ),
    "fill from elsewhere": (
        svg(
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9">'
            b'<rect fill="url(https://x.example/a.svg#p)" width="9" height="9"/></svg>'
        ),
        "refers to something outside the drawing",
    ),
    "xml style sheet": (
        svg(
            b'<?xml-stylesheet href="https://x.example/s.css"?>'
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"/>'
        ),
        "asks for a style sheet from elsewhere",
    ),
    "embedded html": (
        svg(
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><foreignObject>'
            b'<p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject></svg>'
        ),
        "<foreignobject> element",
    ),
    "entities": (svg(BILLION_LAUGHS), "declares entities"),
    "html named svg": (svg(b"<html><body>not a logo</body></html>"), "not an SVG drawing"),
    "no size": (
        svg(b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>'),
        "does not say its size",
    ),
    "jpeg named png": (
        SimpleUploadedFile("logo.png", jpeg_bytes(), "image/png"),
        "neither an SVG nor a PNG picture (it is a JPEG picture)",
    ),
    "damaged png": (
        SimpleUploadedFile("logo.png", png_bytes()[:60], "image/png"),
        "cannot be read as one",
    ),
    "too large": (
        SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n" + b"0" * LOGO_MAX_BYTES, "image/png"),
        "a logo may be at most 500 KB",
    ),
    "empty": (SimpleUploadedFile("logo.svg", b"", "image/svg+xml"), "The submitted file is empty"),
}


@pytest.mark.parametrize("case", BAD_LOGOS)
def test_a_bad_logo_is_refused_beside_the_field_and_nothing_is_stored(
    editor_client, stored_files, case
):
    save_identity(editor_client, logo=svg(PLAIN_SVG))
    before = Identity.objects.get()
    kept = stored_files()
    upload, message = BAD_LOGOS[case]
    upload.seek(0)
    response = save_identity(editor_client, logo=upload, name="Changed name")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["logo"]
    assert any(message in error for error in errors), errors
    assert stored_files() == kept
    after = Identity.objects.get()
    assert (after.name, after.logo.name) == (before.name, before.logo.name)


@pytest.mark.parametrize("colour", ["red", "#0b57a", "#0b57ag", "0b57a4"])
def test_a_colour_that_is_not_one_is_refused_beside_the_field(editor_client, colour):
    response = save_identity(editor_client, accent_colour=colour)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["accent_colour"] == [
        "Write the colour as # and six hexadecimal digits, e.g. #0b57a4."
    ]
    assert Identity.objects.get().accent_colour == "#0b57a4"


def test_a_pale_accent_is_saved_with_a_warning_and_dark_text_on_it(editor_client):
    response = save_identity(editor_client, accent_colour="#f0c53c")
    assert response.status_code == 302
    warnings = [str(m) for m in editor_client.get(response["Location"]).context["messages"]]
    assert any("White text on #f0c53c would be hard to read" in w for w in warnings)
    assert any("pale beside the white page" in w for w in warnings)
    identity = Identity.objects.get()
    assert (
        Client().get(identity.accent_url()).content.decode().endswith("--accent-ink: #000000; }\n")
    )


def test_a_dark_accent_brings_no_warning(editor_client):
    response = save_identity(editor_client, accent_colour="#0b57a4")
    messages = [str(m) for m in editor_client.get(response["Location"]).context["messages"]]
    assert not [m for m in messages if "contrast" in m]


def test_an_author_may_not_change_the_identity(client, author):
    client.force_login(author)
    assert client.get(CHANGE_URL).status_code == 403
    assert save_identity(client).status_code == 403
    assert Identity.current().name != "Early Warning Network"


def test_the_identity_cannot_be_added_twice_or_deleted(editor_client):
    assert editor_client.get("/admin/pages/identity/add/").status_code == 403
    assert editor_client.post("/admin/pages/identity/1/delete/", {"post": "yes"}).status_code == 403
    assert editor_client.get("/admin/pages/identity/")["Location"] == CHANGE_URL


def test_every_page_has_a_social_preview_drawn_from_the_identity(editor_client):
    save_identity(editor_client)
    page = Client().get("/stages/").content.decode()
    card = re.search(
        r'<meta property="og:image" content="http://testserver(/site/card-[^"]+)"', page
    )
    assert card
    picture = Client().get(card.group(1))
    assert picture["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(picture.content)).size == (1200, 630)
    # A report keeps its own card, and names the organisation as its site.
    report = factories.published_report()
    html = Client().get(report.get_absolute_url()).content.decode()
    assert html.count('property="og:image"') == 1 and "/card-" in html
    assert html.count('property="og:site_name"') == 1


def test_old_logo_card_and_colour_addresses_lead_to_the_current_ones(editor_client):
    save_identity(editor_client, logo=svg(PLAIN_SVG))
    old = Identity.objects.get()
    old_urls = [old.logo_url(), old.card_url(), old.accent_url()]
    save_identity(editor_client, logo=SimpleUploadedFile("l.png", png_bytes(), "image/png"))
    new = Identity.objects.get()
    reader = Client()
    assert reader.get(old_urls[0])["Location"] == new.logo_url()
    assert reader.get(old_urls[1])["Location"] == new.card_url()
    assert reader.get(old_urls[2])["Location"] == new.accent_url()
    assert reader.get(new.logo_url().replace(".png", ".svg")).status_code == 404


def test_a_change_to_the_identity_retires_stored_pages(editor_client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    reader = Client()
    reader.get("/")
    assert reader.get("/")["X-Page-Cache"] == "hit"
    save_identity(editor_client, name="A New Name")
    response = reader.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "<span>A New Name</span>" in response.content.decode()


def test_the_emails_carry_the_name_logo_colour_and_description(editor_client, mailoutbox):
    save_identity(editor_client, logo=SimpleUploadedFile("l.png", png_bytes(), "image/png"))
    identity = Identity.objects.get()
    request_subscription(email="reader@example.org", prefs={"all_reports": True})
    subscriber = Subscriber.objects.create(email="reader@example.org", all_reports=True)
    report = factories.furnish(factories.published_report(), attachments=0)
    alert_message(subscriber, report).send()

    confirmation, alert = mailoutbox
    assert confirmation.subject == "Confirm your Early Warning Network alerts"
    for message in (confirmation, alert):
        assert message.from_email.startswith("Early Warning Network <")
        html = message.alternatives[0][0]
        assert f'src="http://127.0.0.1:8000{identity.logo_url()}"' in html
        assert "border-top: 6px solid #0b57a4" in html
        for part in (message.body, html):
            assert "We watch for the signs of genocide and warn in time." in part


def test_an_svg_logo_is_left_out_of_emails_which_show_the_name_alone(editor_client, mailoutbox):
    save_identity(editor_client, logo=svg(PLAIN_SVG))
    request_subscription(email="reader@example.org", prefs={"all_reports": True})
    html = mailoutbox[0].alternatives[0][0]
    assert "<img" not in html and "Early Warning Network</a>" in html
