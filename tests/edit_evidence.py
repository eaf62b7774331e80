"""Edit a copy of an evidence folder as a curator would, for tests/check_new_study.sh.

    python tests/edit_evidence.py EVIDENCE EDIT ARGUMENT [EDIT ARGUMENT ...]
      add FOLDER      add FOLDER's studies/*.toml and sources/*
      remove STUDY    retract studies/STUDY.toml
      criterion NAME  a new yes/no exclusion criterion field NAME: declared in the copy's
                      app/contract/scenario.py, stated by every study file (evidence/ and the
                      tests' frozen copy), and stated as excluded by the fictional second trial

Each edit leaves a folder the loader accepts (the script checks it next): a study listed in
manifest.toml and its source texts' digests recorded, or a study gone from both. A retracted study's
source texts stay on disk; only the digests no remaining file names are dropped, as the loader
refuses a digest of a file nothing uses. A new kind of edit is one more function and one more entry
in EDITS.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

STUDIES_LIST = re.compile(r"^studies = \[\n(?:.*\n)*?\]\n", re.M)
DIGESTS = re.compile(r"^\[sha256\]\n", re.M)


def add_study(evidence: Path, folder: str) -> None:
    """Copy the folder's study files and source texts in; list them and record their digests."""
    source = Path(folder)
    studies = sorted((source / "studies").glob("*.toml"))
    texts = sorted((source / "sources").iterdir())
    for path in studies:
        shutil.copy(path, evidence / "studies" / path.name)
    for path in texts:
        shutil.copy(path, evidence / "sources" / path.name)
    text = manifest_text(evidence)
    listed = "".join(f'  "studies/{p.name}",\n' for p in studies)
    text = STUDIES_LIST.sub(lambda m: m.group(0)[: -len("]\n")] + listed + "]\n", text, count=1)
    digests = "".join(f'"sources/{p.name}" = "{sha256(p)}"\n' for p in texts)
    text = DIGESTS.sub(lambda m: m.group(0) + digests, text, count=1)
    (evidence / "manifest.toml").write_text(text, encoding="utf-8")


def remove_study(evidence: Path, study_id: str) -> None:
    """Delete the study's file, its line in manifest.toml and the digests nothing else uses."""
    name = f"studies/{study_id}.toml"
    if not (evidence / name).is_file():
        sys.exit(f"edit_evidence.py: no {name} in {evidence}")
    (evidence / name).unlink()
    text = manifest_text(evidence)
    text, removed = re.subn(rf'^ *"{re.escape(name)}",? *\n', "", text, count=1, flags=re.M)
    if removed != 1:
        sys.exit(f"edit_evidence.py: manifest.toml lists no {name} on a line of its own")
    named = "\n".join(
        p.read_text(encoding="utf-8")
        for p in [*(evidence / "studies").glob("*.toml"), *evidence.glob("*.toml")]
        if p.name != "manifest.toml"
    )
    unused = [f for f in re.findall(r'^"(sources/[^"]+)" = ', text, re.M) if f'"{f}"' not in named]
    for file in unused:
        text = re.sub(rf'^"{re.escape(file)}" = "[0-9a-f]+"\n', "", text, flags=re.M)
    (evidence / "manifest.toml").write_text(text, encoding="utf-8")


NEW_FIELD = """\
    Field(
        "{name}",
        "flag",
        "radio",
        "Earlier stent in the treated artery",
        "A stent already placed in this artery",
        "Optional; leave not known if unsure.",
        "Whether a stent was already placed in the treated artery.",
        criterion=Eligibility(
            "exclusion",
            topic="earlier stents in the treated artery",
            check="whether there is already a stent in it",
            limit="earlier stents",
            enrolled="patients with a stent already in the treated artery",
            this="this patient has one.",
            no="this patient has none.",
            not_given="for this patient that was not given.",
            patient="people who already had a stent in that artery",
        ),
        patient_when_given=True,
    ),
"""
SECOND_TRIAL = "second-trial.toml"
EXCLUSION = "Patients with a stent already in the treated artery were excluded."


def add_criterion(evidence: Path, name: str) -> None:
    """Declare a yes/no exclusion criterion field in the contract and state it in every study file.

    This is all a criterion field of a known kind may need (docs/development.md): the contract and
    the study files. Studies say they do not report it; the fictional second trial, when present,
    excludes such patients, in a sentence added to its fictional abstract.
    """
    root = evidence.parent
    contract = root / "app" / "contract" / "scenario.py"
    text = contract.read_text(encoding="utf-8")
    # The new field closes the FIELDS tuple, and its attribute closes the Scenario's attributes.
    text, fields = re.subn(
        r"(\nFIELDS: tuple\[Field, \.\.\.\] = \((?:.*\n)*?)\)\n",
        lambda m: m.group(1) + NEW_FIELD.format(name=name) + ")\n",
        text,
        count=1,
    )
    text, attributes = re.subn(
        r"(\nclass Scenario:\n(?:.*\n)*?)(\n    def )",
        lambda m: m.group(1) + f"    {name}: bool | None = None\n" + m.group(2),
        text,
        count=1,
    )
    if (fields, attributes) != (1, 1):
        sys.exit(
            "edit_evidence.py: app/contract/scenario.py has no FIELDS tuple or Scenario to extend"
        )
    contract.write_text(text, encoding="utf-8")
    for study in [
        *(evidence / "studies").glob("*.toml"),
        *root.glob("tests/fixtures/*/studies/*.toml"),
    ]:
        stated = tomllib.loads(study.read_text(encoding="utf-8"))["criteria"]["perforator_infarct"]
        if study.name == SECOND_TRIAL and study.parent.parent == evidence:
            block = f'excluded = true\nsource = "{stated["source"]}"\nquote = "{EXCLUSION}"\n'
            _append_sentence(evidence, study, stated["source"])
        else:
            block = (
                f'reported = false\nnote = "Not stated."\nsource = "{stated["source"]}"\n'
                f"quote = {_toml_string(stated['quote'])}\n"
            )
        with study.open("a", encoding="utf-8") as out:
            out.write(f"\n[criteria.{name}]\n{block}")


def _append_sentence(evidence: Path, study: Path, source_id: str) -> None:
    """Add the exclusion sentence to the study's source text and record its new digest."""
    file = tomllib.loads(study.read_text(encoding="utf-8"))["sources"][source_id]["file"]
    path = evidence / file
    old = sha256(path)
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f" {EXCLUSION}\n", "utf-8")
    manifest = evidence / "manifest.toml"
    manifest.write_text(manifest_text(evidence).replace(old, sha256(path)), encoding="utf-8")


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def manifest_text(evidence: Path) -> str:
    """The manifest, refused unless it has the multi-line study list and [sha256] table edits need."""
    text = (evidence / "manifest.toml").read_text(encoding="utf-8")
    if not (STUDIES_LIST.search(text) and DIGESTS.search(text)):
        sys.exit(
            "edit_evidence.py: manifest.toml has no multi-line `studies = [` list or no [sha256]"
        )
    return text


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


EDITS: dict[str, Callable[[Path, str], None]] = {
    "add": add_study,
    "remove": remove_study,
    "criterion": add_criterion,
}


def main(argv: list[str]) -> None:
    """Make the edits in the order given."""
    if len(argv) < 3 or len(argv) % 2 == 0:
        sys.exit(__doc__)
    evidence, pairs = Path(argv[0]), list(zip(argv[1::2], argv[2::2], strict=True))
    if any(edit not in EDITS for edit, _ in pairs):
        sys.exit(__doc__)
    for edit, argument in pairs:
        EDITS[edit](evidence, argument)


if __name__ == "__main__":
    main(sys.argv[1:])
