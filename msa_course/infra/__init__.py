"""Chapter 01: infrastructure. A provisioning model (demand curves, strategies, simulation),
microservices on dedicated vs shared machines, and the hosting-options table.

Model modules import only numpy; `charts` and `widgets` (plotly, ipywidgets) load on demand.
"""

from msa_course.infra.consolidation import dedicated_vs_shared, service_demands
from msa_course.infra.demand import DemandCurve, demand_curve
from msa_course.infra.provisioning import (
    NRDC_ONPREM_UTILISATION,
    Result,
    simulate,
    simulate_all,
)
from msa_course.infra.strategies import (
    Strategy,
    bare_metal_peak,
    bare_metal_percentile,
    container_autoscaled,
    default_strategies,
    private_cloud,
    vm_autoscaled,
)

__all__ = [
    "NRDC_ONPREM_UTILISATION",
    "DemandCurve",
    "Result",
    "Strategy",
    "bare_metal_peak",
    "bare_metal_percentile",
    "container_autoscaled",
    "dedicated_vs_shared",
    "default_strategies",
    "demand_curve",
    "private_cloud",
    "service_demands",
    "simulate",
    "simulate_all",
    "vm_autoscaled",
]
