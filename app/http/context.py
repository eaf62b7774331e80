"""Access to the start-up state from request handlers (the shell only; domain code takes arguments)."""

from __future__ import annotations

from flask import current_app

from app.analysis.base import EvidenceBase


def evidence_base() -> EvidenceBase:
    """Return the evidence base that create_app loaded, checked and analysed at start-up."""
    return current_app.extensions["evidence_base"]
