import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test stores its uploads in a folder of its own, removed afterwards."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def stored_files(media_root):
    """The names of all files in storage, to show that a refused upload left nothing behind."""

    def list_files():
        if not media_root.exists():
            return []
        return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())

    return list_files


@pytest.fixture
def editor(django_user_model):
    """A staff member allowed to write and publish reports (not a superuser)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("editor", password="pw-editor-123", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="reports",
        )
    )
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
