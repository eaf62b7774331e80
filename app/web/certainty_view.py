"""The certainty of the evidence (GRADE) on the pages: the clinician's lines, the patient's words.

Each comparison lists, under its table, every outcome's rating, what rated it down and its
informative statement (app/analysis/statements.py); a domain whose reason is the same for every
outcome of the study (risk of bias, inconsistency, indirectness and publication bias usually are)
is said once above the list. The patient and print views give the rating in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.analysis.appraisal import OutcomeResult
from app.analysis.certainty import DOMAINS, RATING_WORDS, Certainty, Domain, Rated
from app.analysis.statements import PATIENT_RATING, PATIENT_WORDS
from app.engine.assess import Comparison

DOMAIN_NAMES = {
    "risk_of_bias": "Risk of bias",
    "inconsistency": "Inconsistency",
    "indirectness": "Indirectness",
    "imprecision": "Imprecision",
    "publication_bias": "Publication bias",
}
MINUS = "\u2212"


@dataclass(frozen=True, slots=True)
class DomainLine:
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class CertaintyLine:
    rating: str  # the code, for the style
    rating_text: str  # "Low"
    change: str  # "from high: −1 risk of bias, −1 imprecision"
    statement: str
    href: str
    own: tuple[DomainLine, ...]  # the domains not said once for all


@dataclass(frozen=True, slots=True)
class CertaintyBlock:
    anchor: str
    shared: tuple[DomainLine, ...]
    lines: tuple[CertaintyLine, ...]


def change_text(certainty: Certainty) -> str:
    """Where it started and what rated it down: 'from high: −1 risk of bias, −2 imprecision'."""
    down = [
        f"{MINUS}{d.levels} {DOMAIN_NAMES[d.name].lower()}" for d in certainty.domains if d.levels
    ]
    if not down:
        return f"{certainty.start}; not rated down"
    return f"from {certainty.start}: {', '.join(down)}"


def _line(certainty: Certainty, href: str, own: tuple[str, ...]) -> CertaintyLine:
    rating = certainty.rating
    return CertaintyLine(
        rating=rating,
        rating_text=RATING_WORDS[rating].capitalize(),
        change=change_text(certainty),
        statement=certainty.statement,
        href=href,
        own=tuple(
            DomainLine(DOMAIN_NAMES[d.name], d.reason) for d in certainty.domains if d.name in own
        ),
    )


def block(anchor: str, rated: list[tuple[Certainty, str]]) -> CertaintyBlock | None:
    """A list of ratings, each domain said once when it reads the same for all of them."""
    if not rated:
        return None
    reasons: dict[str, set[str]] = {name: set() for name in DOMAINS}
    for certainty, _ in rated:
        for domain in certainty.domains:
            reasons[domain.name].add(domain.reason)
    shared = tuple(name for name in DOMAINS if len(reasons[name]) == 1)
    own = tuple(name for name in DOMAINS if name not in shared)
    first: dict[str, Domain] = {d.name: d for d in rated[0][0].domains}
    return CertaintyBlock(
        anchor=anchor,
        shared=tuple(DomainLine(DOMAIN_NAMES[n], first[n].reason) for n in shared),
        lines=tuple(_line(c, href, own) for c, href in rated),
    )


def comparison_block(comparison: Comparison, anchor: str) -> CertaintyBlock | None:
    """Every outcome's certainty for one comparison, linked to its row of the table."""
    rated = [
        (certainty, f"#{anchor}-{result.stats.outcome.id}")
        for result, certainty in zip(comparison.outcomes, comparison.certainty, strict=False)
        if certainty is not None
    ]
    return block(anchor, rated)


# Stands for the patient's indirectness reason in a study's block rendered at start-up: a study's
# outcomes share one indirectness, so the block depends on the patient only through its levels
# (the ratings, 'from high: −1 indirectness') and that one reason, said once above the list.
SLOT = "\u0000indirectness reason\u0000"


def study_blocks(
    study_id: str, outcomes: Sequence[OutcomeResult], rated: Sequence[Rated | None]
) -> tuple[CertaintyBlock | None, ...]:
    """A study's block at each indirectness level (0, 1, 2), its reason left as SLOT."""
    anchor = f"c-{study_id}"
    found = []
    for levels in range(3):
        indirect = Domain("indirectness", levels, SLOT)
        found.append(
            block(
                anchor,
                [
                    (r.rate(indirect), f"#{anchor}-{o.stats.outcome.id}")
                    for o, r in zip(outcomes, rated, strict=True)
                    if r is not None
                ],
            )
        )
    return tuple(found)


def filled(html: str, indirect: Domain) -> Markup:
    """A block rendered at start-up with this patient's indirectness reason in its place."""
    return Markup(str(html).replace(SLOT, str(escape(indirect.reason))))


def family_block(certainty: Certainty | None, anchor: str) -> CertaintyBlock | None:
    return None if certainty is None else block(anchor, [(certainty, f"#{anchor}")])


def patient_words(comparison: Comparison, result: OutcomeResult) -> str:
    """'How sure are we? Not very sure: the true answer could be quite different.' ('' if unrated)."""
    for candidate, certainty in zip(comparison.outcomes, comparison.certainty, strict=False):
        if candidate is result and certainty is not None:
            rating = certainty.rating
            return (
                f"How sure are we? {PATIENT_RATING[rating].capitalize()}. {PATIENT_WORDS[rating]}"
            )
    return ""


def shared_words(comparison: Comparison, results: list[OutcomeResult]) -> str:
    """One sentence for every shown outcome when they share a rating ('' when they differ)."""
    ratings = {c.rating for r in results if (c := comparison.certainty_of(r)) is not None}
    if len(ratings) != 1 or len(results) < 2:
        return ""
    (rating,) = ratings
    return (
        f"How sure are we of these results? {PATIENT_RATING[rating].capitalize()}."
        f" {PATIENT_WORDS[rating]}"
    )
