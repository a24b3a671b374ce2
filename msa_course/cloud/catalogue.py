"""The service catalogue: every cloud service the source names, plus FaaS/SaaS examples.

The data lives in catalogue.yaml beside this module so a maintainer can extend it without
touching code. `load()` validates every entry and raises `CatalogueError` naming the entry and
the field, e.g. "catalogue entry 'ecs' (#7): model 'caas2' is not one of ...".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from msa_course.cloud.responsibility import MODELS, SOURCE_MODELS

DEFAULT_PATH = Path(__file__).with_name("catalogue.yaml")
SERVICE_MODELS = tuple(m for m in MODELS if m != "on-premises")
SOURCE_MAPPINGS = ("monolith", "msa")
_REQUIRED = (
    "id",
    "name",
    "provider",
    "model",
    "source_model",
    "source_mapping",
    "you_operate",
    "docs",
)
_OPTIONAL = ("aliases", "note", "label")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class CatalogueError(ValueError):
    """A catalogue file that does not follow the format described at the top of the file."""


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    provider: str
    model: str
    source_model: str | None
    source_mapping: str | None
    you_operate: tuple[str, ...]
    docs: str
    aliases: tuple[str, ...] = ()
    note: str = ""
    label: str = ""

    @property
    def in_source(self) -> bool:
        """Whether the source text names this service (the course added it otherwise)."""
        return self.source_model is not None


@dataclass(frozen=True)
class Catalogue:
    providers: dict[str, str]
    services: tuple[Service, ...]

    def filter(self, model: str | None = None, provider: str | None = None) -> list[Service]:
        """Services of `model` and `provider` (None means any), in file order."""
        if model is not None and model not in SERVICE_MODELS:
            raise ValueError(f"model must be one of {SERVICE_MODELS} or None, got {model!r}")
        if provider is not None and provider not in self.providers:
            raise ValueError(
                f"provider must be one of {tuple(self.providers)} or None, got {provider!r}"
            )
        return [
            s
            for s in self.services
            if (model is None or s.model == model) and (provider is None or s.provider == provider)
        ]

    def lookup(self, name: str) -> Service:
        """The service called `name`: its id, name or an alias, ignoring case, spaces and
        punctuation; a trailing "(...)" is optional on both sides ("AWS EC2(Elastic ...)",
        "Google Kubernetes Engine")."""
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        index = self._index()
        for key in (_key(name), _key(_strip_parenthesis(name))):
            if key in index:
                return index[key]
        raise ValueError(
            f"no service called {name!r} in the catalogue (ids: {[s.id for s in self.services]})"
        )

    def _index(self) -> dict[str, Service]:
        index: dict[str, Service] = {}
        for s in self.services:
            for alias in (s.id, s.name, *s.aliases):
                index.setdefault(_key(alias), s)
            index.setdefault(_key(_strip_parenthesis(s.name)), s)
        return index


def _strip_parenthesis(text: str) -> str:
    return re.sub(r"\(.*\)\s*$", "", text)


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z가-힣]", "", text.lower())


def _fail(label: str, message: str) -> None:
    raise CatalogueError(f"{label}: {message}")


def _string(value, label: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(label, f"{field} must be a non-empty string, got {value!r}")
    return value.strip()


def _string_list(value, label: str, field: str, *, allow_empty: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or (not value and not allow_empty):
        need = "a list of strings" if allow_empty else "a non-empty list of strings"
        _fail(label, f"{field} must be {need}, got {value!r}")
    items = tuple(_string(v, label, f"{field}[{i}]") for i, v in enumerate(value))
    for i, item in enumerate(items):
        if item.count("(") != item.count(")"):
            _fail(
                label,
                f"{field}[{i}] {item!r} has an unmatched parenthesis: a comma in a [...] list "
                'ends an item, so quote an item that has one ("a (b, c)")',
            )
    return items


def _service(raw, position: int, providers: dict[str, str]) -> Service:
    label = f"catalogue entry #{position}"
    if not isinstance(raw, dict):
        _fail(label, f"must be a mapping of fields, got {raw!r}")
    if isinstance(raw.get("id"), str):
        label = f"catalogue entry {raw['id']!r} (#{position})"
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        _fail(label, f"unknown field(s) {unknown}; allowed: {list(_REQUIRED + _OPTIONAL)}")
    missing = [f for f in _REQUIRED if f not in raw]
    if missing:
        _fail(label, f"missing field(s) {missing} (write null where a value does not apply)")
    sid = _string(raw["id"], label, "id")
    if not _ID.match(sid):
        _fail(label, f"id {sid!r} must be lowercase letters, digits and hyphens")
    if raw["provider"] not in providers:
        _fail(
            label,
            f"provider {raw['provider']!r} is not one of {sorted(providers)}; "
            "add it under `providers:` first",
        )
    if raw["model"] not in SERVICE_MODELS:
        _fail(label, f"model {raw['model']!r} is not one of {SERVICE_MODELS}")
    if raw["source_model"] is not None and raw["source_model"] not in SOURCE_MODELS:
        _fail(
            label,
            f"source_model {raw['source_model']!r} must be null or one of "
            f"{SOURCE_MODELS} (the models the source describes)",
        )
    if raw["source_mapping"] is not None:
        if raw["source_mapping"] not in SOURCE_MAPPINGS:
            _fail(
                label,
                f"source_mapping {raw['source_mapping']!r} must be null or one of "
                f"{SOURCE_MAPPINGS}",
            )
        if raw["source_model"] is None:
            _fail(
                label,
                "source_mapping is set but source_model is null: only services the "
                "source names can carry the source's mapping",
            )
    docs = _string(raw["docs"], label, "docs")
    if not docs.startswith("https://"):
        _fail(label, f"docs must be an https:// address, got {docs!r}")
    note = raw.get("note") or ""
    if not isinstance(note, str):
        _fail(label, f"note must be a string, got {note!r}")
    return Service(
        id=sid,
        name=_string(raw["name"], label, "name"),
        provider=raw["provider"],
        model=raw["model"],
        source_model=raw["source_model"],
        source_mapping=raw["source_mapping"],
        you_operate=_string_list(raw["you_operate"], label, "you_operate", allow_empty=False),
        docs=docs,
        aliases=_string_list(raw.get("aliases", []), label, "aliases", allow_empty=True),
        note=note.strip(),
        label=_string(raw.get("label", raw["name"]), label, "label"),
    )


def parse(data) -> Catalogue:
    """Validate already-parsed YAML data (a mapping with `providers` and `services`)."""
    if not isinstance(data, dict) or set(data) != {"providers", "services"}:
        keys = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise CatalogueError(
            f"catalogue must have exactly the keys providers and services, got {keys}"
        )
    providers = data["providers"]
    if not isinstance(providers, dict) or not providers:
        raise CatalogueError(f"providers must be a non-empty mapping id -> name, got {providers!r}")
    for pid, pname in providers.items():
        _string(pname, f"provider {pid!r}", "name")
    if not isinstance(data["services"], list) or not data["services"]:
        raise CatalogueError("services must be a non-empty list of entries")
    services = [_service(raw, i + 1, providers) for i, raw in enumerate(data["services"])]
    seen: dict[str, int] = {}
    names: dict[str, str] = {}
    for i, s in enumerate(services, start=1):
        if s.id in seen:
            raise CatalogueError(
                f"catalogue entry {s.id!r} (#{i}): id already used by entry #{seen[s.id]}"
            )
        seen[s.id] = i
        for alias in (s.id, s.name, *s.aliases):
            other = names.setdefault(_key(alias), s.id)
            if other != s.id:
                raise CatalogueError(
                    f"catalogue entry {s.id!r} (#{i}): name or alias {alias!r} "
                    f"is already used by {other!r}"
                )
    return Catalogue(providers=dict(providers), services=tuple(services))


def load(path: str | Path | None = None) -> Catalogue:
    """Read and validate a catalogue file (the course's own by default)."""
    import yaml

    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise CatalogueError(f"{path.name} is not valid YAML: {err}") from None
    return parse(data)


@lru_cache(maxsize=1)
def default() -> Catalogue:
    """The course's catalogue, loaded once per process."""
    return load()
