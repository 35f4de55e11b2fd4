# The subscription models now live in the `alerts` app (see alerts/0001_initial); their
# tables stay as they are, so they leave this app's model state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("follow", "0002_subscriptions"),
        ("alerts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Delivery"),
                migrations.DeleteModel(name="Announcement"),
                migrations.DeleteModel(name="Subscriber"),
            ],
            database_operations=[],
        ),
    ]
