"""The staff's workplace. One module per subject; importing them registers the admins."""

from . import report, vocabularies  # noqa: F401
