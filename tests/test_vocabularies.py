"""Countries, addressees and byline authors: editors change them, every change is kept, and
a country's old address leads to its new one."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from reversion.models import Version

from audit.models import AuditEvent
from reports.models import Addressee, Author, Country

from . import factories

pytestmark = pytest.mark.django_db

NEW = {
    "country": {"code": "TD", "name": "Chad", "slug": "chad"},
    "addressee": {"name": "The Arab League", "slug": "arab-league", "kind": "regional"},
    "author": {"name": "A. Writer"},
}
MODELS = {"country": Country, "addressee": Addressee, "author": Author}


def existing(model):
    """A row nothing refers to, so that deleting it is only a matter of permission."""
    if model == "country":
        return Country.objects.create(code="SD", name="Sudan", slug="sudan")
    if model == "addressee":
        return Addressee.objects.create(name="The African Union", slug="african-union")
    return Author.objects.create(name="Esme Matthews")


def renamed(obj):
    """What the change form posts to give the row a new name, all else kept."""
    data = {"name": f"{obj.name} (renamed)"}
    if isinstance(obj, Country):
        data.update(code=obj.code.code, slug=obj.slug)
    if isinstance(obj, Addressee):
        data.update(slug=obj.slug, kind=obj.kind)
    return data


def admin_url(model, obj=None, action="add"):
    return f"/admin/reports/{model}/" + (f"{obj.pk}/{action}/" if obj else "add/")


def add(client, model):
    response = client.post(admin_url(model), NEW[model])
    added = MODELS[model].objects.filter(name=NEW[model]["name"]).exists()
    assert (response.status_code == 302) is added
    assert response.status_code in (302, 403)
    return added


def change(client, model):
    obj = existing(model)
    data = renamed(obj)
    response = client.post(admin_url(model, obj, "change"), data)
    obj.refresh_from_db()
    changed = obj.name == data["name"]
    assert (response.status_code == 302) is changed
    assert response.status_code in (302, 403)
    return changed


def delete(client, model):
    obj = existing(model)
    response = client.post(admin_url(model, obj, "delete"), {"post": "yes"})
    deleted = not MODELS[model].objects.filter(pk=obj.pk).exists()
    assert (response.status_code == 302) is deleted
    assert response.status_code in (302, 403)
    return deleted


ACTIONS = {"add": add, "change": change, "delete": delete}
# Authors add what a report needs and is not there yet; what is there, editors change.
ALLOWED = {"Author": {"add"}, "Editor": {"add", "change", "delete"}}


@pytest.fixture
def client_as(client, author, editor):
    def login(role):
        client.force_login({"Author": author, "Editor": editor}[role])
        return client

    return login


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ALLOWED)
def test_vocabulary_permission_table(client_as, role, action, model):
    assert ACTIONS[action](client_as(role), model) is (action in ALLOWED[role])


def test_the_author_group_holds_no_change_or_delete_of_a_vocabulary():
    held = set(
        Group.objects.get(name="Author")
        .permissions.filter(content_type__model__in=MODELS)
        .values_list("codename", flat=True)
    )
    assert held == {f"{action}_{model}" for model in MODELS for action in ("add", "view")}


def test_an_author_sees_a_country_but_cannot_change_it(client, author):
    client.force_login(author)
    country = existing("country")
    html = client.get(admin_url("country", country, "change")).content.decode()
    assert "Sudan" in html
    assert 'name="slug"' not in html


def test_on_a_report_form_an_author_may_add_an_addressee_or_author_but_not_change_one(
    client, author, editor
):
    client.force_login(author)
    html = client.get("/admin/reports/report/add/").content.decode()
    for field in ("recommendations-__prefix__-addressee", "authorships-__prefix__-author"):
        assert f'id="add_id_{field}"' in html
        assert f'id="change_id_{field}"' not in html
        assert f'id="delete_id_{field}"' not in html
    # Countries are picked from the ISO list (tests/test_desk.py): no pop-up to type one in.
    assert 'id="add_id_country"' not in html
    client.force_login(editor)
    html = client.get("/admin/reports/report/add/").content.decode()
    assert 'id="change_id_authorships-__prefix__-author"' in html


def test_an_author_adds_an_addressee_from_the_report_form_with_a_revision_and_an_audit_event(
    client, author
):
    client.force_login(author)
    response = client.post(
        "/admin/reports/addressee/add/?_to_field=id&_popup=1",
        {**NEW["addressee"], "_popup": "1", "_to_field": "id"},
    )
    assert response.status_code == 200  # the pop-up closes and picks the new addressee
    addressee = Addressee.objects.get(name="The Arab League")
    assert Version.objects.get_for_object(addressee).get().revision.user == author
    event = AuditEvent.objects.get(object_type="reports.addressee")
    assert (event.action, event.actor, event.object_repr) == ("add", author, "The Arab League")


@pytest.mark.parametrize("model", MODELS)
def test_each_change_keeps_a_revision_and_an_audit_event(editor_client, editor, model):
    assert change(editor_client, model)
    obj = MODELS[model].objects.get()
    version = Version.objects.get_for_object(obj).get()
    assert version.field_dict["name"] == obj.name
    assert version.revision.user == editor
    event = AuditEvent.objects.get(object_type=f"reports.{model}")
    assert (event.action, event.actor, event.object_id) == ("change", editor, str(obj.pk))
    old_name = obj.name.removesuffix(" (renamed)")
    assert event.detail == f"name: “{old_name}” → “{obj.name}”"


@pytest.mark.parametrize("model", MODELS)
def test_a_deletion_keeps_a_revision_to_recover_from_and_an_audit_event(
    editor_client, editor, model
):
    obj = existing(model)
    assert editor_client.post(admin_url(model, obj, "delete"), {"post": "yes"}).status_code == 302
    deleted = Version.objects.get_deleted(MODELS[model]).get()
    assert deleted.object_repr == obj.name
    event = AuditEvent.objects.get(object_type=f"reports.{model}")
    assert (event.action, event.actor, event.object_repr) == ("delete", editor, obj.name)


# A country's address ---------------------------------------------------------------------


@pytest.fixture
def mali():
    country = factories.country("ML")
    report = factories.published_report(country=country)
    factories.attachment(report)
    return country


def move(client, country, slug):
    data = {"code": country.code.code, "name": country.name, "slug": slug}
    response = client.post(admin_url("country", country, "change"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    country.refresh_from_db()


def assert_moved(client, old, new):
    for suffix in ("", "feed/"):
        response = client.get(f"/countries/{old}/{suffix}")
        assert response.status_code == 301, (old, suffix)
        assert response["Location"] == f"/countries/{new}/{suffix}"
        assert client.get(response["Location"]).status_code == 200


def test_a_countrys_old_address_answers_301_to_its_new_one_for_page_and_feed(editor_client, mali):
    move(editor_client, mali, "republic-of-mali")
    assert_moved(editor_client, "mali", "republic-of-mali")
    assert_moved(Client(), "mali", "republic-of-mali")  # readers too, not only staff
    event = AuditEvent.objects.get(action="change")
    assert event.detail == "slug: “mali” → “republic-of-mali”"


def test_after_two_renames_both_old_addresses_lead_straight_to_the_current_one(editor_client, mali):
    move(editor_client, mali, "mali-2023")
    move(editor_client, mali, "republic-of-mali")
    assert_moved(editor_client, "mali", "republic-of-mali")
    assert_moved(editor_client, "mali-2023", "republic-of-mali")
    html = editor_client.get(admin_url("country", mali, "change")).content.decode()
    assert "/countries/mali-2023/ (until" in html and "/countries/mali/ (until" in html


def test_a_country_given_its_old_address_back_answers_there_and_not_in_a_loop(editor_client, mali):
    move(editor_client, mali, "republic-of-mali")
    move(editor_client, mali, "mali")
    assert editor_client.get("/countries/mali/").status_code == 200
    assert_moved(editor_client, "republic-of-mali", "mali")


def test_an_address_no_country_ever_had_is_404(client, mali):
    assert client.get("/countries/atlantis/").status_code == 404
    assert client.get("/countries/atlantis/feed/").status_code == 404


def test_restoring_an_earlier_revision_brings_back_the_old_address_and_keeps_the_new_one(
    editor_client, editor, mali
):
    move(editor_client, mali, "republic-of-mali")
    first = Version.objects.get_for_object(mali).get()
    move(editor_client, mali, "mali-2023")
    response = editor_client.post(
        f"/admin/reports/country/{mali.pk}/history/{first.pk}/",
        {"code": "ML", "name": "Mali", "slug": "republic-of-mali"},
    )
    assert response.status_code == 302
    mali.refresh_from_db()
    assert mali.slug == "republic-of-mali"
    assert_moved(editor_client, "mali-2023", "republic-of-mali")
    assert_moved(editor_client, "mali", "republic-of-mali")
    event = AuditEvent.objects.get(action="restore")
    assert (event.actor, event.detail) == (editor, "slug: “mali-2023” → “republic-of-mali”")
