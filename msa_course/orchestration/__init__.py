"""Kubernetes orchestration, simulated faithfully enough to meet the same numbers on a real cluster.

objects.py (Node, Pod, Deployment, ...), quantity.py ("250m", "256Mi"), manifests.py
(`load_manifests`: YAML validated against the Kubernetes schema), plugins.py (one scheduler
plugin on plain numbers), scheduler.py (the cluster-wide scheduler), hpa.py (the HPA's
arithmetic). The simulated cluster is shaped as Kubernetes is built: store.py (the API
server's objects), controllers/ (one module per controller), kubelet.py (probes, restarts,
back-off), kubectl.py (read-only views) and cluster.py (the event loop that drives them).
Importing this package is cheap: the validator, plotly and widgets load only inside the
functions that need them.
"""

from msa_course.orchestration.objects import (
    Container,
    Deployment,
    HorizontalPodAutoscaler,
    Node,
    Pod,
    PodTemplate,
    ReplicaSet,
)
from msa_course.orchestration.quantity import parse_quantity
from msa_course.orchestration.scheduler import Decision, PlainScheduler, Profile, Scheduler


def load_manifests(source):
    """Parse and validate Kubernetes YAML into objects (see manifests.load_manifests)."""
    from msa_course.orchestration.manifests import load_manifests as load

    return load(source)


__all__ = [
    "Container",
    "Decision",
    "Deployment",
    "HorizontalPodAutoscaler",
    "Node",
    "PlainScheduler",
    "Pod",
    "PodTemplate",
    "Profile",
    "ReplicaSet",
    "Scheduler",
    "load_manifests",
    "parse_quantity",
]
