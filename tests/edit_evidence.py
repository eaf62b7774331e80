"""Edit a copy of an evidence folder as a curator would, for tests/check_new_study.sh.

    python tests/edit_evidence.py EVIDENCE EDIT ARGUMENT [EDIT ARGUMENT ...]
      add FOLDER      add FOLDER's studies/*.toml and sources/*
      remove STUDY    retract studies/STUDY.toml

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


EDITS: dict[str, Callable[[Path, str], None]] = {"add": add_study, "remove": remove_study}


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
