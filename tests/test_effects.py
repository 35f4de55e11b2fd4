"""Every model is declared in genocidewatch/effects.py, and the declarations take effect."""

import pytest
import reversion
from django.apps import apps
from django.db.models.signals import post_save

from genocidewatch import effects

PROJECT_APPS = {
    "reports",
    "opendata",
    "archive",
    "follow",
    "pages",
    "alerts",
    "sharing",
    "audit",
    "staff",
    "genocidewatch",
}


def project_models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in PROJECT_APPS
    ]


def test_every_model_of_the_project_is_declared_shown_on_public_pages_or_not():
    declared = set(effects.SHOWN_ON_PUBLIC_PAGES) | set(effects.NOT_SHOWN)
    missing = [model._meta.label for model in project_models() if model not in declared]
    assert missing == [], (
        "Declare these in genocidewatch/effects.py: SHOWN_ON_PUBLIC_PAGES if a public page "
        "shows them (their changes must retire stored pages), else NOT_SHOWN with a reason: "
        f"{missing}"
    )


def test_no_model_is_declared_both_shown_and_not_shown_and_each_not_shown_has_a_reason():
    assert not set(effects.SHOWN_ON_PUBLIC_PAGES) & set(effects.NOT_SHOWN)
    assert all(reason.strip() for reason in effects.NOT_SHOWN.values())


@pytest.mark.parametrize(
    "model", [m for m in effects.SHOWN_ON_PUBLIC_PAGES if not m._meta.auto_created]
)
def test_saving_a_model_shown_on_public_pages_retires_stored_pages(model):
    sync_receivers, _ = post_save._live_receivers(model)
    assert effects._retire_pages in sync_receivers


@pytest.mark.parametrize("model", list(effects.REVISIONS))
def test_models_declared_with_revisions_keep_them(model):
    assert reversion.is_registered(model)
