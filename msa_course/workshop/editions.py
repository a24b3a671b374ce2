"""Which of a learner's copies of an exercise the workshop tools read. nbgitpuller puts the
whole course into every home, so each home holds the exercise in every edition
(`exercises/NN_x.ipynb`, and the Korean `exercises/ko/NN_x.ipynb`) and a learner works in one.

The copy they worked in is the one with their work (an answer changed from the released stub,
or a cell run): a copy still as released never wins over one with work; of two with work, the
one changed last; of two untouched, the English. A copy that cannot be read counts as worked
(a released copy can always be read; one being saved is the newest), so the tools say it is
unreadable rather than quietly showing the other. Progress, collect and return-feedback all
choose by `pick`, so the feedback lands next to the notebook that was collected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from fnmatch import fnmatch

from msa_course.i18n import DEFAULT, LANGUAGES
from msa_course.workshop.homes import Home, Refused


def folder(course_dir: str, lang: str) -> str:
    """The exercises folder of edition `lang` inside a home."""
    return f"{course_dir}/exercises" if lang == DEFAULT else f"{course_dir}/exercises/{lang}"


def paths(course_dir: str, name: str) -> dict[str, str]:
    """language -> where the exercise `name` (NN_slug) sits in a home, English first."""
    return {lang: f"{folder(course_dir, lang)}/{name}.ipynb" for lang in LANGUAGES}


@dataclass(frozen=True)
class Copy:
    """One copy of the exercise in a home."""

    lang: str
    path: str  # inside the home
    changed: float  # its status-change time (a learner cannot set it back)
    worked: bool  # an answer changed or a cell run (or it cannot be read)


def pick(copies: list[Copy]) -> Copy | None:
    """The copy the learner worked in (see the module's docstring); None when there is none."""
    if not copies:
        return None
    order = {lang: i for i, lang in enumerate(LANGUAGES)}
    return max(copies, key=lambda c: (c.worked, c.worked and c.changed, -order.get(c.lang, 99)))


def both_worked(copies: list[Copy]) -> bool:
    """Whether the learner has work in more than one copy (the tools then say which they took)."""
    return sum(c.worked for c in copies) > 1


def find(
    home: Home, course_dir: str, number: str, worked: Callable[[bytes], bool], limit: int
) -> tuple[dict, bytes]:
    """Every edition's copy of exercise `number` (NN_*.ipynb) in `home`, and the bytes of the
    one the learner worked in: ({"copies": [Copy as a dict], "chosen": its path or None},
    bytes). `worked(bytes)` says whether a copy shows work. Run it as the home's owner
    (Home.as_owner); a folder with several NN_* notebooks is refused, naming them."""
    copies, data = [], {}
    for lang in LANGUAGES:
        where = folder(course_dir, lang)
        try:
            names = sorted(n for n in home.names(where) if fnmatch(n, f"{number}_*.ipynb"))
        except FileNotFoundError:
            continue
        if len(names) > 1:
            shown = ", ".join(names if lang == DEFAULT else (f"{lang}/{n}" for n in names))
            raise Refused(f"several notebooks for {number}: {shown}")
        for name in names:
            path = f"{where}/{name}"
            data[path], info = home.read(path, limit)
            copies.append(Copy(lang, path, info.st_ctime, worked(data[path])))
    chosen = pick(copies)
    found = {"copies": [asdict(c) for c in copies], "chosen": chosen and chosen.path}
    return found, data[chosen.path] if chosen else b""


def locate(
    home: Home, course_dir: str, number: str, worked: Callable[[bytes], bool], limit: int
) -> tuple[list[Copy], Copy | None, bytes]:
    """`find`, run as the home's owner: every copy, the one the learner worked in (None when
    there is none) and its bytes."""
    found, data = home.as_owner(lambda h: find(h, course_dir, number, worked, limit), limit)
    copies = [Copy(**c) for c in found["copies"]]
    return copies, next((c for c in copies if c.path == found["chosen"]), None), data
