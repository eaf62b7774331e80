"""Load the whole evidence folder (manifest, studies, sources), failing closed on any problem."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any

from app.evidence.model import (
    DEFAULT_DIR,
    SCHEMA_VERSION,
    Evidence,
    EvidenceError,
    Study,
)
from app.evidence.reader import Problems, Table
from app.evidence.schema import read_study


def parse_toml(path: Path, name: str, problems: list[str]) -> dict[str, Any] | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{name}: file not found")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"{name}: not valid TOML: {exc}")
    return None


def load_evidence(evidence_dir: Path = DEFAULT_DIR) -> Evidence:
    """Parse and validate the whole evidence base; raise EvidenceError listing every problem."""
    problems: list[str] = []
    manifest_data = parse_toml(evidence_dir / "manifest.toml", "manifest.toml", problems)
    if manifest_data is None:
        raise EvidenceError(problems)
    manifest_problems = Problems("manifest.toml")
    manifest = Table(manifest_data, "", manifest_problems)
    if (version := manifest.int("schema_version")) is not None and version != SCHEMA_VERSION:
        manifest.error("schema_version", f"must be {SCHEMA_VERSION}, got {version}")
    revision = manifest.date("revision")
    listed = manifest.str_list("studies", tuple(manifest_data.get("studies", ()) or ()))
    manifest.done()
    problems.extend(manifest_problems.items)
    on_disk = {p.relative_to(evidence_dir).as_posix() for p in evidence_dir.glob("studies/*.toml")}
    for name in sorted(on_disk - set(listed)):
        problems.append(f"manifest.toml: studies: {name} exists but is not listed")

    digest = hashlib.sha256(b"schema %d\n" % SCHEMA_VERSION)
    studies: list[Study] = []
    for name in listed:
        path = evidence_dir / name
        data = parse_toml(path, name, problems)
        if data is None:
            continue
        digest.update(name.encode() + b"\0" + path.read_bytes())
        study_problems = Problems(name)
        study = read_study(data, name, evidence_dir, study_problems)
        problems.extend(study_problems.items)
        for source in study.sources.values():
            source_path = evidence_dir / source.file
            if source_path.is_file():
                digest.update(source.file.encode() + b"\0" + source_path.read_bytes())
        studies.append(study)
    seen: dict[str, str] = {}
    for study in studies:
        if study.id in seen:
            problems.append(
                f"{study.file}: study.id: duplicate study id {study.id!r} (also in {seen[study.id]})"
            )
        seen.setdefault(study.id, study.file)
    if problems:
        raise EvidenceError(problems)
    assert revision is not None
    return Evidence(
        studies=tuple(studies),
        revision=revision,
        version=f"{revision.isoformat()}+{digest.hexdigest()[:12]}",
    )
