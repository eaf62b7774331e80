"""Risk-of-bias judgements and a family's declared differences: GRADE's recorded judgements, checked.

A study file may record `[[risk_of_bias]]` tables, one per domain, each a judgement with a one-sentence
reason and the quote it rests on; families.toml may declare how its members differ
(`[[families.differences]]`). The certainty rules (app/analysis/certainty.py) read them.
"""

from __future__ import annotations

from app.evidence.model import BiasJudgement, Difference
from app.evidence.reader import Table, Texts, read_quote

# What may bias a study's results (GRADE handbook 5.2.1; Cochrane RoB 2 and ROBINS-I domains).
BIAS_DOMAINS = (
    "randomization",
    "blinding",
    "outcome_assessment",
    "stopped_early",
    "attrition",
    "selection",
    "confounding",
    "reporting",
)
JUDGEMENTS = ("low", "some_concerns", "high")
DIFFERENCE_ASPECTS = ("device", "timing", "population")


def _sentence(table: Table, key: str) -> str:
    text = table.text(key)
    if text and not text.rstrip().endswith("."):
        table.error(key, "must be one sentence ending with a full stop")
    return text


def read_risk_of_bias(root: Table, texts: Texts) -> tuple[BiasJudgement, ...]:
    """Read a study's `[[risk_of_bias]]` judgements: one per domain, each quoted and reasoned."""
    found: list[BiasJudgement] = []
    for table in root.tables("risk_of_bias"):
        judgement = BiasJudgement(
            domain=table.choice("domain", BIAS_DOMAINS),
            judgement=table.choice("judgement", JUDGEMENTS),
            reason=_sentence(table, "reason"),
            quote=read_quote(table, texts),
        )
        table.done()
        if judgement.domain and any(j.domain == judgement.domain for j in found):
            table.error("domain", f"{judgement.domain!r} is judged twice; judge each domain once")
        found.append(judgement)
    return tuple(found)


def read_differences(family: Table) -> tuple[Difference, ...]:
    """Read a family's `[[families.differences]]`: how its members differ, and whether seriously."""
    found = []
    for table in family.tables("differences"):
        found.append(
            Difference(
                aspect=table.choice("aspect", DIFFERENCE_ASPECTS),
                text=_sentence(table, "text"),
                serious=bool(table.flag("serious")),
            )
        )
        table.done()
    return tuple(found)
