"""The numbers chapters 01 to 03 quote in their text are what the model computes.

A Notice or a worked paragraph quotes results ("72 full VMs", "$78,088 a year"); if a model
default changes, the text would silently stop matching the chart beside it. Each test computes
the figures and checks that the chapter's own cell says them.
"""

from __future__ import annotations

import json

from helpers import ROOT

from msa_course import infra
from msa_course.infra import consolidation
from msa_course.virtualization import ISOLATIONS, STACKS, Host, Service, compare, fit


def _cell(chapter: str, cell_id: str) -> str:
    """The text of one cell (whitespace collapsed, so a wrapped line still matches)."""
    (path,) = (ROOT / "course").glob(f"{chapter}_*.ipynb")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    (cell,) = [c for c in cells if c.get("id") == cell_id]
    source = cell["source"]
    return " ".join((source if isinstance(source, str) else "".join(source)).split())


def test_chapter_02_worked_density_example():
    results = compare(Host(cores=16, memory_gib=64), Service("api", cpu=0.5, memory_mib=1024))
    counts = [r.instances for r in results.values()]
    vm = results["vm"]
    text = _cell("02", "d03af675")
    assert "31, 31 and 32" in text and counts == [31, 31, 32]
    assert all(r.limited_by == "cpu" for r in results.values()) and "CPU runs out first" in text
    assert f"{vm.idle_memory_mib / 1024:.1f} GiB of memory idle" in text
    assert f"{ISOLATIONS['vm'].memory_overhead_mib:.0f} MiB per instance" in text


def test_chapter_02_density_notice():
    host, small = Host(cores=16, memory_gib=64), Service("api", cpu=0.1, memory_mib=256)
    results = compare(host, small)
    vm, micro, container = (results[k] for k in ("vm", "microvm", "container"))
    no_guest = fit(host, small, ISOLATIONS["vm"].with_changes(guest_os_mib=0))
    text = _cell("02", "817cfd0d")
    assert (
        f"{vm.instances} full VMs, {micro.instances} microVMs and {container.instances} "
        "containers" in text
    )
    assert vm.limited_by == "memory" and no_guest.limited_by == "cpu"
    assert f"the VMs fit {no_guest.instances}" in text
    assert f"about {vm.cold_start_s(500):.0f} s as VMs" in text
    assert all(abs(r.cold_start_s(500) - 3.4) < 0.1 for r in (micro, container))
    assert "about 3.4 s as microVMs or containers" in text


def test_chapter_02_stack_notice():
    memory = STACKS["type1"].memory_mib(16, 256)
    text = _cell("02", "0995e93f")
    assert "At 16 instances" in text
    assert f"guest OSes ({memory['guest OS'] / 1024:.0f} GiB)" in text
    assert f"applications ({memory['application'] / 1024:.0f} GiB)" in text


def test_chapter_01_consolidation_notice():
    def shared(n):
        demands = consolidation.service_demands(
            n, mean_cores=2, days=7, step_minutes=5, seed=0
        )  # the explorer's defaults
        return consolidation.dedicated_vs_shared(demands, 32)

    eight, forty = shared(8), shared(40)
    text = _cell("01", "fd338cf3")
    assert "one server for 8 services and 3 servers for 40" in text
    assert (eight.shared_servers, forty.shared_servers) == (1, 3)
    assert "about 6% of their capacity" in text
    assert all(abs(r.dedicated_utilisation - 0.06) < 0.01 for r in (eight, forty))


def test_chapter_01_prices_paragraph():
    year = infra.demand_curve(days=365, step_minutes=1, seed=0)

    def cheapest_within_60(strategies):
        ok = [
            r.summary()
            for r in infra.simulate_all(year, strategies)
            if r.summary()["slo_violation_minutes"] < 60
        ]
        best = min(ok, key=lambda s: s["cost"])
        return best["strategy"], f"${best['cost']:,.0f}"

    text = _cell("01", "b15f6eca")
    name, cost = cheapest_within_60(infra.default_strategies())
    assert name == "VMs, autoscaled" and f"autoscaled VMs ({cost} a year)" in text
    cheaper = infra.default_strategies()[:-1] + [
        infra.container_autoscaled(price_per_unit_hour=0.02)
    ]
    name, cost = cheapest_within_60(cheaper)
    assert name == "containers, autoscaled" and f"the containers take over ({cost})" in text


def test_chapter_03_explain_paragraph():
    from msa_course.orchestration.objects import Container, Node, Pod
    from msa_course.orchestration.placement import Taint
    from msa_course.orchestration.scheduler import Scheduler
    from msa_course.orchestration.scheduler.explain import explain

    gib = 2**30
    nodes = [  # the chapter's code cell f8a8bd60
        Node(
            "node-a",
            {"cpu": 4000, "memory": 16 * gib},
            spec_taints=(Taint("dedicated", "gpu", "NoSchedule"),),
        ),
        Node("node-b", {"cpu": 4000, "memory": 16 * gib}),
        Node("node-c", {"cpu": 2000, "memory": 16 * gib}),
    ]
    pod = Pod("web-0", (Container("app", requests={"cpu": 500, "memory": gib}),))
    rows = {r["node"]: r for r in explain(Scheduler(nodes), pod).table()}
    a, b, c = rows["node-a"], rows["node-b"], rows["node-c"]
    text = _cell("03", "1475d93f")
    assert a["filter"].startswith("TaintToleration") and a["total"] is None
    fit_b, fit_c = b["NodeResourcesFit"][0], c["NodeResourcesFit"][0]
    assert f"(LeastAllocated: {fit_b} against {fit_c})" in text
    assert f"so it wins, {b['total']} to {c['total']}" in text and b["total"] > c["total"]
