"""Migrations keep what a running site already holds."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [("follow", "0002_subscriptions"), ("alerts", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def test_subscribers_kept_when_their_models_moved_from_follow_to_alerts():
    old = migrate(BEFORE_THE_MOVE)
    Country = old.get_model("reports", "Country")
    Subscriber = old.get_model("follow", "Subscriber")
    ContentType = old.get_model("contenttypes", "ContentType")
    ContentType.objects.get_or_create(app_label="follow", model="subscriber")
    mali = Country.objects.create(code="ML", name="Mali", slug="mali")
    kept = Subscriber.objects.create(email="reader@example.org", all_reports=False)
    kept.countries.add(mali)
    try:
        new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        moved = new.get_model("alerts", "Subscriber").objects.get()
        assert moved.email == "reader@example.org"
        assert [c.slug for c in moved.countries.all()] == ["mali"]
        assert (
            new.get_model("contenttypes", "ContentType")
            .objects.filter(app_label="alerts", model="subscriber")
            .exists()
        )
    finally:
        call_command("migrate", verbosity=0)
