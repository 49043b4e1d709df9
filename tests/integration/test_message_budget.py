"""The message budget: what one request may cost in broker traffic, per service.

Each scenario (tooling/bench/message_scenarios.py) sends one request through the real gateway
and the real RabbitMQ, under a correlation id of its own, and counts on RabbitMQ's firehose
(tooling/bench/messages.py) the publishes, deliveries and RPC round trips each service made
because of it, until the system is quiet. Counts, never timings: the same request costs the
same messages on every run.

BUDGET below is today's count. A change that sends more fails here. If the new messages are
meant (a feature that must add them), raise the budget in the same commit and say why in the
comment beside the number; a change that sends fewer may lower it.
"""
import pytest

from tests.integration.fixtures import SystemOptions
from tooling.bench import messages
from tooling.bench.message_scenarios import SCENARIOS, Caller

pytestmark = pytest.mark.integration

# counts do not depend on time: room for the sign-ins' argon2 on a loaded machine
SYSTEM = SystemOptions(settings={"RPC_TIMEOUT_SECONDS": "15"})

P, D, R = messages.KINDS  # publishes, deliveries, RPC round trips


def cost(publishes, deliveries, rpc_calls=0):
    return {P: publishes, D: deliveries, R: rpc_calls}


# per scenario, per service: publishes, deliveries, RPC round trips it causes (measured
# 2026-12-06, issue 18; lowered by issue 27: the gateway checks tokens itself, so no service
# but the ones serving the request hears of it, and accounts none at all). Deliveries count
# every queue an event lands in: a new subscription to an event raises the deliveries of every
# scenario that sends it.
BUDGET = {
    # POST /visits: the gateway asks visits to log the visit (1 round trip); visits announces
    # visit_logged and concern_raised, escalations routes the case (case_routed),
    # notifications mails the authority (notification_sent); the monitor audits all four events
    "visit_with_one_concern": {
        "gateway": cost(1, 1, 1),
        "visits": cost(3, 2),          # 1 reply, 2 events; case_routed to its case_life
        "escalations": cost(1, 1),     # case_routed; concern_raised
        # notification_sent; concern_raised to directory, case_routed to case_events (issue
        # 27: concern_raised names its carrier, so visit_logged no longer goes to directory)
        "notifications": cost(1, 2),
        "imports": cost(0, 1),         # visit_logged to coverage
        # visit_logged to branch meetings' plan against actual (issue 28), concern_raised to
        # the periodic report's concerns (issue 28)
        "assignments": cost(0, 2),
        "monitor": cost(0, 4),         # every event, to the audit
    },
    # POST /cases/<id>/acknowledge: act_on_case; case_acknowledged goes to the visits'
    # case_life and the audit
    "case_action": {
        "gateway": cost(1, 1, 1),
        "escalations": cost(2, 1),     # 1 reply, case_acknowledged
        "visits": cost(0, 1),
        "monitor": cost(0, 1),
    },
    # GET /concerns/<id>: the concern from visits, its case from escalations
    "authenticated_get": {
        "gateway": cost(2, 2, 2),
        "visits": cost(1, 1),
        "escalations": cost(1, 1),
    },
}


@pytest.fixture(scope="module")
def firehose(system, request):
    with messages.Firehose(request.config.getoption("RABBIT_API_URI"),
                           system.env["AMQP_URI"]) as tapped:
        yield tapped


def over_budget(counts, budget):
    """(service, kind, counted, allowed) for every count above its budget."""
    return [(service, kind, got[kind], budget.get(service, {}).get(kind, 0))
            for service, got in sorted(counts.items()) for kind in messages.KINDS
            if got[kind] > budget.get(service, {}).get(kind, 0)]


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_one_request_costs_no_more_messages_than_its_budget(system, firehose, scenario):
    caller = Caller(system.base_url, system.headers)
    act = SCENARIOS[scenario](caller)
    counted = messages.measure(firehose, act, scenario, settle=system.settle)
    budget = BUDGET[scenario]
    print(f"{scenario}:\n{messages.table(counted.counts, budget)}")  # shown with -rP
    over = over_budget(counted.counts, budget)
    assert not over, (
        f"{scenario} costs more messages than its budget:\n"
        + "\n".join(f"  {service} {kind}: {got} > {allowed}"
                    for service, kind, got, allowed in over)
        + f"\n\nmeasured vs budget:\n{messages.table(counted.counts, budget)}"
        + "\n\nwhat was counted:\n" + "\n".join(counted.lines)
        + "\n\nIf the new messages are meant, raise BUDGET in "
          "tests/integration/test_message_budget.py in the same commit, with the reason.")
