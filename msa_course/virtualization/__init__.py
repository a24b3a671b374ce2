"""Chapter 02, part one: hypervisors vs containers, density on one host, start-up time, what
isolates a container (`kernel`: namespaces and cgroups) and where an image runs (`platforms`).

Model only (no plotly or widgets here); views live in `charts` and `widgets`.
"""

from msa_course.virtualization.density import (
    LAUNCH_RATE,
    Density,
    Host,
    Service,
    cold_start_s,
    compare,
    fit,
)
from msa_course.virtualization.stacks import ISOLATIONS, STACKS, Figure, Isolation, Layer, Stack

__all__ = [
    "ISOLATIONS",
    "LAUNCH_RATE",
    "STACKS",
    "Density",
    "Figure",
    "Host",
    "Isolation",
    "Layer",
    "Service",
    "Stack",
    "cold_start_s",
    "compare",
    "fit",
]
