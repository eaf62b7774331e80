"""Scenarios shared by the tests: a patient who fits VISSIT's published population."""

from __future__ import annotations

from typing import Any

# Elective, 80% symptomatic MCA stenosis 10 days after the event, aged 64: every criterion VISSIT
# reports is met, so its numbers apply.
VISSIT_LIKE: dict[str, Any] = {
    "setting": "symptomatic_icas",
    "options": ["medical", "balloon_stent"],
    "stenosis_percent": 80,
    "symptomatic": True,
    "days_since_event": 10,
    "artery": "mca",
    "age": 64,
}
# The same patient weighing every option: two comparisons (VISSIT and the retrospective study) apply.
ALL_OPTIONS: dict[str, Any] = {
    **VISSIT_LIKE,
    "options": ["medical", "angioplasty", "balloon_stent", "self_expanding_stent"],
}
