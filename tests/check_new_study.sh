#!/bin/sh
# Tests that survive new evidence: copy the repository, add the fictional fourth study of
# tests/fixtures/new_study/ (same pair of options and setting as VISSIT) to the copy's evidence/,
# check that evidence, then run every test not marked shipped_evidence in the copy. None may fail.
# Usage, from anywhere: tests/check_new_study.sh [extra pytest arguments]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# Tracked and new files as they are in the work tree (never .venv or caches).
cd "$root"
git ls-files -z --cached --others --exclude-standard \
  | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$work" -xf -

fixture="$root/tests/fixtures/new_study"
cp "$fixture/studies/"*.toml "$work/evidence/studies/"
cp "$fixture/sources/"* "$work/evidence/sources/"
"$python" - "$work/evidence" "$fixture" <<'PY'
import hashlib
import re
import sys
from pathlib import Path

evidence, fixture = Path(sys.argv[1]), Path(sys.argv[2])
manifest = evidence / "manifest.toml"
text = manifest.read_text(encoding="utf-8")
studies = "".join(f'  "studies/{p.name}",\n' for p in sorted((fixture / "studies").glob("*.toml")))
text, listed = re.subn(r"^(studies = \[\n(?:.*\n)*?)(\])", rf"\g<1>{studies}\g<2>", text, count=1, flags=re.M)
digests = "".join(
    f'"sources/{p.name}" = "{hashlib.sha256(p.read_bytes()).hexdigest()}"\n'
    for p in sorted((fixture / "sources").iterdir())
)
text, recorded = re.subn(r"^\[sha256\]\n", f"[sha256]\n{digests}", text, count=1, flags=re.M)
if (listed, recorded) != (1, 1):
    sys.exit("check_new_study.sh: manifest.toml has no multi-line `studies = [` list or no [sha256] table")
manifest.write_text(text, encoding="utf-8")
PY

cd "$work"
"$python" -m flask --app app check-evidence | head -n 1
"$python" -c 'import app, sys; sys.exit(0 if app.__file__.startswith(sys.argv[1]) else "not the copy: " + app.__file__)' "$work"
"$python" -m pytest -q -p no:cacheprovider -m "not shipped_evidence" "$@"
