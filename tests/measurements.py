"""Figures the test run reports at its end (and writes to artifacts/): axe results, page
weight, query counts. Tests append lines to SUMMARY; conftest prints them."""

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
SUMMARY = []
