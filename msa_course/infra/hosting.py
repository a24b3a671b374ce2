"""Where infrastructure can live: bare metal, private cloud, public cloud, compared.

Plain data for the chapter's sortable table. Each cell is (rank, text): the rank orders the
rows when the learner sorts by that column (1 = least of the column's quality). Definitions
of public and private cloud follow NIST SP 800-145 (Mell & Grance, 2011: the same document
figures.md §5 quotes for IaaS/PaaS/SaaS); the provider names are the source text's.
"""

from __future__ import annotations

COLUMNS = (
    "option",
    "who owns the hardware",
    "time to add capacity",
    "up-front cost",
    "give capacity back (scale in)",
    "who shares the hardware",
    "examples",
)
# Columns a learner can sort by, and what a high rank means for each.
SORTABLE = {
    "time to add capacity": "slower",
    "up-front cost": "higher",
    "give capacity back (scale in)": "easier",
    "who shares the hardware": "more tenants",
}

OPTIONS: tuple[dict[str, tuple[int, str] | str], ...] = (
    {
        "option": "bare metal, bought (베어 메탈)",
        "who owns the hardware": "you",
        "time to add capacity": (
            4,
            "weeks: order, ship, install in a rack, connect, install an OS",
        ),
        "up-front cost": (3, "high: you buy the servers"),
        "give capacity back (scale in)": (1, "no: a bought server is paid for, idle or not"),
        "who shares the hardware": (1, "nobody: one machine, one owner"),
        "examples": "physical servers in your own data centre",
    },
    {
        "option": "bare metal, rented",
        "who owns the hardware": "a provider",
        "time to add capacity": (3, "minutes to days, depending on the provider's stock"),
        "up-front cost": (1, "none: rented by the hour or month"),
        "give capacity back (scale in)": (2, "yes, but per whole machine"),
        "who shares the hardware": (1, "nobody while you rent it"),
        "examples": "AWS EC2 bare-metal instance types, IBM Cloud bare metal servers",
    },
    {
        "option": "private cloud (프라이빗 클라우드)",
        "who owns the hardware": "your organisation (or a third party for you)",
        "time to add capacity": (2, "minutes while the pool has room; weeks to grow the pool"),
        "up-front cost": (3, "high: the pool's servers, plus the cloud software to run"),
        "give capacity back (scale in)": (3, "yes, to the pool, which you still pay for"),
        "who shares the hardware": (
            2,
            "one organisation's teams (NIST: 'exclusive use by a single organization')",
        ),
        "examples": "OpenStack, VMware vSphere in your own data centre",
    },
    {
        "option": "public cloud (퍼블릭 클라우드)",
        "who owns the hardware": "the provider",
        "time to add capacity": (1, "minutes: an API call starts a VM or container"),
        "up-front cost": (1, "none: pay as you use"),
        "give capacity back (scale in)": (4, "yes: stop paying when you release it"),
        "who shares the hardware": (3, "many customers (NIST: 'open use by the general public')"),
        "examples": "AWS, Google Cloud, Microsoft Azure, IBM Cloud (IaaS and PaaS)",
    },
)


def sorted_options(by: str = "option", *, descending: bool = False) -> list[dict]:
    """The rows ordered by column `by` (by its rank for ranked columns; ties keep order)."""
    if by != "option" and by not in SORTABLE:
        raise ValueError(f"by must be 'option' or one of {list(SORTABLE)}, got {by!r}")
    if by == "option":
        return sorted(OPTIONS, key=lambda row: row["option"], reverse=descending)
    return sorted(OPTIONS, key=lambda row: row[by][0], reverse=descending)


def cell_text(value) -> str:
    """The text of a cell, ranked or not."""
    return value[1] if isinstance(value, tuple) else value
