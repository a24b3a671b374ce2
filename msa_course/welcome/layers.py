"""The layer path of the source text, bottom to top, with the chapter that covers each layer.

Source (seed): Chris Richardson groups microservice patterns into infrastructure, application
infrastructure and application patterns; a developer builds the infrastructure first, then the
middleware (whose role the platform takes over), then the application.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layer:
    name: str
    korean: str
    group: str  # the source's three groups
    contains: str
    chapter: str | None  # course chapter notebook stem, or None when beyond this course


GROUPS = ("infrastructure components", "platform patterns", "application patterns")

# Bottom to top, as a system is built.
LAYERS: tuple[Layer, ...] = (
    Layer(
        "Bare metal and cloud",
        "베어 메탈 / 클라우드",
        GROUPS[0],
        "Hardware, networking, operating systems and storage; bought as bare metal or rented "
        "virtualised from a public or private cloud.",
        "01_infrastructure",
    ),
    Layer(
        "VMs and containers",
        "VM과 컨테이너",
        GROUPS[0],
        "Hypervisors run many operating systems on one machine; container engines isolate "
        "processes on one kernel. Docker images are stacks of layers.",
        "02_vms_and_containers",
    ),
    Layer(
        "Container orchestration",
        "컨테이너 오케스트레이션",
        GROUPS[0],
        "Kubernetes places containers on nodes, heals failures and scales replicas.",
        "03_container_orchestration",
    ),
    Layer(
        "Cloud service models",
        "클라우드 서비스 유형",
        GROUPS[0],
        "IaaS, CaaS and PaaS: how much of the stack a provider runs for you.",
        "04_cloud_service_models",
    ),
    Layer(
        "Platform (middleware)",
        "플랫폼",
        GROUPS[1],
        "Patterns that run and manage microservices on the infrastructure: service discovery, "
        "API gateway, configuration, observability. The platform takes over middleware's role.",
        None,
    ),
    Layer(
        "Application",
        "애플리케이션",
        GROUPS[2],
        "Patterns for the services themselves: decomposition, data per service, sagas.",
        None,
    ),
)


def layer(name: str) -> Layer:
    """Look a layer up by name; the error lists the valid names."""
    for item in LAYERS:
        if item.name == name:
            return item
    raise ValueError(f"layer must be one of {[x.name for x in LAYERS]}, not {name!r}")
