"""Environment parity: the same image digest in every environment vs servers that drift.

The seed's reusability benefit (재사용성): one environment reused for development, test,
staging and production. Three ways to get software into four environments, set up one after
another `days_between` days apart:

- "promote one image": build once, run the same digest everywhere;
- "rebuild per environment": run `docker build` again in each one, picking up whatever the
  base image and package repositories hold that day;
- "hand-built servers": install by hand on each day, then patch servers one at a time. There
  is no image, so there is no digest to compare: only the versions installed on each server.

Upstream releases and manual patches are random events (a seeded simulation, not data):
`release_prob` per component per day, `drift_prob` per server per component per day.
Names are English data marked N_; the views translate them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from msa_course.i18n import N_

ENVIRONMENTS = (N_("dev"), N_("test"), N_("staging"), N_("prod"))
COMPONENTS = (N_("base OS"), "openssl", "python", N_("web framework"), N_("your app"))
STRATEGIES = (
    N_("promote one image"),
    N_("rebuild per environment"),
    N_("hand-built servers"),
)


@dataclass(frozen=True)
class Environment:
    """What one environment runs: a version per component and, when it runs an image, the
    image's digest (a stand-in: sha256 of the versions, not of real layers)."""

    name: str
    versions: dict[str, str]
    image: bool = True

    @property
    def digest(self) -> str | None:
        if not self.image:
            return None  # a server set up by hand has no image, so no digest
        text = "\n".join(f"{k}={v}" for k, v in sorted(self.versions.items()))
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Parity:
    strategies: dict[str, tuple[Environment, ...]]
    observed_day: int

    def differences(self, strategy: str) -> dict[str, list[str]]:
        """Environment -> the components whose version differs from dev's."""
        envs = self.strategies[strategy]
        dev = envs[0].versions
        return {e.name: [c for c in COMPONENTS if e.versions[c] != dev[c]] for e in envs}

    def identical(self, strategy: str) -> bool:
        """Do all four environments run the same versions of everything?"""
        return len({tuple(sorted(e.versions.items())) for e in self.strategies[strategy]}) == 1


def simulate(
    days_between: int = 7, release_prob: float = 0.05, drift_prob: float = 0.01, seed: int = 0
) -> Parity:
    """Set up dev, test, staging, prod `days_between` days apart; look at them a period later."""
    if (
        isinstance(days_between, bool)
        or not isinstance(days_between, int)
        or not 0 <= days_between <= 365
    ):
        raise ValueError(f"days_between must be a whole number from 0 to 365, got {days_between!r}")
    for name, p in (("release_prob", release_prob), ("drift_prob", drift_prob)):
        if not 0 <= p <= 1:
            raise ValueError(f"{name} must be a probability between 0 and 1, got {p}")
    rng = np.random.default_rng(seed)
    n_env, n_comp = len(ENVIRONMENTS), len(COMPONENTS)
    horizon = days_between * n_env + 1
    releases = rng.random((horizon, n_comp)) < release_prob
    releases[:, COMPONENTS.index("your app")] = False  # every strategy deploys the same app build
    upstream = np.cumsum(releases, axis=0)  # upstream release count per day
    patches = rng.random((n_env, horizon, n_comp)) < drift_prob
    built = [i * days_between for i in range(n_env)]
    out: dict[str, tuple[Environment, ...]] = {}
    for strategy in STRATEGIES:
        envs = []
        for i, env in enumerate(ENVIRONMENTS):
            day = 0 if strategy == "promote one image" else built[i]
            versions = {}
            for c, comp in enumerate(COMPONENTS):
                version = f"1.{int(upstream[day, c])}"
                if strategy == "hand-built servers" and comp != "your app":
                    local = int(patches[i, built[i] + 1 :, c].sum())
                    version += f"+patch{local}" if local else ""
                versions[comp] = version
            envs.append(Environment(env, versions, image=strategy != "hand-built servers"))
        out[strategy] = tuple(envs)
    return Parity(out, horizon - 1)
