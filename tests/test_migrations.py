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


def test_past_changes_of_assessment_are_derived_without_reasons():
    from datetime import timedelta

    from django.utils import timezone

    # Back before every branch's 0014, then forward along this one alone: the migrations
    # that came beside it (translations' required `language`, …) must not be applied yet.
    migrate([("reports", "0013_pending_changes_version")])
    old = migrate([("reports", "0014_status_changes")])
    Country, Report, Stage = (old.get_model("reports", m) for m in ("Country", "Report", "Stage"))
    mali = Country.objects.create(code="ML", name="Mali", slug="mali")
    for number in (1, 2, 3):  # a transactional test may find the table emptied
        Stage.objects.get_or_create(
            number=number, defaults={"name": f"Stage {number}", "slug": f"stage-{number}"}
        )
    now = timezone.now()

    def report(n, level, stages, **fields):
        fields.setdefault("status", "published")
        fields.setdefault("published_at", now - timedelta(days=100 - n))
        made = Report.objects.create(
            country=mali, year=2020 + n, alert_level=level, title=f"R{n}", slug=f"r{n}", **fields
        )
        made.stages.set(Stage.objects.filter(number__in=stages))
        return made

    report(1, "watch", [1, 2])
    report(2, "watch", [1, 2])  # no change
    third = report(3, "warning", [1, 2, 3])
    report(4, "emergency", [1], status="draft", published_at=None)  # never public
    report(5, "emergency", [1], published_at=now + timedelta(days=3))  # scheduled
    try:
        new = migrate([("reports", "0015_past_status_changes")])
        (change,) = new.get_model("reports", "StatusChange").objects.all()
        assert (change.report_id, change.level_from, change.level_to) == (
            third.pk,
            "watch",
            "warning",
        )
        assert (change.stages_added, change.stages_removed, change.reason) == ([3], [], "")
        assert change.changed_at == third.published_at
        migrate([("reports", "0014_status_changes")])  # and back
        assert not old.get_model("reports", "StatusChange").objects.exists()
    finally:
        call_command("migrate", verbosity=0)


def test_stage_names_in_french_and_arabic_fill_only_what_staff_left_empty_and_go_back():
    old = migrate([("reports", "0016_merge_parallel_work")])
    Stage = old.get_model("reports", "Stage")
    for number in (1, 8):  # a transactional test may find the table emptied
        Stage.objects.get_or_create(
            number=number, defaults={"name": f"Stage {number}", "slug": f"stage-{number}"}
        )
    Stage.objects.filter(number=1).update(translations={})
    staff = {"fr": {"name": "Persécutions", "description": ""}, "ar": {"description": "بقلمنا"}}
    Stage.objects.filter(number=8).update(translations=staff)
    try:
        new = migrate([("reports", "0017_stage_names_in_french_and_arabic")])
        stages = new.get_model("reports", "Stage").objects
        eight = stages.get(number=8).translations
        assert eight["fr"]["name"] == "Persécutions" and eight["fr"]["description"]
        assert eight["ar"] == {"name": "الاضطهاد", "description": "بقلمنا"}
        assert stages.get(number=1).translations["ar"]["name"] == "التصنيف"
        migrate([("reports", "0016_merge_parallel_work")])  # and back
        assert Stage.objects.get(number=1).translations == {}
        assert Stage.objects.get(number=8).translations == {
            "fr": {"name": "Persécutions"},
            "ar": {"description": "بقلمنا"},
        }
    finally:
        call_command("migrate", verbosity=0)
