"""The engine's tables for an evidence base a test built, built once per base."""

from __future__ import annotations

from app.analysis.base import EvidenceBase
from app.engine.tables import Tables, build_tables

_BUILT: dict[int, Tables] = {}


def tables(base: EvidenceBase) -> Tables:
    """Return build_tables(base), building it once for each base (keyed by identity: bases are frozen)."""
    found = _BUILT.get(id(base))
    if found is None or found.base is not base:
        found = _BUILT[id(base)] = build_tables(base)
    return found
