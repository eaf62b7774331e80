"""A minimal valid study, written to a temporary evidence folder, for loader tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.contract.scenario import CRITERIA

SOURCE_TEXT = (
    "We randomized 20 patients with stenosis of 70-99% and a symptomatic event in the past 30 days."
    " Stroke within 30 days occurred in 3/10 (30%) with stenting vs 1/10 (10%) with medical therapy"
    " (P = .58). Stroke-free survival at 1 year was 70.0% (SE 5.0) with stenting and 90.0% (SE 3.0)"
    " with medical therapy. The odds ratio of stroke adjusted for age was 2.0 (95% CI, 1.1-3.6)."
)

_STUDY = """
schema_version = 1

[study]
id = "mini"
short_name = "Mini"
title = "A minimal trial"

[study.citation]
text = "Doe J. A minimal trial. 2020."
source = "abstract"
quote = "We randomized 20 patients"

[study.design]
value = "randomized_trial"
source = "abstract"
quote = "We randomized 20 patients"

[study.setting]
value = "symptomatic_icas"
source = "abstract"
quote = "stenosis of 70-99% and a symptomatic event"

[study.unit]
value = "patients"
source = "abstract"
quote = "We randomized 20 patients"

[sources.abstract]
kind = "primary"
title = "Abstract"
file = "sources/mini.txt"
origin = "tests"

[criteria.stenosis_percent]
min = 70
max = 99
source = "abstract"
quote = "stenosis of 70-99%"

[criteria.symptomatic]
required = true
source = "abstract"
quote = "a symptomatic event"

[criteria.days_since_event]
max = 30
source = "abstract"
quote = "in the past 30 days"

{unstated}
[arms.stent]
treatment = "balloon_stent"
label = "Stent"
n = 10
source = "abstract"
quote = "3/10 (30%) with stenting"

[arms.medical]
treatment = "medical"
label = "Medical therapy"
n = 10
source = "abstract"
quote = "1/10 (10%) with medical therapy"

[comparison]
intervention = "stent"
comparator = "medical"

[[outcomes]]
id = "stroke_30d"
kind = "binary"
role = "primary"
label = "Stroke within 30 days"
plain_label = "a stroke"
event = "harmful"
timeframe = "30 days"

[outcomes.definition]
source = "abstract"
quote = "Stroke within 30 days"

[outcomes.arms.stent]
events = 3
total = 10
percent = "30"
source = "abstract"
quote = "3/10 (30%) with stenting"

[outcomes.arms.medical]
events = 1
total = 10
percent = "10"
source = "abstract"
quote = "1/10 (10%) with medical therapy"

[outcomes.test]
p = ".58"
source = "abstract"
quote = "(P = .58)"
"""

# Every other criterion field of the contract, as a study that does not state it (so a new
# criterion field of a known kind needs no edit here).
STATED = ("stenosis_percent", "symptomatic", "days_since_event")
UNSTATED = "".join(
    f'[criteria.{name}]\nreported = false\nnote = "Not stated."\nsource = "abstract"\n'
    'quote = "We randomized 20 patients"\n\n'
    for name in CRITERIA
    if name not in STATED
)
STUDY = _STUDY.replace("{unstated}\n", UNSTATED)

SOURCE_SHA256 = hashlib.sha256(SOURCE_TEXT.encode()).hexdigest()

MANIFEST = f"""
schema_version = 1
revision = 2026-01-01
studies = ["studies/mini.toml"]

[sha256]
"sources/mini.txt" = "{SOURCE_SHA256}"
"""


def write_evidence(
    root: Path, study: str = STUDY, manifest: str = MANIFEST, source: str = SOURCE_TEXT
) -> Path:
    """Write a one-study evidence folder under `root` and return it.

    A `source` other than SOURCE_TEXT is recorded in the manifest under its own digest.
    """
    (root / "studies").mkdir(parents=True, exist_ok=True)
    (root / "sources").mkdir(exist_ok=True)
    (root / "sources" / "mini.txt").write_text(source, encoding="utf-8")
    (root / "studies" / "mini.toml").write_text(study, encoding="utf-8")
    if source != SOURCE_TEXT:
        manifest = manifest.replace(SOURCE_SHA256, hashlib.sha256(source.encode()).hexdigest())
    (root / "manifest.toml").write_text(manifest, encoding="utf-8")
    return root
