from django.db import migrations

# Countries, addressees and byline authors are named on every published page about them, so
# changing or deleting one is an editor's decision. Authors keep adding new ones (from a
# report's form, when what they need is not there yet): a new entry changes nothing public.
EDITORIAL = ["change_country", "change_addressee", "change_author"]


def vocabulary_edits_to_editors(apps, schema_editor):
    _set_author_permissions(apps, grant=False)


def vocabulary_edits_to_authors_again(apps, schema_editor):
    _set_author_permissions(apps, grant=True)


def _set_author_permissions(apps, *, grant):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="reports", codename__in=EDITORIAL
    )
    for group in Group.objects.filter(name="Author"):
        if grant:
            group.permissions.add(*permissions)
        else:
            group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0010_former_country_slugs"),
    ]

    operations = [
        migrations.RunPython(vocabulary_edits_to_editors, vocabulary_edits_to_authors_again)
    ]
