"""The reports domain. Split by subject; import from `reports.models` as from one module."""

from .attachment import Attachment, Language
from .counts import DailyCount
from .files import release_stored_file
from .report import Authorship, Correction, Recommendation, Report, ReportQuerySet
from .vocabularies import (
    ALERT_LEVEL_DESCRIPTIONS,
    Addressee,
    AlertLevel,
    Author,
    Country,
    FormerCountrySlug,
    Stage,
)

__all__ = [
    "ALERT_LEVEL_DESCRIPTIONS",
    "Addressee",
    "AlertLevel",
    "Attachment",
    "Author",
    "Authorship",
    "Correction",
    "Country",
    "DailyCount",
    "FormerCountrySlug",
    "Language",
    "Recommendation",
    "Report",
    "ReportQuerySet",
    "Stage",
    "release_stored_file",
]
