"""Access to the start-up state from request handlers (the shell only; domain code takes arguments)."""

from __future__ import annotations

from flask import current_app

from app.analysis.base import EvidenceBase
from app.engine.tables import Tables


def evidence_base() -> EvidenceBase:
    """Return the evidence base that create_app loaded, checked and analysed at start-up."""
    base: EvidenceBase = current_app.extensions["evidence_base"]
    return base


def engine_tables() -> Tables:
    """Return the engine's lookup tables that create_app built over that evidence base."""
    tables: Tables = current_app.extensions["engine_tables"]
    return tables
