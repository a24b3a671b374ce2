"""Choose where to run a workload and on which service model, each option with its reasons.

Two separate choices: *which model* (IaaS, CaaS, PaaS, FaaS) and *where* it runs (a public
cloud, a hosted private cloud, or on premises). Any model can run in any place: CaaS on
premises is a Kubernetes cluster you run yourself (kubeadm, OpenShift, EKS Anywhere), IaaS on
premises is a private cloud (OpenStack, VMware vSphere). What the place changes is who runs the
layers below the model (`burden`), what the hardware costs while it waits, and which rules it
can meet.

Deterministic and explainable: every point an option gets is a `Reason` naming the factor it
comes from, an option's score is the sum of its reasons' points, and requirements an option
cannot meet are blockers. Options are ranked by (number of blockers, -score, how much of the
stack you would operate, MODELS order, WHERE order), so an option that meets every
requirement always ranks above one that does not, and ties go to the option that leaves you
less to run.

The operations burden comes from the responsibility grid (`responsibility.burden`). The other
points are the course's judgement, not measurements: each reason says what it rests on (the
source text, figures.md, chapter 01's provisioning model, a provider's documentation).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from msa_course.cloud.factors import SCORERS, Option
from msa_course.cloud.options import (  # noqa: F401  (the chooser's public names)
    ARCHITECTURES,
    FACTOR_LABELS,
    FACTORS,
    LEVELS,
    MODELS,
    PLACEMENTS,
    SELF_RUN,
    TRAFFIC,
    WHERE,
    WHERE_NAMES,
    Reason,
    Workload,
    burden,
    check_option,
    one_of,
    option_name,
)
from msa_course.i18n import tr


@dataclass(frozen=True)
class Verdict:
    """One option (a model in a place) with its reasons."""

    model: str
    where: str
    reasons: tuple[Reason, ...]

    @property
    def option(self) -> tuple[str, str]:
        return self.model, self.where

    @property
    def name(self) -> str:
        return option_name(self.model, self.where)

    @property
    def score(self) -> float:
        return sum(r.points for r in self.reasons)

    @property
    def blockers(self) -> list[Reason]:
        return [r for r in self.reasons if r.blocker]

    @property
    def fits(self) -> bool:
        """True when no requirement rules the option out."""
        return not self.blockers

    def points(self, factor: str) -> float:
        return sum(r.points for r in self.reasons if r.factor == factor)

    def supporting_factors(self) -> list[str]:
        """Factors that argue for this option (positive points), in FACTORS order."""
        return [f for f in FACTORS if self.points(f) > 0]

    def _key(self) -> tuple:
        return (
            len(self.blockers),
            -self.score,
            burden(self.model, self.where),
            MODELS.index(self.model),
            WHERE.index(self.where),
        )


@dataclass(frozen=True)
class Ranking:
    workload: Workload
    verdicts: tuple[Verdict, ...]  # best first

    @property
    def order(self) -> list[tuple[str, str]]:
        return [v.option for v in self.verdicts]

    @property
    def best(self) -> Verdict:
        return self.verdicts[0]

    def verdict(self, model: str, where: str) -> Verdict:
        check_option(model, where)
        return next(v for v in self.verdicts if v.option == (model, where))

    def rank(self, model: str, where: str) -> int:
        """1 for the best option."""
        return self.order.index(self.verdict(model, where).option) + 1

    def best_in(self, where: str) -> Verdict:
        """The best option in one place."""
        one_of("where", where, WHERE)
        return next(v for v in self.verdicts if v.where == where)

    def rivals(self) -> tuple[Verdict, Verdict]:
        """The best other model in the best option's place, and the best option elsewhere:
        what the best must beat on *which model* and on *where*."""
        best, others = self.best, self.verdicts[1:]
        same_place = next(v for v in others if v.where == best.where)
        elsewhere = next(v for v in others if v.where != best.where)
        return same_place, elsewhere

    def decisive_factors(self) -> list[str]:
        """Factors on which the best option beats a rival (more points, or the rival is
        blocked there and the best is not), in FACTORS order."""
        best, found = self.best, set()
        for rival in self.rivals():
            blocked = {r.factor for r in rival.blockers} - {r.factor for r in best.blockers}
            found |= {f for f in FACTORS if best.points(f) > rival.points(f) or f in blocked}
        return [f for f in FACTORS if f in found]

    def explain(self, top: int | None = None) -> str:
        """The ranking as plain text: each option (or the `top` best) with its score,
        blockers and reasons."""
        lines = []
        if not self.best.fits:
            lines.append(tr("No option meets every requirement; the least blocked come first."))
        for i, v in enumerate(self.verdicts[:top], start=1):
            score = f"{v.score:+g}"
            lines.append(
                tr("{rank}. {name}: score {score}, fits", rank=i, name=v.name, score=score)
                if v.fits
                else tr(
                    "{rank}. {name}: score {score}, blocked ({count})",
                    rank=i,
                    name=v.name,
                    score=score,
                    count=len(v.blockers),
                )
            )
            for r in v.reasons:
                mark = tr("BLOCKER") if r.blocker else f"{r.points:+g}"
                lines.append(f"     [{mark}] {r.factor}: {r.text}")
        return "\n".join(lines)


def choose(workload: Workload | None = None, **fields_) -> Ranking:
    """Rank every option (model x where) for `workload`, or a Workload built from keywords."""
    if workload is None:
        allowed = {f.name for f in fields(Workload)}
        unknown = sorted(set(fields_) - allowed)
        if unknown:
            raise ValueError(f"unknown workload field(s) {unknown}; allowed: {sorted(allowed)}")
        workload = Workload(**fields_)
    elif fields_:
        raise ValueError("pass either a Workload or keyword fields, not both")
    reasons: dict[Option, list[Reason]] = {(m, w): [] for m in MODELS for w in WHERE}
    for scorer in SCORERS:
        for option, found in scorer(workload).items():
            reasons[option].extend(found)
    verdicts = sorted(
        (Verdict(m, w, tuple(rs)) for (m, w), rs in reasons.items()), key=Verdict._key
    )
    return Ranking(workload, tuple(verdicts))


def justification_problems(answer, ranking: Ranking) -> list[str]:
    """What is wrong with a learner's {"model": ..., "where": ..., "because": [factor, ...]}.

    A justification holds when the option is the ranking's best, it names at least two
    distinct factors (names from FACTORS), each argues for that option (positive points, or a
    factor it beats a rival on), and at least one is decisive: the best option beats a rival
    on it (`Ranking.rivals`). An empty list means the answer holds.
    """
    keys = {"model", "where", "because"}
    if not isinstance(answer, dict) or set(answer) != keys:
        return [
            tr('the answer must be a dict with exactly the keys "model", "where" and "because"')
        ]
    model, where, because = answer["model"], answer["where"], answer["because"]
    if model not in MODELS:
        return [
            tr("model must be one of {allowed}, got {value}", allowed=MODELS, value=repr(model))
        ]
    if where not in WHERE:
        return [tr("where must be one of {allowed}, got {value}", allowed=WHERE, value=repr(where))]
    if not isinstance(because, list) or not all(isinstance(f, str) for f in because):
        return [tr('"because" must be a list of factor names (strings)')]
    problems = []
    unknown = [f for f in because if f not in FACTORS]
    if unknown:
        problems.append(
            tr(
                "unknown factor(s) {unknown}; use names from {factors}",
                unknown=unknown,
                factors=FACTORS,
            )
        )
    if len(set(because)) < 2:
        problems.append(tr("name at least two different factors"))
    best = ranking.best
    if (model, where) != best.option:
        problems.append(
            tr(
                "{option} is not the best fit here: reread the blockers and the operations burden",
                option=option_name(model, where),
            )
        )
        return problems
    decisive = ranking.decisive_factors()
    against = [
        f
        for f in because
        if f in FACTORS and f not in best.supporting_factors() and f not in decisive
    ]
    if against:
        problems.append(
            tr("{factors} do(es) not argue for {option} here", factors=against, option=best.name)
        )
    if not set(because) & set(decisive):
        problems.append(
            tr(
                "name at least one factor that sets {option} apart from the other models in "
                "its place or from the other places",
                option=best.name,
            )
        )
    return problems
