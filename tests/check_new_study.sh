#!/usr/bin/env bash
# Tests that survive a change to the shipped evidence: copy the repository, edit the copy's
# evidence/ as a curator would, check that evidence, then run every test not marked
# shipped_evidence in the copy. None may fail: behaviour tests read tests/fixtures/evidence/.
#
# Usage, from anywhere:  tests/check_new_study.sh [EDIT ...] [pytest arguments]
#   (no edit)        add the fictional study of tests/fixtures/new_study/ (VISSIT's pair and setting)
#   --add FOLDER     add FOLDER's studies/*.toml and sources/*
#   --remove STUDY   retract evidence/studies/STUDY.toml, e.g. --remove vissit (its sources stay)
#   --criterion NAME a new yes/no exclusion criterion field NAME, in app/contract/scenario.py and
#                    every study file only (after --add, the added second trial excludes it)
# Edits are made in the order given. Each is a function of tests/edit_evidence.py; a new kind of
# edit is one more function there and one more option here.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}

edits=()
while [ $# -gt 0 ]; do
  case "$1" in
    --add | --remove | --criterion)
      [ $# -ge 2 ] || { echo "usage: $0 [$1 ARGUMENT ...] [pytest arguments]" >&2; exit 2; }
      edits+=("${1#--}" "$2")
      shift 2
      ;;
    *) break ;;
  esac
done
[ ${#edits[@]} -gt 0 ] || edits=(add "$root/tests/fixtures/new_study")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
copy=$work/repo
mkdir "$copy"

# Tracked and new files as they are in the work tree (never .venv or caches).
(cd "$root" && git ls-files -z --cached --others --exclude-standard) \
  | (cd "$root" && tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -C "$copy" -xf -

"$python" "$copy/tests/edit_evidence.py" "$copy/evidence" "${edits[@]}"

# The edited evidence must be valid, as the app would load it; its summary line is printed.
cd "$copy"
"$python" -m flask --app app check-evidence --evidence-dir "$copy/evidence" > "$work/check.txt"
grep -m 1 " studies" "$work/check.txt"
"$python" -c 'import app, sys; sys.exit(0 if app.__file__.startswith(sys.argv[1]) else "not the copy: " + app.__file__)' "$copy"
"$python" -m pytest -q -p no:cacheprovider -m "not shipped_evidence" "$@"
