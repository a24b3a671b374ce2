"""The service catalogue: every service the source names, under the source's model; bad
entries rejected with the entry and the field named."""

import copy
import re
from pathlib import Path

import pytest
import yaml

from msa_course.cloud import catalogue as cat

SEED = Path(__file__).resolve().parents[1] / ".." / "shared" / "seed"
SEED_TEXT = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEED.glob("*.txt")))
# The source's own list, written out in case the seed is not beside the repository.
SOURCE_EXAMPLES = {
    "iaas": ["AWS EC2(Elastic Compute Cloud)", "GCP Compute Engine", "Azure VM"],
    "caas": [
        "Azure Kubernetes Service(AKS)",
        "AWS EKS(Elastic Kubernetes Service)",
        "Google Kubernetes Engine(GKE)",
        "AWS ECS",
    ],
    "paas": [
        "Azure Web App",
        "Google App Engine",
        "Cloud Foundry",
        "Heroku",
        "AWS Elastic Beanstalk",
    ],
}


def _seed_examples() -> dict[str, list[str]]:
    """Parse "- `IaaS(...)`: ... - ex) A, B, C" blocks from the seed text."""
    found: dict[str, list[str]] = {}
    blocks = re.findall(r"`(IaaS|CaaS|PaaS)\(.*?ex\)\s*([^\n]+)", SEED_TEXT, flags=re.S)
    for model, names in blocks:
        found[model.lower()] = [n.strip() for n in names.split(",")]
    return found


@pytest.fixture(scope="module")
def catalogue():
    return cat.load()


def test_seed_lists_match_the_written_out_list():
    if not SEED_TEXT:
        pytest.skip("seed text not available")
    assert _seed_examples() == SOURCE_EXAMPLES


def test_every_service_the_source_names_is_there_under_the_source_model(catalogue):
    for model, names in SOURCE_EXAMPLES.items():
        for name in names:
            service = catalogue.lookup(name)
            assert service.source_model == model, name
            assert service.model == model, name
            assert service.in_source


def test_source_hosting_mapping(catalogue):
    """The source: a monolith on EC2 or Azure VM; an MSA system on Elastic Beanstalk, ECS,
    Azure Web App or Google App Engine."""
    mono = {s.id for s in catalogue.services if s.source_mapping == "monolith"}
    msa = {s.id for s in catalogue.services if s.source_mapping == "msa"}
    assert mono == {"ec2", "azure-vm"}
    assert msa == {"elastic-beanstalk", "ecs", "azure-web-app", "app-engine"}


def test_borderline_cases_carry_their_note(catalogue):
    ecs = catalogue.lookup("ECS").note
    assert "Fargate" in ecs and "EC2" in ecs and "that you manage" in ecs
    eb = catalogue.lookup("Elastic Beanstalk").note
    assert "IaaS" in eb and "PaaS" in eb and "full control" in eb


def test_faas_and_saas_examples_are_added_and_marked(catalogue):
    for model in ("faas", "saas"):
        services = catalogue.filter(model=model)
        assert len(services) >= 3
        assert not any(s.in_source for s in services)


def test_filter_by_model_and_provider(catalogue):
    aws_caas = [s.id for s in catalogue.filter(model="caas", provider="aws")]
    assert aws_caas == ["eks", "ecs", "fargate"]
    assert len(catalogue.filter()) == len(catalogue.services)
    with pytest.raises(ValueError, match="provider must be one of"):
        catalogue.filter(provider="oracle")


def test_lookup_ignores_case_punctuation_and_a_trailing_parenthesis(catalogue):
    assert catalogue.lookup("Google Kubernetes Engine").id == "gke"
    assert catalogue.lookup("amazon ecs").id == "ecs"
    assert catalogue.lookup("AWS EC2(Elastic Compute Cloud)").id == "ec2"


def test_lookup_unknown_name_names_it(catalogue):
    with pytest.raises(ValueError, match="no service called 'Nimbus'"):
        catalogue.lookup("Nimbus")


def _raw():
    return yaml.safe_load(cat.DEFAULT_PATH.read_text(encoding="utf-8"))


def _entry(raw, sid):
    return next(e for e in raw["services"] if e["id"] == sid)


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        (lambda e: e.update(model="xaas"), r"entry 'ecs' \(#7\): model 'xaas' is not one of"),
        (lambda e: e.update(provider="oracle"), r"entry 'ecs' \(#7\): provider 'oracle' is not"),
        (lambda e: e.update(source_model="faas"), r"entry 'ecs' \(#7\): source_model 'faas'"),
        (
            lambda e: e.update(you_operate=[]),
            r"entry 'ecs' \(#7\): you_operate must be a non-empty",
        ),
        (
            lambda e: e.update(you_operate=["manifests (Deployments", "Services)"]),
            r"entry 'ecs' \(#7\): you_operate\[0\] 'manifests \(Deployments' has an unmatched",
        ),
        (lambda e: e.pop("docs"), r"entry 'ecs' \(#7\): missing field\(s\) \['docs'\]"),
        (lambda e: e.update(colour="blue"), r"entry 'ecs' \(#7\): unknown field\(s\) \['colour'\]"),
        (lambda e: e.update(docs="ftp://x"), r"entry 'ecs' \(#7\): docs must be an https"),
        (
            lambda e: e.update(source_mapping="msa", source_model=None),
            r"entry 'ecs' \(#7\): source_mapping is set but source_model is null",
        ),
    ],
)
def test_invalid_entries_name_the_entry_and_field(change, pattern):
    raw = _raw()
    change(_entry(raw, "ecs"))
    with pytest.raises(cat.CatalogueError, match=pattern):
        cat.parse(raw)


def test_duplicate_ids_and_aliases_are_rejected():
    raw = _raw()
    raw["services"].append(copy.deepcopy(_entry(raw, "heroku")))
    with pytest.raises(cat.CatalogueError, match="id already used by entry"):
        cat.parse(raw)
    raw = _raw()
    _entry(raw, "heroku")["aliases"] = ["EC2"]
    with pytest.raises(cat.CatalogueError, match="'EC2' is already used by 'ec2'"):
        cat.parse(raw)


def test_load_reports_bad_yaml(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("services: [\n", encoding="utf-8")
    with pytest.raises(cat.CatalogueError, match="bad.yaml is not valid YAML"):
        cat.load(bad)
    top = tmp_path / "top.yaml"
    top.write_text("services: []\n", encoding="utf-8")
    with pytest.raises(cat.CatalogueError, match="exactly the keys providers and services"):
        cat.load(top)
