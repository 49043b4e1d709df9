"""The registry's RPCs as an import job calls them: with a timeout, many at once, in bulk, and
every read planning needs (``fetch_known``). A registry that does not answer is a
:class:`TransientFailure` (the job waits and tries again); a refusal answers in its row's place.
Example::

    calls = RegistryCalls({"assignments": proxy, "escalations": proxy})
    calls.many("assignments", "get_unit", [("vp",), ("vp.bx",)])   # [unit, NotFound(...)]
    calls.bulk("assignments", "register_many", "units", [unit, unit2])
"""
import eventlet

from services.imports.planning import Known
from shared.errors import NotFound, SausatError, Unavailable, refusal_from_body

LOOKUP_WINDOW = 32       # registry reads in flight while planning
PAGE_ALL_ABOVE = 200     # more ids than this: page through the whole list instead
RPC_TIMEOUT = 30


class TransientFailure(Exception):
    """The registry did not answer (or the broker is away): try the job again later."""


class RegistryCalls:
    """The registry's RPCs with a timeout: ``call(service, method, *args)`` and many at once."""

    def __init__(self, proxies, timeout=RPC_TIMEOUT):
        self.proxies = proxies      # {"assignments": proxy, "escalations": proxy}
        self.timeout = timeout

    def many(self, service, method, argument_lists, window=LOOKUP_WINDOW):
        """``[(result or the SausatError it raised)]`` in order; TransientFailure when a
        call got no answer or failed otherwise."""
        results = []
        remote = getattr(self.proxies[service], method)
        for start in range(0, len(argument_lists), window):
            replies = [remote.call_async(*args) for args in argument_lists[start:start + window]]
            for reply in replies:
                try:
                    with eventlet.Timeout(self.timeout):
                        results.append(reply.result())
                except Unavailable as error:
                    raise TransientFailure(str(error)) from None
                except SausatError as refused:
                    results.append(refused)
                except (Exception, eventlet.Timeout) as error:
                    raise TransientFailure(f"{service}.{method}: {type(error).__name__}: "
                                           f"{error}") from None
        return results

    def bulk(self, service, method, kind, items):
        """``[(record or the SausatError refusing it)]`` for ``items`` registered by one bulk
        call (``{kind, items}``); TransientFailure as for ``many``."""
        answer, = self.many(service, method, [({"kind": kind, "items": items}, None)])
        if isinstance(answer, SausatError):  # the call itself refused: every row with it
            return [answer] * len(items)
        return [refusal_from_body(result["refused"]) if "refused" in result
                else result["registered"] for result in answer["results"]]


def fetch_known(calls, wanted):
    """What the registry holds about ``wanted`` (see ``planning.lookups``)."""
    known = Known()
    known.units = _by_id(calls, "assignments", "get_unit", "list_units", "units", "unit_id",
                         wanted["units"])
    known.working_groups = _by_id(calls, "assignments", "get_working_group",
                                  "list_working_groups", "working_groups", "working_group_id",
                                  wanted["working_groups"])
    if wanted["authorities"]:  # few, and only the paged list tells their retirement
        known.authorities = {item["authority_id"]: item for item in all_pages(
            calls, "escalations", "list_authorities", "authorities")
            if item["authority_id"] in wanted["authorities"]}
    cadre_ids = sorted(wanted["cadres"])
    for cadre in calls.many("assignments", "get_cadre", [(i,) for i in cadre_ids]):
        if not isinstance(cadre, NotFound):
            _raise_refusal(cadre)
            known.cadres[cadre["cadre_id"]] = cadre
    cadre_ids = sorted(wanted["assignments_of"])
    for found in calls.many("assignments", "list_assignments", [(i,) for i in cadre_ids]):
        _raise_refusal(found)
        for assignment in found:
            known.assignments[(assignment["cadre_id"], assignment["unit_id"])] = assignment
    if wanted["routing_rules"]:
        known.routing_rules = {rule["rule_id"]: rule for rule in
                               all_pages(calls, "escalations", "list_routing_rules",
                                          "routing_rules")}
    return known


def _by_id(calls, service, get, list_all, listed, key, ids):
    if len(ids) > PAGE_ALL_ABOVE:
        return {item[key]: item for item in all_pages(calls, service, list_all, listed)
                if item[key] in ids}
    found = {}
    ids = sorted(ids)
    for item in calls.many(service, get, [(i,) for i in ids]):
        if not isinstance(item, NotFound):
            _raise_refusal(item)
            found[item[key]] = item
    return found


def all_pages(calls, service, method, listed, *also):
    """Every item of a paged list; ``also``: the arguments after the query (who asks)."""
    cursor, items = None, []
    while True:
        query = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page, = calls.many(service, method, [(query, *also)])
        _raise_refusal(page)
        items.extend(page[listed])
        cursor = page["next_cursor"]
        if not cursor:
            return items


def _raise_refusal(result):
    if isinstance(result, SausatError):
        raise TransientFailure(f"the registry refused a read: {result}")
