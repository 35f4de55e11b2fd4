from django.contrib.auth.management import create_permissions
from django.db import migrations

# What each role may do. Authors write and submit drafts; editors also publish, schedule,
# unpublish, return, delete and recover, and look after the site's shared lists.
AUTHOR = {
    "reports": {
        "report": ["add", "change", "view", "submit"],
        "recommendation": ["add", "change", "delete", "view"],
        "attachment": ["add", "change", "delete", "view"],
        "authorship": ["add", "change", "delete", "view"],
        "addressee": ["add", "change", "view"],
        "author": ["add", "change", "view"],
        "country": ["add", "change", "view"],
        "stage": ["view"],
    },
}
EDITOR = {
    "reports": {
        **AUTHOR["reports"],
        "report": ["add", "change", "view", "submit", "publish", "delete"],
        "addressee": ["add", "change", "delete", "view"],
        "author": ["add", "change", "delete", "view"],
        "country": ["add", "change", "delete", "view"],
        "stage": ["change", "view"],
    },
    "follow": {"followlink": ["add", "change", "delete", "view"]},
}
ROLES = {"Author": AUTHOR, "Editor": EDITOR}


def codename(action, model):
    return f"{action}_{model}"


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations have run; make them now.
    for app_label in ("reports", "follow"):
        app_config = apps.get_app_config(app_label)
        stub = getattr(app_config, "models_module", None) is None
        if stub:  # a migration's app stands in for the real one; create_permissions checks this
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        if stub:
            app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for app_label, models in grants.items():
            for model, actions in models.items():
                for action in actions:
                    permissions.append(
                        Permission.objects.get(
                            content_type__app_label=app_label,
                            content_type__model=model,
                            codename=codename(action, model),
                        )
                    )
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_workflow"),
        ("follow", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
