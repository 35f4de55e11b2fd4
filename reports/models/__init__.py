"""The reports domain. Split by subject; import from `reports.models` as from one module."""

from .attachment import Attachment, Language
from .changelog import StatusChange
from .counts import DailyCount
from .desk import Autosave, StageEvidence
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
    "Autosave",
    "Correction",
    "Country",
    "DailyCount",
    "FormerCountrySlug",
    "Language",
    "Recommendation",
    "Report",
    "ReportQuerySet",
    "Stage",
    "StageEvidence",
    "StatusChange",
    "release_stored_file",
]
