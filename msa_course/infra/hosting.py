"""Where infrastructure can live: bare metal, private cloud, public cloud, compared.

Plain data for the chapter's sortable table. Each cell is (rank, text): the rank orders the
rows when the learner sorts by that column (1 = least of the column's quality). Definitions
of public and private cloud follow NIST SP 800-145 (Mell & Grance, 2011: the same document
figures.md §5 quotes for IaaS/PaaS/SaaS); the provider names are the source text's.
"""

from __future__ import annotations

from msa_course.i18n import N_

# Every text is English and is also the key; the table shows it through tr() (N_ marks it
# for the catalogue).
COLUMNS = (
    N_("option"),
    N_("who owns the hardware"),
    N_("time to add capacity"),
    N_("up-front cost"),
    N_("give capacity back (scale in)"),
    N_("who shares the hardware"),
    N_("examples"),
)
# Columns a learner can sort by, and what a high rank means for each.
SORTABLE = {
    N_("time to add capacity"): N_("slower"),
    N_("up-front cost"): N_("higher"),
    N_("give capacity back (scale in)"): N_("easier"),
    N_("who shares the hardware"): N_("more tenants"),
}

OPTIONS: tuple[dict[str, tuple[int, str] | str], ...] = (
    {
        "option": N_("bare metal, bought (베어 메탈)"),
        "who owns the hardware": N_("you"),
        "time to add capacity": (
            4,
            N_("weeks: order, ship, install in a rack, connect, install an OS"),
        ),
        "up-front cost": (3, N_("high: you buy the servers")),
        "give capacity back (scale in)": (1, N_("no: a bought server is paid for, idle or not")),
        "who shares the hardware": (1, N_("nobody: one machine, one owner")),
        "examples": N_("physical servers in your own data centre"),
    },
    {
        "option": N_("bare metal, rented"),
        "who owns the hardware": N_("a provider"),
        "time to add capacity": (3, N_("minutes to days, depending on the provider's stock")),
        "up-front cost": (1, N_("none: rented by the hour or month")),
        "give capacity back (scale in)": (2, N_("yes, but per whole machine")),
        "who shares the hardware": (1, N_("nobody while you rent it")),
        "examples": N_("AWS EC2 bare-metal instance types, IBM Cloud bare metal servers"),
    },
    {
        "option": N_("private cloud (프라이빗 클라우드)"),
        "who owns the hardware": N_("your organisation (or a third party for you)"),
        "time to add capacity": (2, N_("minutes while the pool has room; weeks to grow the pool")),
        "up-front cost": (3, N_("high: the pool's servers, plus the cloud software to run")),
        "give capacity back (scale in)": (3, N_("yes, to the pool, which you still pay for")),
        "who shares the hardware": (
            2,
            N_("one organisation's teams (NIST: 'exclusive use by a single organization')"),
        ),
        "examples": N_("OpenStack, VMware vSphere in your own data centre"),
    },
    {
        "option": N_("public cloud (퍼블릭 클라우드)"),
        "who owns the hardware": N_("the provider"),
        "time to add capacity": (1, N_("minutes: an API call starts a VM or container")),
        "up-front cost": (1, N_("none: pay as you use")),
        "give capacity back (scale in)": (4, N_("yes: stop paying when you release it")),
        "who shares the hardware": (
            3,
            N_("many customers (NIST: 'open use by the general public')"),
        ),
        "examples": N_("AWS, Google Cloud, Microsoft Azure, IBM Cloud (IaaS and PaaS)"),
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
