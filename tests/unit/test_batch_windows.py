"""How long a lone event waits for company (shared.topology.Batching.window), per subscription:
long where nobody waits on the result, short where a person or another queue does."""
from shared import contracts, topology

UNHURRIED = {"monitor.audit", "assignments.visit_logged", "assignments.concern_outcomes",
             "imports.coverage", "imports.registry", "notifications.learn_then_tell"}


def window(queue_name):
    [found] = [sub for sub in topology.SUBSCRIPTIONS if sub.queue_name == queue_name]
    return found.batch.window if found.batch else None


def test_what_nobody_waits_on_waits_for_company_and_nothing_else_does():
    # under load a lone delivery's transaction and ack cost more than the writes (issue 27):
    # a batch grows for up to 200 ms while deliveries keep coming, and a lone one waits 50 ms
    assert {sub.queue_name for sub in topology.SUBSCRIPTIONS
            if sub.batch == topology.UNHURRIED} == UNHURRIED
    assert (topology.UNHURRIED.window, topology.UNHURRIED.quiet) == (0.2, 0.05)
    # visits' copy of each case is read when a concern joins one (no such case: 404)
    assert all(window(name) <= 0.005 for name in ("escalations.concern_raised",
                                                  "visits.case_life"))


def test_a_case_event_shares_one_queue_with_the_facts_it_needs_to_be_told():
    # notifications mails a case event only once it knows the concern and the authority
    # (directory.NotYetKnown: a retry, i.e. more messages); on one queue a case event cannot
    # overtake the concern_raised published before it, whatever the window
    from services.notifications import cases, directory
    needed = set(cases.CASE_EVENTS) | set(directory.LEARNED_EVENTS) - {contracts.VISIT_LOGGED}
    # (the raiser's own mail of an answer asks visits by RPC, so it stays apart)
    assert [sub.queue_name for sub in topology.SUBSCRIPTIONS
            if sub.service == "notifications" and set(sub.events or ()) & needed
            and sub.name != "raiser_answers"] == ["notifications.learn_then_tell"]
