from django.db import migrations

# The descriptions are the project's own plain-language summaries; staff may reword them.
STAGES = [
    (1, "Classification", "classification",
     "People are sorted into “us” and “them” by ethnicity, religion, race or nationality, "
     "and the line between the groups hardens."),
    (2, "Symbolization", "symbolization",
     "Names, dress, colours or badges are attached to each group, and may be forced on "
     "the group that is singled out."),
    (3, "Discrimination", "discrimination",
     "A dominant group uses law, custom and power to deny another group its rights, "
     "its citizenship or its place in public life."),
    (4, "Dehumanization", "dehumanization",
     "The targeted group is described as vermin, disease or a threat, in propaganda "
     "and hate speech that make violence against it seem acceptable."),
    (5, "Organization", "organization",
     "Armies, militias or special units are formed, trained and armed, often with "
     "deniable links to the state, and plans for killing are made."),
    (6, "Polarization", "polarization",
     "Extremists drive the groups apart: moderates are silenced, intimidated or "
     "killed, and contact between the groups is forbidden or made dangerous."),
    (7, "Preparation", "preparation",
     "Leaders plan the destruction of a group, speak of it in euphemisms, build up "
     "forces and weapons, and stoke fear of the victims."),
    (8, "Persecution", "persecution",
     "Members of the group are identified, their property is seized, and they are "
     "expelled, confined, starved or attacked; massacres may begin."),
    (9, "Extermination", "extermination",
     "Mass killing: the group is murdered or destroyed deliberately, and the killers "
     "deny that their victims are fully human."),
    (10, "Denial", "denial",
     "The perpetrators and their heirs deny that anything happened, destroy evidence, "
     "blame the victims and escape justice."),
]


def create_stages(apps, schema_editor):
    Stage = apps.get_model("reports", "Stage")
    for number, name, slug, description in STAGES:
        Stage.objects.update_or_create(
            number=number, defaults={"name": name, "slug": slug, "description": description}
        )


def remove_stages(apps, schema_editor):
    apps.get_model("reports", "Stage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(create_stages, remove_stages)]
