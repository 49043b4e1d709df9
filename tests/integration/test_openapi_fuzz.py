"""Spec-driven fuzzing: schemathesis reads the served /openapi.json of the running system and
sends every operation generated requests, valid and not, as each role; nothing may answer 5xx,
and every answer must be one the description declares, with a body that matches it, and a
request that breaks the description must be refused.

schemathesis runs as its own command (its pytest plugin needs a pytest older than ours), with a
fixed seed, so a failure repeats. ``FUZZ_EXAMPLES`` (default 8) bounds the generated requests
per operation and phase.

Roles: ``ROLES`` maps a role to the headers it sends, by their name in the system fixture's
``headers``: the anonymous caller's, and each demo user's of ``deploy/demo_data.yml``. Every role
gets a run of its own. All of them are signed in before any run starts (the fuzzer's failed
sign-ins lock the client address out for a while), and a signed-in role's run leaves out
``DELETE /sessions/current``, which would end that role's session for the rest of its run; the
anonymous run sends it too.

An operation a role is refused before its body or parameters reach a service (anonymous: every
one that is not public; a signed-in role: one whose handler asks a permission the role lacks,
``refused_before_use``) answers that refusal to whatever the role sends past the edge, and the
edge's own checks are the same for every role. So such an operation gets ``REFUSED_EXAMPLES``
generated requests from that role, without the coverage phase's thousands of boundary values
(which the roles allowed to use it send); every role still sends every operation requests, and
every answer is still checked against the description.
"""
import inspect
import os
import pathlib
import re
import subprocess
import sys
import tomllib

import pytest

from services.gateway.edge.openapi import openapi_description, openapi_path
from services.gateway.routes import ROUTES
from services.gateway.service import GatewayService
from shared.authorisation import PERMISSIONS

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
REFUSED_EXAMPLES = 2
SEED = 20261127
# the authority officer is the commune's, the system fixture's "officer"
ROLES = {"anonymous": "anonymous", "cadre": "cadre", "authority_officer": "officer",
         "district_officer": "district_officer", "operator": "operator",
         "administrator": "administrator"}
# the role each one acts in (shared.authorisation); anonymous has none
ACTS_AS = {"cadre": "cadre", "authority_officer": "authority_officer",
           "district_officer": "authority_officer", "operator": "operator",
           "administrator": "administrator"}
SIGN_OUT = "delete_sessions_current"
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "negative_data_rejection")
SCHEMATHESIS = pathlib.Path(sys.executable).with_name("schemathesis")
CONFIG = pathlib.Path(__file__).with_name("schemathesis.toml")
# a handler's permission check: ``self._as(request, "registry.manage")`` (gateway/api)
ASKS = re.compile(r'_as\(\s*request,\s*"([a-z_.]+)"')


def handler_permissions():
    """{(method, rule): the permissions its handler asks} of every gateway entrypoint."""
    asked = {}
    for _, handler in inspect.getmembers(GatewayService, inspect.isfunction):
        for entrypoint in getattr(handler, "nameko_entrypoints", ()):
            if hasattr(entrypoint, "url"):
                asked[(entrypoint.method, entrypoint.url)] = ASKS.findall(
                    inspect.getsource(handler))
    return asked


def refused_before_use(role):
    """The operation ids ``role`` is refused before anything it sends is used: anonymous, the
    ones that are not public; a signed-in role, those whose handler asks only permissions the
    role lacks (a handler asking none is fuzzed in full)."""
    asked = handler_permissions()
    description = openapi_description(ROUTES)["paths"]
    refused = []
    for (method, rule), route in ROUTES.items():
        if role == "anonymous":
            if route.public:
                continue
        elif not asked[(method, rule)] or any(
                ACTS_AS[role] in PERMISSIONS[permission] for permission in asked[(method, rule)]):
            continue
        refused.append(description[openapi_path(rule)][method.lower()]["operationId"])
    return sorted(refused)


def config_for(role, workdir):
    """schemathesis.toml, with fewer requests and no coverage phase for what ``role`` is
    refused before use."""
    config = workdir / "schemathesis.toml"
    refused = ", ".join(f'"{operation}"' for operation in refused_before_use(role))
    config.write_text(CONFIG.read_text(encoding="utf-8") + (
        f"max-examples = {EXAMPLES}\n\n"  # schemathesis.toml ends in [generation]
        "[phases.stateful]\nenabled = false\n\n"
        "[[operations]]\n"
        f"include-operation-id = [{refused}]\n"
        f"generation.max-examples = {REFUSED_EXAMPLES}\n"
        "phases.coverage.enabled = false\n"), encoding="utf-8")
    written = tomllib.loads(config.read_text(encoding="utf-8"))
    assert written["generation"]["max-examples"] == EXAMPLES, written
    return config


def fuzz(system, role, headers, workdir):
    # max examples and phases come from the config (the CLI's would override its operations')
    command = [str(SCHEMATHESIS), "--config-file", str(config_for(role, workdir)), "run",
               f"{system.base_url}/openapi.json",
               "--url", system.base_url, "--checks", ",".join(CHECKS),
               "--seed", str(SEED), "--workers", "1",
               "--request-timeout", "30", "--suppress-health-check", "all",
               # the pages (/app) answer a request without their session cookie with a redirect
               # to the sign-in page before reading the form, as browsers expect; they are
               # driven in a real browser by test_pages.py instead
               "--exclude-path-regex", "^/app"]
    if headers:
        command += ["--exclude-operation-id", SIGN_OUT]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120"})


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_operation_answers_as_described(system, role, tmp_path):
    run = fuzz(system, role, system.headers[ROLES[role]], tmp_path)
    print(run.stdout[-3000:])  # the summary, with -s or on failure
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
