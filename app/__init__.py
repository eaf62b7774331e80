"""Evidence-first decision support for intracranial atherosclerotic stenosis: the Flask factory."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from app.analysis.base import analyse
from app.cli import ENV_EVIDENCE_DIR, EXIT_CONFIG, EXIT_EVIDENCE, report_problems
from app.engine.tables import build_tables
from app.evidence.loader import load_evidence
from app.evidence.model import DEFAULT_DIR, EvidenceError
from app.web.compact import Compact

ROOT = Path(__file__).resolve().parent.parent


class StrictJSONProvider(DefaultJSONProvider):
    """JSON that keeps the documented key order and refuses NaN or infinity outright."""

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; load and check the evidence once, refusing to start on any problem."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.json = StrictJSONProvider(app)
    # Block tags leave no blank lines or indentation behind, and the templates' indentation is
    # collapsed when they compile (app/web/compact.py): the pages keep their weight budgets.
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.jinja_env.add_extension(Compact)
    # ICAS_EVIDENCE_DIR lets a deployment (or gunicorn) point at another evidence folder.
    evidence_dir = os.environ.get(ENV_EVIDENCE_DIR, DEFAULT_DIR)
    app.config.from_mapping(EVIDENCE_DIR=evidence_dir, MAX_CONTENT_LENGTH=16 * 1024)
    if config:
        app.config.from_mapping(config)
    # Raises EvidenceError listing every problem: the app never serves unchecked evidence.
    base = analyse(load_evidence(Path(app.config["EVIDENCE_DIR"])))
    app.extensions["evidence_base"] = base
    app.extensions["engine_tables"] = build_tables(base)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security(app)
    register_body(app)
    register_hosts(app)
    register_assets(app)
    return app


def serve() -> Flask:
    """Build the app for `make run` (gunicorn preloads it): on broken evidence or settings, exit 78.

    Gunicorn loads the app once in its master, before the workers fork (app/gunicorn_conf.py), so
    this is the only place the evidence is read: broken evidence stops the server at start with
    one exit code and every problem, and a running instance never reads the folder again.
    """
    from app.http.errors import SettingsError

    try:
        app = create_app()
    except EvidenceError as error:
        report_problems(error)
        raise SystemExit(EXIT_EVIDENCE) from None
    except SettingsError as error:  # an ICAS_* setting (EHR, hosts, framing): every problem named
        print(f"Settings refused: {error}", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None
    # Everything built so far (evidence, statistics, prepared JSON, the libraries) lives as long as
    # the process: keep the cyclic collector from rescanning it after each burst of requests, and
    # the forked workers from dirtying the pages they share with the master.
    gc.freeze()
    return app


def register_blueprints(app: Flask) -> None:
    from app.api import views as api
    from app.ehr import cds, fhir_api, smart
    from app.web import views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(fhir_api.bp)  # POST /api/v1/assess/fhir (issue 14)
    app.register_blueprint(smart.bp)  # SMART EHR launch, 404 unless configured
    app.register_blueprint(cds.bp)  # CDS Hooks service, 404 unless configured


def register_security(app: Flask) -> None:
    from app.http import security

    security.register(app)


def register_body(app: Flask) -> None:
    from app.http import body

    body.register(app)


def register_hosts(app: Flask) -> None:
    from app.http import hosts

    hosts.register(app)


def register_assets(app: Flask) -> None:
    from app.http import assets

    assets.register(app)


def register_errorhandlers(app: Flask) -> None:
    from app.http import errors

    errors.register(app)
