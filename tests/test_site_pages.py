"""Pages staff write (About, Methodology, Donate…): the reports' editor, workflow, roles and
revisions; their place in the header or footer; drafts never public; stored pages retired."""

import pytest
from django.core.management import call_command
from django.test import Client
from reversion.models import Version

from audit.models import AuditEvent
from pages import workflow
from pages.models import Page

from .conftest import sitemap

pytestmark = pytest.mark.django_db

Status = Page.Status
ADD_URL = "/admin/pages/page/add/"


def change_url(page):
    return f"/admin/pages/page/{page.pk}/change/"


def form_data(**fields):
    return {
        "title": "About us",
        "slug": "about",
        "summary": "Who we are.",
        "body": "<p>We warn of genocide.</p>",
        "menu": "header",
        "menu_label": "About",
        "menu_order": "1",
        **fields,
    }


def make_page(status=Status.DRAFT, **fields):
    data = {
        "title": "About us",
        "slug": "about",
        "body": "<p>We warn of genocide.</p>",
        "menu": Page.Menu.HEADER,
        "status": status,
        **fields,
    }
    return Page.objects.create(**data)


def as_role(client, author, editor, role):
    client.force_login({"Author": author, "Editor": editor}[role])
    return client


# Writing and the workflow ------------------------------------------------------------------


def test_an_author_writes_and_submits_a_page_and_an_editor_publishes_it(client, author, editor):
    client.force_login(author)
    response = client.post(ADD_URL, form_data())
    assert response.status_code == 302
    page = Page.objects.get()
    assert page.status == Status.DRAFT
    assert Client().get("/pages/about/").status_code == 404

    response = client.post(change_url(page), form_data(_workflow="submit"))
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.status == Status.IN_REVIEW

    client.force_login(editor)
    response = client.post(
        change_url(page), form_data(body="<p>We warn of genocide, early.</p>", _workflow="publish")
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.status == Status.PUBLISHED and page.published_at is not None
    shown = Client().get("/pages/about/")
    assert shown.status_code == 200
    assert "We warn of genocide, early." in shown.content.decode()
    steps = AuditEvent.objects.filter(object_type="pages.page").order_by("id")
    assert [(e.action, e.actor) for e in steps] == [("submit", author), ("publish", editor)]
    comments = [v.revision.comment for v in Version.objects.get_for_object(page)]
    assert "Published." in comments and "Submitted for review." in comments


PERMITTED = {
    # step: (Author, Editor)
    "submit": (True, True),
    "publish": (False, True),
    "return": (False, True),
    "unpublish": (False, True),
}
SOURCE = {
    "submit": Status.DRAFT,
    "publish": Status.IN_REVIEW,
    "return": Status.IN_REVIEW,
    "unpublish": Status.PUBLISHED,
}


@pytest.mark.parametrize("role", ["Author", "Editor"])
@pytest.mark.parametrize("step", PERMITTED)
def test_who_may_take_each_step_of_a_page(author, editor, role, step):
    page = make_page(SOURCE[step], review_note="Shorten the second paragraph.")
    user = {"Author": author, "Editor": editor}[role]
    allowed = PERMITTED[step][role == "Editor"]
    if allowed:
        moved = workflow.take(step, page, user=user)
        assert moved.status == workflow.STEPS[step].to
    else:
        with pytest.raises(workflow.PermissionDenied):
            workflow.take(step, page, user=user)
        page.refresh_from_db()
        assert page.status == SOURCE[step]


def test_a_step_that_does_not_apply_to_the_state_is_refused_with_a_message(editor_client):
    page = make_page(Status.PUBLISHED)
    response = editor_client.post(change_url(page), form_data(_workflow="submit"), follow=True)
    assert "Your edits are saved, but: This page is published" in response.content.decode()
    page.refresh_from_db()
    assert page.status == Status.PUBLISHED


def test_an_author_cannot_publish_through_a_forged_button(client, author):
    page = make_page()
    client.force_login(author)
    response = client.post(change_url(page), form_data(_workflow="publish"), follow=True)
    assert "Your role does not allow this step." in response.content.decode()
    page.refresh_from_db()
    assert page.status == Status.DRAFT


def test_an_author_sees_only_the_submit_button_and_an_editor_the_publishing_ones(
    client, author, editor
):
    page = make_page(Status.DRAFT)
    client.force_login(author)
    html = client.get(change_url(page)).content.decode()
    assert 'value="submit"' in html and 'value="publish"' not in html
    client.force_login(editor)
    html = client.get(change_url(page)).content.decode()
    assert 'value="submit"' in html and 'value="publish"' in html


def test_an_author_cannot_change_a_page_in_review_or_published(client, author):
    client.force_login(author)
    for status in (Status.IN_REVIEW, Status.PUBLISHED):
        page = make_page(status, slug=f"page-{status}")
        client.post(change_url(page), form_data(slug=page.slug, body="<p>Changed.</p>"))
        page.refresh_from_db()
        assert page.body == "<p>We warn of genocide.</p>"


def test_an_editor_returns_a_page_with_a_note_and_needs_one(editor_client, author):
    page = make_page(Status.IN_REVIEW)
    response = editor_client.post(change_url(page), form_data(_workflow="return"), follow=True)
    assert "Write a note for the author" in response.content.decode()
    page.refresh_from_db()
    assert page.status == Status.IN_REVIEW

    editor_client.post(
        change_url(page), form_data(review_note="Say who funds us.", _workflow="return")
    )
    page.refresh_from_db()
    assert page.status == Status.DRAFT and page.review_note == "Say who funds us."
    event = AuditEvent.objects.get(action="return")
    assert event.detail == "Say who funds us."


def test_an_editors_save_of_a_published_page_goes_live_and_keeps_a_revision(editor_client):
    page = make_page(Status.PUBLISHED)
    editor_client.post(change_url(page), form_data(body="<p>New words.</p>"))
    assert "New words." in Client().get("/pages/about/").content.decode()
    assert Version.objects.get_for_object(page).count() == 1


def test_the_body_is_cleaned_of_anything_outside_the_reports_allow_list(editor_client):
    editor_client.post(
        ADD_URL,
        form_data(body='<p onclick="x()">Hi<script>alert(1)</script><img src=x></p>'),
    )
    assert Page.objects.get().body == "<p>Hi</p>"


def test_a_slug_already_used_is_refused_beside_the_field(editor_client):
    make_page()
    response = editor_client.post(ADD_URL, form_data())
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"]
    assert Page.objects.count() == 1


# Revisions ------------------------------------------------------------------------------------


def test_restoring_an_earlier_revision_brings_back_the_words_and_keeps_the_page_public(
    editor_client,
):
    editor_client.post(ADD_URL, form_data(body="<p>First words.</p>"))
    page = Page.objects.get()
    workflow.take("publish", page, user=page.updated_by)
    editor_client.post(change_url(page), form_data(body="<p>Second words.</p>"))
    first = [v for v in Version.objects.get_for_object(page) if "First" in v.field_dict["body"]][-1]
    url = f"/admin/pages/page/{page.pk}/history/{first.pk}/"
    assert editor_client.get(url).status_code == 200
    editor_client.post(url, form_data(body="<p>First words.</p>"))
    page.refresh_from_db()
    assert page.body == "<p>First words.</p>" and page.status == Status.PUBLISHED
    assert AuditEvent.objects.filter(action="restore").count() == 1


def test_an_author_may_not_restore_or_recover(client, author):
    page = make_page()
    client.force_login(author)
    client.post(change_url(page), form_data())
    version = Version.objects.get_for_object(page).first()
    assert client.get(f"/admin/pages/page/{page.pk}/history/{version.pk}/").status_code == 403
    assert client.get("/admin/pages/page/recover/").status_code == 403


def test_a_deleted_page_is_recovered_as_a_draft(editor_client):
    page = make_page(Status.PUBLISHED)
    editor_client.post(f"/admin/pages/page/{page.pk}/delete/", {"post": "yes"})
    assert not Page.objects.exists()
    version = Version.objects.get_deleted(Page).first()
    editor_client.post(f"/admin/pages/page/recover/{version.pk}/", form_data())
    recovered = Page.objects.get()
    assert recovered.status == Status.DRAFT
    assert Client().get("/pages/about/").status_code == 404


# Reading, menus, drafts -------------------------------------------------------------------------


def test_a_draft_is_404_for_readers_and_shown_to_staff_under_a_banner_never_kept(
    editor_client,
):
    page = make_page(Status.IN_REVIEW, body="<p>Not yet.</p>")
    assert Client().get(page.get_absolute_url()).status_code == 404
    response = editor_client.get(page.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Waiting for review, not public." in html and "Not yet." in html
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_published_pages_are_in_their_menu_in_the_order_staff_give(client):
    make_page(Status.PUBLISHED, title="Methodology", slug="methodology", menu_order=2)
    make_page(Status.PUBLISHED, title="About us", slug="about", menu_label="About", menu_order=1)
    make_page(Status.PUBLISHED, title="Donate", slug="donate", menu=Page.Menu.FOOTER)
    make_page(Status.PUBLISHED, title="Contact", slug="contact", menu=Page.Menu.NONE)
    make_page(Status.DRAFT, title="Secret plans", slug="plans")
    html = client.get("/").content.decode()
    header, footer = html.split("</header>")
    about = header.index('<a href="/pages/about/">About</a>')
    assert about < header.index('<a href="/pages/methodology/">Methodology</a>')
    assert '<a href="/pages/donate/">Donate</a>' in footer
    assert "/pages/donate/" not in header and "/pages/about/" not in footer
    assert "/pages/contact/" not in html and "Secret plans" not in html
    assert client.get("/pages/contact/").status_code == 200

    Page.objects.filter(slug="about").update(menu_order=3)
    Page.objects.get(slug="about").save()  # a save through the model, as the admin does
    header = client.get("/").content.decode().split("</header>")[0]
    assert header.index("/pages/methodology/") < header.index("/pages/about/")


def test_the_page_being_read_is_marked_current_in_its_menu(client):
    make_page(Status.PUBLISHED)
    html = client.get("/pages/about/").content.decode()
    assert '<a href="/pages/about/" aria-current="page">About us</a>' in html
    assert '<a href="/reports/" aria-current="page">' not in html


def test_the_header_search_box_searches_the_reports(client):
    html = client.get("/").content.decode()
    assert '<form class="site-search" role="search" action="/reports/" method="get">' in html
    assert '<label for="site-search-q" class="visually-hidden">Search the reports</label>' in html
    assert '<input type="search" id="site-search-q" name="q"' in html


def test_only_published_pages_are_in_the_sitemap(client):
    make_page(Status.PUBLISHED)
    make_page(Status.DRAFT, slug="plans")
    xml = sitemap(client)
    assert "/pages/about/" in xml and "/pages/plans/" not in xml


# Stored pages ---------------------------------------------------------------------------------


def test_publishing_and_unpublishing_a_page_retires_stored_pages(settings, editor):
    settings.PAGE_CACHE_SECONDS = 600
    page = make_page(Status.IN_REVIEW)
    reader = Client()
    reader.get("/")
    assert reader.get("/")["X-Page-Cache"] == "hit"
    workflow.take("publish", page, user=editor)
    response = reader.get("/")
    assert response["X-Page-Cache"] == "miss" and "/pages/about/" in response.content.decode()
    assert reader.get("/pages/about/").status_code == 200
    assert reader.get("/pages/about/")["X-Page-Cache"] == "hit"

    workflow.take("unpublish", page, user=editor)
    assert "/pages/about/" not in reader.get("/").content.decode()
    assert reader.get("/pages/about/").status_code == 404


def test_menus_cost_no_query_while_nothing_changes(settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 600
    make_page(Status.PUBLISHED)
    from pages.chrome import site_chrome

    site_chrome()
    with django_assert_num_queries(0):
        assert [link.label for link in site_chrome().header] == ["About us"]


# Demo ---------------------------------------------------------------------------------------------


def test_the_demo_has_the_organisations_pages_and_methodology_links_every_stage(client):
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)  # a second run adds nothing
    assert sorted(Page.objects.public().values_list("slug", flat=True)) == [
        "about",
        "contact",
        "donate",
        "get-involved",
        "methodology",
    ]
    html = client.get("/pages/methodology/").content.decode()
    for number in range(1, 11):
        assert f'href="/stages/{number}/"' in html
    assert "Demonstration content" in html


def test_the_menus_and_identity_are_kept_in_redis_and_retired_by_a_change(settings, editor):
    from .test_page_cache import REDIS_URL, redis_answers

    if not redis_answers():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings.PAGE_CACHE_SECONDS = 600
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    from django.core.cache import cache

    cache.clear()
    page = make_page(Status.IN_REVIEW)
    reader = Client()
    assert "/pages/about/" not in reader.get("/").content.decode()
    assert reader.get("/")["X-Page-Cache"] == "hit"
    workflow.take("publish", page, user=editor)
    assert '<a href="/pages/about/">About us</a>' in reader.get("/").content.decode()
