"""The EHR client libraries load only with an EHR integration configured (a quarter of start-up)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import ENV_EVIDENCE_DIR
from tests.evidence_dirs import FIXTURE_DIR

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ("requests", "jwt")
PROBE = (
    "import sys, app; app.create_app();"
    f" print(' '.join(m for m in {CLIENTS!r} if m in sys.modules))"
)
PUBLIC = {"ICAS_PUBLIC_URL": "https://icas.example.org"}
CDS = {**PUBLIC, "ICAS_CDS_ISSUERS": '{"https://ehr.example.org": "https://ehr.example.org/jwks"}'}
SMART = {
    **PUBLIC,
    "ICAS_SECRET_KEY": "s" * 32,
    "ICAS_SMART_CLIENT_ID": "icas",
    "ICAS_SMART_ISSUERS": "https://ehr.example.org",
}


def loaded_after_start(settings: dict[str, str]) -> set[str]:
    """Start the app in a fresh interpreter with these ICAS_* settings; name the clients it loaded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICAS_")} | settings
    env[ENV_EVIDENCE_DIR] = str(FIXTURE_DIR)  # the tests' evidence, as everywhere in the suite
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(done.stdout.split())


@pytest.mark.parametrize(
    ("settings", "expected"),
    [({}, set()), (CDS, {"requests", "jwt"}), (SMART, {"requests"})],
    ids=["no EHR", "CDS service", "SMART launch"],
)
def test_ehr_clients_load_only_when_configured(
    settings: dict[str, str], expected: set[str]
) -> None:
    assert loaded_after_start(settings) == expected
