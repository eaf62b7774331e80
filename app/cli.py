"""Command-line checks of the evidence base (a Flask plugin command, usable when the app cannot start)."""

from __future__ import annotations

from pathlib import Path

import click

from app.analysis.base import EvidenceBase, analyse
from app.evidence.loader import load_evidence
from app.evidence.model import DEFAULT_DIR, EvidenceError

# EX_CONFIG (sysexits.h): the configuration, here the evidence folder, is broken. The server
# (app.serve) and check-evidence both exit with it, so a supervisor can tell it from a crash
# (systemd: RestartPreventExitStatus=78) and not restart into the same refusal.
EXIT_EVIDENCE = 78
# The same code for a bad ICAS_* setting (app.serve, app/gunicorn_conf.py): a restart cannot fix it.
EXIT_CONFIG = 78
ENV_EVIDENCE_DIR = "ICAS_EVIDENCE_DIR"


def report_problems(error: EvidenceError) -> None:
    """Print every evidence problem to stderr, one a line, as `file: key.path: message`."""
    click.echo(f"Evidence is invalid: {len(error.problems)} problem(s)", err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)


def describe(base: EvidenceBase) -> list[str]:
    """Return the report lines: each study, its outcomes, and the audit's disagreements."""
    lines = [f"Evidence version {base.version}: {len(base.studies)} studies"]
    for entry in base.studies:
        study = entry.study
        lines.append("")
        lines.append(
            f"{study.id} ({study.design.value}, {study.setting.value}, unit: {study.unit.value}):"
            f" {study.short_name}"
        )
        arms = study.arms
        lines.append(
            f"  compares {arms[study.intervention].label} ({arms[study.intervention].treatment})"
            f" with {arms[study.comparator].label} ({arms[study.comparator].treatment})"
        )
        for outcome in entry.outcomes:
            checked = [i for i in outcome.audit if i.agrees is not None]
            agreeing = sum(1 for i in checked if i.agrees)
            lines.append(
                f"  - {outcome.outcome.id} [{outcome.outcome.kind}] {outcome.outcome.label}"
                f" ({outcome.outcome.timeframe}); audit {agreeing}/{len(checked)} figures agree"
            )
        disagreements = entry.disagreements
        lines.append(f"  audit disagreements: {len(disagreements)}")
        for outcome_id, item in disagreements:
            where = outcome_id or "study"
            lines.append(
                f"    ! {where}: {item.figure}: published {item.published}, recomputed"
                f" {item.recomputed}. {item.note}"
            )
        differs = [
            (outcome.outcome.id, item)
            for outcome in entry.outcomes
            for item in outcome.audit
            if item.method_differs
        ] + [("", item) for item in entry.audit if item.method_differs]
        lines.append(f"  method differs (not counted): {len(differs)}")
        for outcome_id, item in differs:
            lines.append(
                f"    ~ {outcome_id or 'study'}: {item.figure}: published {item.published},"
                f" recomputed {item.recomputed}"
            )
    return lines


@click.command("check-evidence")
@click.option(
    "--evidence-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DIR,
    show_default=True,
    envvar=ENV_EVIDENCE_DIR,
    show_envvar=True,
    help="Folder holding manifest.toml and the study files (as the app, ICAS_EVIDENCE_DIR sets it).",
)
def check_evidence(evidence_dir: Path) -> None:
    """Validate the evidence, list studies, outcomes and audit disagreements; exit 78 on errors."""
    try:
        base = analyse(load_evidence(evidence_dir))
    except EvidenceError as error:
        report_problems(error)
        raise SystemExit(EXIT_EVIDENCE) from None
    click.echo("\n".join(describe(base)))
