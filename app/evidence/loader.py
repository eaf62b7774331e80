"""Load the whole evidence folder (manifest, studies, sources), failing closed on any problem."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.evidence.catalog import check_members, read_families, read_register
from app.evidence.model import (
    DEFAULT_DIR,
    SCHEMA_VERSION,
    Evidence,
    EvidenceError,
    Family,
    KnownTrial,
    Study,
)
from app.evidence.quotes import check_figures
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


def read_checksums(manifest: Table) -> dict[str, str]:
    """Read the manifest's [sha256] table: source file -> its recorded digest."""
    # Optional as a table: without it every used source is reported missing, with its digest.
    table = manifest.table("sha256", required=False)
    if table is None:
        return {}
    table.used.update(table.data)
    recorded: dict[str, str] = {}
    for name, value in table.data.items():
        if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value):
            recorded[name] = value
        else:
            table.error(
                name,
                f"must be a sha256 digest (64 lower-case hex digits), got {value!r}",
            )
    return recorded


def check_checksums(
    recorded: Mapping[str, str],
    used: Mapping[str, str],
    evidence_dir: Path,
    complete: bool,
    problems: list[str],
) -> None:
    """Check each used source text against its recorded sha256, so no quote is checked against an altered copy."""
    root = evidence_dir.resolve()
    for file, study_file in sorted(used.items()):
        path = (evidence_dir / file).resolve()
        # A missing or escaping file is already reported against the study that names it.
        if not path.is_relative_to(root) or not path.is_file():
            continue
        found = hashlib.sha256(path.read_bytes()).hexdigest()
        expected = recorded.get(file)
        if expected is None:
            problems.append(
                f"manifest.toml: sha256.{file}: missing for a source text that {study_file} uses;"
                f" its sha256 is {found}"
            )
        elif found != expected:
            problems.append(
                f"manifest.toml: sha256.{file}: source text changed: expected sha256 {expected},"
                f" found {found} (after a deliberate edit, record the found digest)"
            )
    # A study that could not be read names no sources, so its files would look unused.
    if complete:
        for file in sorted(set(recorded) - set(used)):
            problems.append(f"manifest.toml: sha256.{file}: no listed study uses this file")


def load_evidence(evidence_dir: Path = DEFAULT_DIR) -> Evidence:
    """Parse and validate the whole evidence base; raise EvidenceError listing every problem."""
    problems: list[str] = []
    manifest_data = parse_toml(evidence_dir / "manifest.toml", "manifest.toml", problems)
    if manifest_data is None:
        raise EvidenceError(problems)
    manifest_problems = Problems("manifest.toml")
    manifest = Table(manifest_data, "", manifest_problems)
    if (version := manifest.whole("schema_version")) is not None and version != SCHEMA_VERSION:
        manifest.error("schema_version", f"must be {SCHEMA_VERSION}, got {version}")
    revision = manifest.date("revision")
    listed = manifest.str_list("studies", tuple(manifest_data.get("studies", ()) or ()))
    catalogues = {key: manifest.text(key, required=False) for key in ("families", "register")}
    recorded = read_checksums(manifest)
    manifest.done()
    problems.extend(manifest_problems.items)
    on_disk = {p.relative_to(evidence_dir).as_posix() for p in evidence_dir.glob("studies/*.toml")}
    for name in sorted(on_disk - set(listed)):
        problems.append(f"manifest.toml: studies: {name} exists but is not listed")

    digest = hashlib.sha256(b"schema %d\n" % SCHEMA_VERSION)
    studies: list[Study] = []
    used: dict[str, str] = {}
    complete = True
    for name in listed:
        path = evidence_dir / name
        data = parse_toml(path, name, problems)
        if data is None:
            complete = False
            continue
        digest.update(name.encode() + b"\0" + path.read_bytes())
        study_problems = Problems(name)
        study = read_study(data, name, evidence_dir, study_problems)
        # Every printed figure must stand in its own quote (app/evidence/quotes.py).
        check_figures(data, study_problems)
        problems.extend(study_problems.items)
        for source in study.sources.values():
            if source.file:
                used.setdefault(source.file, name)
            source_path = evidence_dir / source.file
            if source_path.is_file():
                digest.update(source.file.encode() + b"\0" + source_path.read_bytes())
        studies.append(study)
    families, register = _catalogues(catalogues, evidence_dir, studies, used, digest, problems)
    check_checksums(recorded, used, evidence_dir, complete, problems)
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
        families=families,
        register=register,
    )


def _catalogues(
    names: Mapping[str, str],
    evidence_dir: Path,
    studies: list[Study],
    used: dict[str, str],
    digest: Any,
    problems: list[str],
) -> tuple[Mapping[str, Family], tuple[KnownTrial, ...]]:
    """Read the families and register files the manifest names (either may be absent)."""
    families: Mapping[str, Family] = {}
    register: tuple[KnownTrial, ...] = ()
    for key, name in names.items():
        if not name:
            continue
        path = evidence_dir / name
        data = parse_toml(path, name, problems)
        if data is None:
            continue
        digest.update(name.encode() + b"\0" + path.read_bytes())
        file_problems = Problems(name)
        if key == "families":
            families = read_families(data, file_problems)
        else:
            register, files = read_register(data, evidence_dir, file_problems)
            for file in files.values():
                used.setdefault(file, name)
                if (evidence_dir / file).is_file():
                    digest.update(file.encode() + b"\0" + (evidence_dir / file).read_bytes())
        problems.extend(file_problems.items)
    check_members(tuple(studies), families, problems)
    return families, register
