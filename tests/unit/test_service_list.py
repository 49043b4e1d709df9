"""One list of services (``shared.services.SERVICES``), and the files that cannot import it agree.

Everything Python reads the list; compose, the broker's users and permissions, Prometheus'
targets and the documents are checked here against it, so a ninth service cannot be added to
some of them and forgotten in the others, and no text counts the services wrongly.
"""
import json
import pathlib
import re

import pytest
import yaml

from shared.services import BACKEND_SERVICES, GATEWAY, SERVICES, service_class

ROOT = pathlib.Path(__file__).resolve().parents[2]
COUNTS = {5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


def test_the_list_is_the_service_folders():
    folders = {path.parent.name for path in (ROOT / "services").glob("*/service.py")}
    assert set(SERVICES) == folders
    assert len(SERVICES) == len(set(SERVICES))
    assert SERVICES[-1] == GATEWAY and GATEWAY not in BACKEND_SERVICES


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_module_holds_its_class(name):
    text = (ROOT / "services" / name / "service.py").read_text(encoding="utf-8")
    assert re.search(rf"^class {service_class(name)}\b", text, re.M)


def test_compose_runs_every_service():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert set(SERVICES) <= set(compose["services"])
    mongo_init = compose["services"]["mongo-init"]["environment"]["SAUSAT_SERVICES"]
    assert sorted(mongo_init.split()) == sorted(SERVICES)


def test_the_broker_has_a_user_and_permissions_for_every_service():
    definitions = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text())
    users = {user["name"] for user in definitions["users"]}
    permitted = {grant["user"] for grant in definitions["permissions"]}
    assert set(SERVICES) <= users
    assert set(SERVICES) <= permitted


def test_prometheus_scrapes_every_service():
    config = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text(encoding="utf-8"))
    targets = {target.split(":")[0] for job in config["scrape_configs"]
               for group in job.get("static_configs", ()) for target in group["targets"]}
    assert set(SERVICES) <= targets


def documents():
    for pattern in ("*.md", "docs/*.md", "deploy/*.sh", "deploy/*.yml", "docker-compose.yml",
                    "services/**/*.py", "shared/**/*.py", "tooling/**/*.py"):
        yield from ROOT.glob(pattern)


def test_no_text_counts_the_services_wrongly():
    wrong = {word for count, word in COUNTS.items() if count != len(SERVICES)}
    # a count may run over a line break, inside a comment too
    pattern = re.compile(rf"\b({'|'.join(wrong)})\s+(#\s*)?(nameko\s+)?services\b", re.I)
    found = [f"{path.relative_to(ROOT)}: {match.group(0)}" for path in documents()
             for match in pattern.finditer(path.read_text(encoding="utf-8"))]
    assert not found, found
