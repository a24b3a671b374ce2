"""The chooser's factors: how each one scores every option (a model in a place), with the
reason for each point.

One function per factor, from a Workload to {(model, where): [Reason, ...]}. The operations
points count layers of the responsibility grid; all other points are the course's judgement,
and each reason says what it rests on (the source, figures.md, chapter 01, a provider's
documentation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from msa_course.cloud.options import (
    LEVELS,
    MODELS,
    OPS_LIMIT,
    SELF_RUN,
    WHERE,
    Reason,
    Workload,
    burden,
)
from msa_course.i18n import tr

Option = tuple[str, str]
Scorer = Callable[[Workload], dict[Option, list[Reason]]]


def _blocker(factor: str, text: str) -> Reason:
    """A requirement the option cannot meet: no points; it ranks below every option that fits."""
    return Reason(factor, 0, text, blocker=True)


def _everywhere(factor: str, table: dict[str, tuple[float, str]]) -> dict[Option, list[Reason]]:
    """The same reason for a model in every place."""
    return {(m, w): [Reason(factor, p, t)] for m, (p, t) in table.items() for w in WHERE}


def _architecture(w: Workload) -> dict[Option, list[Reason]]:
    if w.architecture == "monolith":
        table = {
            "iaas": (
                2,
                tr("The source: a monolith can run on VM products such as AWS EC2 or Azure VM."),
            ),
            "caas": (
                -1,
                tr(
                    "An orchestrator pays off when there are many containers; one monolith gains "
                    "little from it."
                ),
            ),
            "paas": (
                1,
                tr(
                    "A single web application deploys to a PaaS as it is, if the platform "
                    "supports its runtime."
                ),
            ),
            "faas": (
                -3,
                tr(
                    "A monolith does not split into short, stateless functions (a standard AWS "
                    "Lambda function's timeout is at most 900 s)."
                ),
            ),
        }
    else:
        table = {
            "iaas": (
                -1,
                tr(
                    "A VM per service multiplies the OS patches and library installs the "
                    "source warns about."
                ),
            ),
            "caas": (
                3,
                tr(
                    "The source: an MSA system can run on Kubernetes; containers package "
                    "small services well."
                ),
            ),
            "paas": (
                2,
                tr(
                    "The source: an MSA system can also run on container-based PaaS (Elastic "
                    "Beanstalk, ECS, Azure Web App, App Engine)."
                ),
            ),
            "faas": (1, tr("Small, event-driven services can be written as functions.")),
        }
    return _everywhere("architecture", table)


def _services(w: Workload) -> dict[Option, list[Reason]]:
    f, n = "services", w.services
    if w.architecture == "monolith":
        return {}
    if n >= 20:
        table = {
            "caas": (
                2,
                tr(
                    "{n} services: placement, discovery and rolling updates across many "
                    "containers are what an orchestrator automates (chapter 03).",
                    n=n,
                ),
            ),
            "paas": (-1, tr("{n} separate platform apps to configure and connect.", n=n)),
            "iaas": (
                -1,
                tr("{n} services on VMs managed by hand means many VMs to look after.", n=n),
            ),
        }
    elif n >= 5:
        table = {"caas": (1, tr("{n} services already benefit from an orchestrator.", n=n))}
    else:
        table = {
            "caas": (
                -1,
                tr(
                    "A cluster's fixed cost (control plane, nodes, upgrades) is large for {n} "
                    "services.",
                    n=n,
                ),
            ),
            "paas": (1, tr("{n} services map one to one onto platform apps.", n=n)),
            "faas": (1, tr("{n} small services map onto a few functions.", n=n)),
        }
    return _everywhere(f, table)


def _ops_capacity(w: Workload) -> dict[Option, list[Reason]]:
    f, level = "ops_capacity", w.ops_capacity
    limit = OPS_LIMIT[level]
    out: dict[Option, list[Reason]] = {}
    for m in MODELS:
        for where in WHERE:
            load = burden(m, where)
            if load > limit:
                text = tr(
                    "Your organisation would operate {load} of 10 layers; a team with "
                    "{level} operations capacity runs about {limit}.",
                    load=f"{load:g}",
                    level=tr(level),
                    limit=f"{limit:g}",
                )
                out[m, where] = [Reason(f, -(load - limit), text)]
            else:
                text = tr(
                    "Your organisation would operate {load} of 10 layers, within what a "
                    "team with {level} operations capacity can run.",
                    load=f"{load:g}",
                    level=tr(level),
                )
                out[m, where] = [Reason(f, 1, text)]
    if level == "none":
        no_hardware = _blocker(f, tr("No one to buy, rack and repair the servers."))
        no_patches = _blocker(
            f,
            tr(
                "No one to patch the operating systems, which this option leaves "
                "to you (the grid: operating system is yours)."
            ),
        )
        for m in MODELS:
            for where in WHERE:
                if where == "on-premises":
                    out[m, where].append(no_hardware)
                if where != "public-cloud" or m == "iaas":
                    out[m, where].append(no_patches)
    return out


def _portability(w: Workload) -> dict[Option, list[Reason]]:
    f, level = "portability", LEVELS.index(w.portability)
    if level == 0:
        return {}
    out = _everywhere(
        f,
        {
            "iaas": (1, tr("VM images and OS-level setups move between clouds with some rework.")),
            "caas": (
                2,
                tr(
                    "Kubernetes runs on every major cloud and on premises: the source's "
                    "'portable container virtualisation'. This holds for Kubernetes-based CaaS "
                    "(EKS, AKS, GKE, or a cluster you run). ECS task definitions are run by AWS's ECS "
                    "service (ECS Anywhere runs them on your servers, still controlled from AWS), "
                    "so they do not move to another cloud."
                ),
            ),
        },
    )
    for m, text in (
        ("paas", tr("Platform-specific configuration and supported runtimes make a move a port.")),
        ("faas", tr("Triggers, event formats and limits are provider-specific.")),
    ):
        penalty = -1 if m == "paas" else -2
        out[m, "public-cloud"] = [Reason(f, penalty, text)]
        for where in WHERE[1:]:
            out[m, where] = [
                Reason(
                    f,
                    0,
                    tr(
                        "Your own platform ({software}) moves with you: no provider's lock-in, "
                        "and no help from one either.",
                        software=SELF_RUN[m].split(": ")[1],
                    ),
                )
            ]
    return {k: [replace(r, points=r.points * level) for r in v] for k, v in out.items()}


def _traffic(w: Workload) -> dict[Option, list[Reason]]:
    f = "traffic"
    models = {
        "steady": {},
        "daily-cycle": {
            "caas": (1, tr("Pods scale in seconds and nodes in minutes to follow the cycle.")),
            "paas": (1, tr("The platform's autoscaling follows the cycle.")),
            "faas": (1, tr("Functions scale with the requests; no capacity to plan.")),
        },
        "spiky": {
            "iaas": (
                -1,
                tr(
                    "New VMs take tens of seconds or more to boot (figures.md §1, order of magnitude)."
                ),
            ),
            "caas": (
                1,
                tr("New containers start in about a second once nodes have room (figures.md §1)."),
            ),
            "paas": (1, tr("The platform adds instances for you.")),
            "faas": (2, tr("Functions scale per request, with no capacity planning.")),
        },
        "mostly-idle": {
            "iaas": (-1, tr("VMs run, and are paid for, while they wait.")),
            "caas": (-1, tr("A cluster's control plane and nodes run while idle.")),
            "paas": (
                1,
                tr(
                    "Some platforms scale to zero too: App Engine standard with basic scaling "
                    "shuts an idle instance down. You pay for an instance while it runs."
                ),
            ),
            "faas": (
                3,
                tr(
                    "Functions scale to zero and are billed for their requests and run time only: "
                    "idle time costs nothing."
                ),
            ),
        },
    }[w.traffic]
    places = {
        "steady": {
            "on-premises": (
                1,
                tr(
                    "Steady load keeps servers you own busy, and a busy server you own is the "
                    "cheapest capacity per core-hour (chapter 01; on-premises servers are often "
                    "far less busy, 12-18%: figures.md §6)."
                ),
            ),
        },
        "daily-cycle": {
            "public-cloud": (1, tr("You pay for capacity only in the hours you use it.")),
            "hosted-private-cloud": (
                -1,
                tr("The pool is sized for the evening peak and idles at night (chapter 01)."),
            ),
            "on-premises": (
                -1,
                tr("Servers bought for the peak sit idle at night (chapter 01)."),
            ),
        },
        "spiky": {
            "public-cloud": (
                1,
                tr("The provider has room for a spike; you pay only while it lasts."),
            ),
            "hosted-private-cloud": (
                -1,
                tr("A spike bigger than the pool waits for more servers (chapter 01)."),
            ),
            "on-premises": (
                -2,
                tr("New servers take weeks to buy (chapter 01); the spike is over by then."),
            ),
        },
        "mostly-idle": {
            "public-cloud": (1, tr("Pay-per-use prices charge little for capacity nobody uses.")),
            "hosted-private-cloud": (-2, tr("You pay for the whole pool while it waits.")),
            "on-premises": (-2, tr("Hardware you own costs money while it waits.")),
        },
    }[w.traffic]
    idle_elsewhere = Reason(
        f, 0, tr("It scales to zero, but the servers under it are yours and cost the same idle.")
    )
    out: dict[Option, list[Reason]] = {}
    for m in MODELS:
        for where in WHERE:
            found = []
            if m in models:
                points, text = models[m]
                # scaling to zero saves money only where you pay per use
                paid_anyway = w.traffic == "mostly-idle" and m in ("paas", "faas")
                if paid_anyway and where != "public-cloud":
                    found.append(idle_elsewhere)
                else:
                    found.append(Reason(f, points, text))
            if where in places:
                found.append(Reason(f, *places[where]))
            out[m, where] = found
    return out


def _os_control(w: Workload) -> dict[Option, list[Reason]]:
    f, level = "os_control", LEVELS.index(w.os_control)
    if level == 0:
        return {}
    no_own_os = _blocker(
        f,
        tr(
            "Cannot give your application its own kernel modules, drivers or OS "
            "configuration, even when your own team runs the platform."
        ),
    )
    out: dict[Option, list[Reason]] = {}
    for where in WHERE:
        out["iaas", where] = [
            Reason(
                f,
                level,
                tr(
                    "You choose and configure the guest OS (NIST: 'deploy and run arbitrary "
                    "software, which can include operating systems')."
                ),
            )
        ]
        if level >= 2:
            if where == "public-cloud":
                out["caas", where] = [
                    Reason(
                        f,
                        -(level - 1),
                        tr(
                            "Containers share the node's kernel, and the provider chooses the "
                            "node images unless you manage the nodes yourself."
                        ),
                    )
                ]
            else:
                out["caas", where] = [
                    Reason(
                        f,
                        0,
                        tr(
                            "Containers share the node's kernel, but the nodes are yours: you can "
                            "prepare their kernel and OS."
                        ),
                    )
                ]
        for m, text in (
            ("paas", tr("The platform gives your application no OS of its own to change.")),
            ("faas", tr("Functions run on the platform's OS, with no access to it.")),
        ):
            out[m, where] = [Reason(f, -level, text)]
            if w.os_control == "high":
                out[m, where].append(no_own_os)
    return out


def _placement(w: Workload) -> dict[Option, list[Reason]]:
    f = "placement"
    if w.placement == "anywhere":
        unasked = {
            "hosted-private-cloud": tr(
                "Servers for you alone cost more than the same capacity "
                "shared, and nothing here requires them."
            ),
            "on-premises": tr(
                "Buying and running your own servers is a commitment nothing here requires."
            ),
        }
        return {(m, where): [Reason(f, -1, t)] for where, t in unasked.items() for m in MODELS}
    blocked = {
        "public-cloud": tr(
            "A public cloud runs many customers on shared hardware (NIST: 'open "
            "use by the general public'). (Public clouds also rent dedicated hosts; the chooser "
            "counts hardware for you alone as a hosted private cloud.)"
        ),
    }
    if w.placement == "on premises":
        blocked = {
            "public-cloud": tr(
                "A public cloud runs in the provider's data centres, not in your building."
            ),
            "hosted-private-cloud": tr(
                "A hosted private cloud runs in the hosting provider's "
                "data centre, not in your building."
            ),
        }
    out: dict[Option, list[Reason]] = {}
    for where in WHERE:
        for m in MODELS:
            if where in blocked:
                out[m, where] = [_blocker(f, blocked[where])]
            else:
                out[m, where] = [
                    Reason(f, 0, tr("Meets the rule: {placement}.", placement=tr(w.placement)))
                ]
    return out


SCORERS: tuple[Scorer, ...] = (
    _architecture,
    _services,
    _ops_capacity,
    _portability,
    _traffic,
    _os_control,
    _placement,
)
