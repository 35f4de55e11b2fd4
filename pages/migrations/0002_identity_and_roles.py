from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations

# Authors write pages and submit them; editors also publish, return, unpublish and delete
# them, and edit the site's identity.
GRANTS = {
    "Author": {"page": ["add", "change", "view", "submit"]},
    "Editor": {
        "page": ["add", "change", "view", "submit", "publish", "delete"],
        "identity": ["change", "view"],
    },
}


def _permissions(apps, grants):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(
            content_type__app_label="pages", content_type__model=model, codename=f"{a}_{model}"
        )
        for model, actions in grants.items()
        for a in actions
    ]


def give_roles_pages(apps, schema_editor):
    app_config = apps.get_app_config("pages")
    stub = getattr(app_config, "models_module", None) is None
    if stub:  # a migration's app stands in for the real one; create_permissions checks this
        app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    if stub:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, grants in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, grants))
    Identity = apps.get_model("pages", "Identity")
    Identity.objects.get_or_create(pk=1, defaults={"name": settings.SITE_NAME})


def take_pages_from_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, grants in GRANTS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*_permissions(apps, grants))


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0001_initial"),
        ("reports", "0004_roles"),
    ]

    operations = [migrations.RunPython(give_roles_pages, take_pages_from_roles)]
