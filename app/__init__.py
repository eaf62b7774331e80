"""Evidence-first decision support for intracranial atherosclerotic stenosis: the Flask factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from app.analysis import analyse
from app.evidence import DEFAULT_DIR, load_evidence

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; load and check the evidence once, refusing to start on any problem."""
    app = Flask(
        __name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static")
    )
    app.config.from_mapping(EVIDENCE_DIR=DEFAULT_DIR, MAX_CONTENT_LENGTH=16 * 1024)
    if config:
        app.config.from_mapping(config)
    # Raises EvidenceError listing every problem: the app never serves unchecked evidence.
    app.extensions["evidence_base"] = analyse(load_evidence(Path(app.config["EVIDENCE_DIR"])))
    return app
