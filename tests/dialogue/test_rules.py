"""The strategy rules as data: every rule explains itself, cites a known source, reads facts
that exist, and moves its rating as it says."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from backchannel.actors.analysis import analyse_case
from backchannel.casefile import load_case
from backchannel.dialogue.conditions import assess_readiness
from backchannel.dialogue.facts import case_facts
from backchannel.dialogue.inputs import StrategyInputs
from backchannel.dialogue.risks import rate_risks
from backchannel.dialogue.rules import FILES, citation_problems, load_dialogue_rules
from backchannel.errors import InvalidInputError
from backchannel.risk.assessment import assess_case
from backchannel.rulefiles.clauses import Clause
from tests.conftest import EXAMPLES

RULES = load_dialogue_rules()


def _rules_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    packaged = resources.files("backchannel").joinpath("data/rules")
    for name in FILES.values():
        (folder / name).write_text(packaged.joinpath(name).read_text("utf-8"), encoding="utf-8")
    return folder


def test_every_rule_has_a_description_and_known_sources() -> None:
    assert citation_problems(RULES) == []
    cited = RULES.cited_rules()
    assert len(cited) > 60
    for location, rule in cited:
        assert rule.sources, location
        text = (
            getattr(rule, "description", None)
            or getattr(rule, "text", None)
            or getattr(rule, "action", None)
            or getattr(rule, "name", None)
        )
        assert text and text.strip(), f"{location} says nothing"


def test_the_conditions_cover_counterpart_situation_and_own_readiness() -> None:
    ids = {c.id for c in RULES.conditions.conditions}
    assert ids >= {
        "cohesion",
        "interest_in_talks",
        "access_channel",
        "trust",
        "leverage",
        "legitimacy",
        "spoilers",
        "security",
        "legal_clearance",
        "mandate",
        "expertise",
        "impartiality",
        "red_lines",
        "exit_strategy",
        "resources",
        "discretion",
    }
    own = {c.id for c in RULES.conditions.conditions if c.group == "own"}
    assert own == {
        "mandate",
        "expertise",
        "impartiality",
        "red_lines",
        "exit_strategy",
        "resources",
        "discretion",
    }


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        (
            "modality.yaml",
            lambda d: d["rules"][0].pop("sources"),
            "Field required",
        ),
        (
            "modality.yaml",
            lambda d: d["rules"][0].__setitem__("description", ""),
            "at least 1 character",
        ),
        (
            "engagement_risks.yaml",
            lambda d: d["risks"][0]["sources"][0].__setitem__("id", "no-such-work"),
            "cites unknown source 'no-such-work'",
        ),
        (
            "conditions.yaml",
            lambda d: d["conditions"][0].__setitem__("signals", ["no_such_signal"]),
            "unknown signal 'no_such_signal'",
        ),
        (
            "signals.yaml",
            lambda d: d["signals"][0].pop("basis"),
            "Field required",
        ),
        (
            "facts.yaml",
            lambda d: d["values"]["alert_window_days"].pop("basis"),
            "Field required",
        ),
        (
            "modality.yaml",
            lambda d: d["rules"][0]["when"].__setitem__(0, {"fact": "stage", "is": 1, "in": [1]}),
            "exactly one test",
        ),
    ],
    ids=[
        "no sources",
        "empty description",
        "unknown source",
        "unknown signal",
        "signal without basis",
        "window without basis",
        "two tests",
    ],
)
def test_a_rule_that_does_not_explain_itself_is_refused(
    tmp_path: Path, file: str, edit: Any, message: str
) -> None:
    folder = _rules_folder(tmp_path)
    document = yaml.safe_load((folder / file).read_text(encoding="utf-8"))
    edit(document)
    (folder / file).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with pytest.raises(InvalidInputError) as caught:
        load_dialogue_rules(folder)
    assert message in str(caught.value) and file in str(caught.value)


def _clauses() -> list[tuple[str, Clause]]:
    found: list[tuple[str, Clause]] = []
    for rule in RULES.modality.rules:
        found += [(rule.id, c) for c in rule.when]
    for risk in RULES.risks.risks:
        for adjustment in risk.adjust:
            found += [(adjustment.id, c) for c in adjustment.when]
    for section in ("objectives", "safeguards", "exit_criteria", "red_lines"):
        for item in getattr(RULES.plan, section):
            found += [(item.id, c) for c in [*item.when, *item.met_when]]
    return found


def test_every_fact_a_rule_reads_is_produced() -> None:
    case = load_case(EXAMPLES / "somalia-2011.yaml")
    day = case.context.period.end
    assert day is not None
    inputs = StrategyInputs(case, day, analyse_case(case, day), stage=assess_case(case, day))
    readiness = assess_readiness(RULES.conditions, RULES.signals, inputs)
    facts = case_facts(inputs, readiness, RULES.facts)
    facts.update({f"risk.{r.id}.level": r.level for r in rate_risks(RULES.risks, facts)})
    unknown = {(rule, c.fact) for rule, c in _clauses() if c.fact not in facts}
    for risk in RULES.risks.risks:
        for adjustment in risk.adjust:
            for name in re.findall(r"\{([^}]+)\}", adjustment.reason):
                if name not in facts:
                    unknown.add((adjustment.id, name))
    for item in RULES.plan.exit_criteria:
        for name in re.findall(r"\{([^}]+)\}", item.evidence or ""):
            if name not in facts:
                unknown.add((item.id, name))
    assert unknown == set(), "rules read facts that nothing produces (a typo never fires)"


def _satisfying(clause: Clause) -> Any:
    if clause.is_ is not None:
        return clause.is_
    if clause.in_ is not None:
        return clause.in_[0]
    if clause.at_least is not None:
        return clause.at_least
    if clause.below is not None:
        return clause.below - 0.01
    raise AssertionError(f"no satisfying value for {clause}")


@pytest.mark.parametrize(
    ("risk_id", "adjustment_id"),
    [(r.id, a.id) for r in RULES.risks.risks for a in r.adjust],
)
def test_each_risk_adjustment_moves_the_rating_it_names(risk_id: str, adjustment_id: str) -> None:
    risk = next(r for r in RULES.risks.risks if r.id == risk_id)
    adjustment = next(a for a in risk.adjust if a.id == adjustment_id)
    only = risk.model_copy(update={"adjust": [adjustment]})
    rules = RULES.risks.model_copy(update={"risks": [only]})
    facts = {c.fact: _satisfying(c) for c in adjustment.when}
    for name in re.findall(r"\{([^}]+)\}", adjustment.reason):
        facts.setdefault(name, "a value")
    [fired] = rate_risks(rules, facts)
    [quiet] = rate_risks(rules, {})
    assert (quiet.likelihood, quiet.impact) == (risk.likelihood, risk.impact)
    assert fired.likelihood == min(3, risk.likelihood + adjustment.likelihood)
    assert fired.impact == min(3, risk.impact + adjustment.impact)
    assert [a.rule for a in fired.rules_fired] == [adjustment_id]
    assert "{" not in fired.rules_fired[0].reason, "every placeholder of the reason is filled"


def test_every_modality_is_reachable() -> None:
    assert {r.modality for r in RULES.modality.rules} == set(RULES.modality.modalities)


def test_every_signal_is_described_with_the_basis_of_its_numbers() -> None:
    from backchannel.dialogue.signals import SIGNALS

    assert {s.id for s in RULES.signals.signals} == set(SIGNALS)
    for signal in RULES.signals.signals:
        assert signal.basis.strip() and signal.description.strip(), signal.id
    for name, value in RULES.facts.values.items():
        assert value.basis.strip(), name
    assert RULES.conditions.levels.basis.strip()


def test_only_signals_of_our_own_ties_and_records_may_raise_a_condition() -> None:
    direct = {s.id for s in RULES.signals.signals if s.direct}
    assert direct == {
        "own_channel",
        "own_channel_trust",
        "mandate_record",
        "mandate_lapse",
        "red_lines_record",
    }


def test_a_number_in_signals_yaml_is_what_the_engine_uses(tmp_path: Path) -> None:
    """Lowering the score of an 'ambivalent' stance in the file lowers the condition."""
    folder = _rules_folder(tmp_path)
    document = yaml.safe_load((folder / "signals.yaml").read_text(encoding="utf-8"))
    stance = next(s for s in document["signals"] if s["id"] == "counterpart_stance")
    stance["values"]["ambivalent"] = 0.05
    (folder / "signals.yaml").write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
    changed = load_dialogue_rules(folder)
    case = load_case(EXAMPLES / "somalia-2011.yaml")
    day = case.context.period.end
    assert day is not None
    inputs = StrategyInputs(case, day, analyse_case(case, day))
    before = assess_readiness(RULES.conditions, RULES.signals, inputs)
    after = assess_readiness(changed.conditions, changed.signals, inputs)
    stance_before = next(
        s for s in before.condition("interest_in_talks").signals if s.signal == "counterpart_stance"
    )
    stance_after = next(
        s for s in after.condition("interest_in_talks").signals if s.signal == "counterpart_stance"
    )
    assert (stance_before.score, stance_after.score) == (0.5, 0.05)


def test_packaged_rules_are_read_once() -> None:
    assert load_dialogue_rules() is load_dialogue_rules()
