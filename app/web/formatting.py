"""Words, links and number formatting shared by every page (no Flask).

Anchors on /evidence/<study_id>:
    o-<outcome>            the outcome: definition sentence, every figure, computed statistics
    o-<outcome>-<arm>      one arm's published figures and source sentence ("overall" for pooled)
    o-<outcome>-p          the published between-group P value
    o-<outcome>-effect-<n> the n-th published ratio (1-based)
    audit-<outcome>        the outcome's reproduction audit; audit-study for study-level figures
    crit-<field>, arms, arm-<arm>, fact-<n>, caveat-<code>, note-<n>, src-<source>
On the results page each comparison is a section with id c-<study_id>; the results are at #results.
"""

from __future__ import annotations

from app.analysis import stats
from app.analysis.headline import DifferenceLead
from app.analysis.outcomes import ArmStats
from app.contract import vocabulary
from app.contract.scenario import FIELDS
from app.evidence.model import ArmResult, Effect, Printed

# --- words ------------------------------------------------------------------------------------------

FIELD_LABELS = {f.name: f.label for f in FIELDS}
SETTING_SHORT = {code: term.short for code, term in vocabulary.SETTINGS.items()}
DESIGN_LABELS = vocabulary.clinician(vocabulary.DESIGNS)
TREATMENT_LABELS = vocabulary.clinician(vocabulary.TREATMENTS)
SOURCE_KIND_WORDS = {
    "primary": "primary source",
    "secondary": "secondary source",
    "project_note": "project note",
}
STATUS_WORDS = vocabulary.clinician(vocabulary.STATUSES)
CRITERION_STATUS_WORDS = vocabulary.clinician(vocabulary.CRITERION_STATUSES)
AUDIT_STATUS_WORDS = {
    "agrees": "yes",
    "not_reproduced": "NO",
    "method_differs": "method differs",
    "not_recomputable": "not recomputable",
}
KIND_WORDS = {
    "binary": "events per group",
    "kaplan_meier": "Kaplan-Meier estimate",
    "adjusted_effect": "adjusted effect only",
    "narrative": "statement without numbers",
}
EVENT_WORDS = {"harmful": "harm", "beneficial": "benefit"}
RATIO_NAMES = {
    "risk_ratio": "RR",
    "odds_ratio": "OR",
    "hazard_ratio": "HR",
    "risk_difference": "difference in percentage points",
}
DERIVED_WORDS = {"events": "events", "total": "denominator", "n": "group size"}
METHOD_WORDS = {
    "clopper-pearson": "exact two-sided Clopper-Pearson 95% CI",
    "wilson-score": "Wilson score 95% CI",
    "newcombe-hybrid-score": "Newcombe hybrid score 95% CI (method 10)",
    "katz-log": "Katz log 95% CI",
    "woolf-log": "Woolf log 95% CI",
    "fisher-exact": "two-sided Fisher exact test",
    "altman-1998": "Altman (BMJ 1998), shown rounded up to whole numbers",
    "km-difference-normal": "normal approximation from the printed standard errors",
}
# Signals already shown in their own form in a row: the design (and so "not randomized") in the
# participants column and the study's warnings, derived values as "derived" notes, disagreeing audit
# items one by one, printed percentages without group sizes in the cells that say so, and a
# statement in place of figures in its own cell. "observational" and "small_numbers" say what the
# certainty's start and imprecision say (results page).
SIGNALS_SHOWN_ELSEWHERE = frozenset(
    {
        "design",
        "observational",
        "small_numbers",
        "no_counts",
        "no_numbers",
        "derived_counts",
        "published_figure_not_reproduced",
    }
)
TRI_STATE_WORDS = vocabulary.TRI_STATE
DISCLAIMER = "This tool presents evidence; it does not recommend a treatment."
INTENDED_USE_LINE = (
    "For neurointerventionalists and stroke clinicians: describe the patient and the options being"
    " weighed to see what published studies report, with each number linked to its source sentence."
)
MINUS = "\u2212"
EN_DASH = "\u2013"
EM_DASH = "\u2014"


def said_in_label(label: str, timeframe: str) -> bool:
    """Say whether a label already names its time frame ('... (median follow-up 32.4 months)').

    The Lancet's decimal mark (a middle dot) and a full stop count as the same.
    """

    def plain(text: str) -> str:
        return text.replace("\u00b7", ".").lower()

    return bool(timeframe) and plain(timeframe) in plain(label)


def label_time(label: str, timeframe: str) -> str:
    """The time frame to print after a label: '' when the label already says it."""
    return "" if said_in_label(label, timeframe) else timeframe


# --- anchors and links ------------------------------------------------------------------------------


def evidence_href(study_id: str, anchor: str = "") -> str:
    """Return the address of a study's evidence page, optionally at one anchor."""
    return f"/evidence/{study_id}" + (f"#{anchor}" if anchor else "")


def outcome_anchor(outcome_id: str, part: str = "") -> str:
    return f"o-{outcome_id}" + (f"-{part}" if part else "")


def audit_anchor(outcome_id: str) -> str:
    return f"audit-{outcome_id}"


# --- number formatting ------------------------------------------------------------------------------


def percent(fraction: float, decimals: int = 1) -> str:
    """Format a fraction as a percent: 0.0943 -> '9.4%'."""
    return f"{100 * fraction:.{decimals}f}%"


def _signed(number: float, decimals: int = 1) -> str:
    """Format with an explicit sign (a true minus sign); a value that rounds to zero has none."""
    text = f"{abs(number):.{decimals}f}"
    if float(text) == 0:
        return text
    return ("+" if number > 0 else MINUS) + text


def risk_text(arm: ArmStats) -> str:
    """An arm's event rate with its exact 95% CI and counts: '9.4% (3.1–20.7) · 5/53'."""
    rate = arm.rate
    return (
        f"{percent(rate.value)} ({100 * rate.lower:.1f}{EN_DASH}{100 * rate.upper:.1f})"
        f" · {arm.events}/{arm.total}"
    )


def difference_text(difference: stats.Interval) -> str:
    """A difference of two proportions in percentage points: '+14.7 pp (+0.5 to +28.2)'."""
    return (
        f"{_signed(100 * difference.value)} pp"
        f" ({_signed(100 * difference.lower)} to {_signed(100 * difference.upper)})"
    )


def lead_difference_text(lead: DifferenceLead) -> str:
    """The leading difference: the crude one as computed, a printed one marked (and if reversed, said)."""
    if lead.effect is None:
        return difference_text(lead.difference)
    reversed_ = lead.effect.direction == "comparator_vs_intervention"
    return f"Published {difference_text(lead.difference)}" + (
        " (printed comparator − intervention, sign reversed)" if reversed_ else ""
    )


def ratio_text(name: str, ratio: stats.Interval | stats.Undefined | None, decimals: int = 2) -> str:
    """A crude ratio with its CI ('RR 2.56 (0.99–6.62)'), or why it cannot be estimated."""
    if isinstance(ratio, stats.Undefined):
        return f"{name} not estimable: {ratio.reason}"
    if ratio is None:
        return f"{name} not estimable: no counts per group"
    return (
        f"{name} {ratio.value:.{decimals}f}"
        f" ({ratio.lower:.{decimals}f}{EN_DASH}{ratio.upper:.{decimals}f})"
    )


def nnt_text(nnt: stats.NNT | None) -> str:
    """Altman's notation exactly as the statistics core wrote it."""
    return nnt.text if nnt is not None else "not calculated: no counts per group"


def p_value_text(p: stats.PValue) -> str:
    """A computed P value: 'P = 0.046', or 'P < 0.001'."""
    return "P < 0.001" if p.value < 0.001 else f"P = {p.value:.3f}"


def printed_p_text(p: Printed) -> str:
    """A published P value as printed: 'P = .05', 'P < 0.001'."""
    return f"P {p.bound} {p.text[1:]}" if p.bound else f"P = {p.text}"


def participants_text(count: int | None, unit: str, design: str, *, analysed: bool = True) -> str:
    """The GRADE participants column: '111 patients (1 randomized trial)'."""
    study = f"1 {DESIGN_LABELS[design]}"
    if count is None:
        return f"group sizes not given ({study})"
    if analysed:
        return f"{count} {unit} ({study})"
    return f"{count} {unit} in the study; number analysed not stated ({study})"


def survival_text(result: ArmResult) -> str:
    """A printed Kaplan-Meier estimate: 'Survival 92% ± 4 (SE)' or 'Kaplan-Meier event rate 20.0%'."""
    if result.event_rate is not None:
        return f"Kaplan-Meier event rate {result.event_rate.text}% (no SE printed)"
    assert result.survival is not None
    if result.se is None:
        return f"Survival {result.survival.text}% (no SE printed)"
    return f"Survival {result.survival.text}% ± {result.se.text} (SE)"


def effect_label(effect: Effect) -> str:
    """Name a published ratio with what it was adjusted for and its direction, where it matters."""
    name = RATIO_NAMES[effect.type]
    details = []
    if effect.adjustment != "not stated":
        name = f"adjusted {name}"
        details.append(effect.adjustment)
    else:
        details.append("adjustment not stated")
    if effect.direction == "not_stated":
        details.append("reference group not stated")
    elif effect.direction == "comparator_vs_intervention":
        details.append("comparator vs intervention")
    return f"{name} ({'; '.join(details)})"


def effect_text(effect: Effect) -> str:
    """A published ratio as printed: 'adjusted OR (inverse probability weighting) 1.10 (0.62–1.96); P = 0.75'."""
    # A difference's limits may be negative: "to" reads better than a dash between them.
    sep = " to " if effect.type == "risk_difference" else EN_DASH
    text = f"{effect_label(effect)} {effect.estimate.text} ({effect.ci[0].text}{sep}{effect.ci[1].text})"
    if effect.p is not None:
        text += f"; {printed_p_text(effect.p)}"
    if effect.i2 is not None:
        text += f"; I\u00b2 {effect.i2.text}%"
    return text


def published_arm_text(result: ArmResult) -> str:
    """An arm's figures as the source prints them (counts, percent, CI, survival)."""
    parts = []
    if result.events is not None and result.total is not None:
        parts.append(f"{result.events}/{result.total}")
    elif result.events is not None:
        parts.append(f"{result.events} events")
    if result.percent is not None:
        parts.append(f"{result.percent.text}%")
    if result.ci is not None:
        parts.append(f"95% CI {result.ci[0].text}{EN_DASH}{result.ci[1].text}%")
    if result.survival is not None or result.event_rate is not None:
        parts.append(survival_text(result))
    return "; ".join(parts) if parts else "no figures"
