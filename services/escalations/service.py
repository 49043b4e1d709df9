"""Escalations service: carries each raised concern, as a case, from routing to its answer.

On ``concern_raised`` it picks the routing rule in force (see ``routing``) or, when none covers
the concern, hands it to the triage authority; it stores the case with its deadlines (see
``policy``/``sla``) and its event in one insert, unique per concern, so a redelivered
``concern_raised`` has one effect. ``act_on_case`` applies the state machine (``case_life``) and
writes state, timeline and event in one update conditional on the case's version (``cases``).
A timer sweeps cases whose ``next_deadline_at`` has come (an indexed range, never a scan): it
reminds the holder, or escalates the case one level up; several instances may sweep at once,
the version condition lets exactly one of them act on each case.

Every RPC a user reaches through the gateway takes the signed-in ``principal`` (None: a trusted
internal caller; ``act_on_case`` requires one, since who acts is always a signed-in user): the
role must be allowed by ``shared.authorisation.PERMISSIONS``, and the case must be the
principal's to see (``access``), else it answers 404 exactly like a missing one.

The event handlers (routing a raised concern, duplicates following their original, the
branch's withdrawals and verdicts on answers) live in ``reactions``.
"""
import datetime as dt
from logging import getLogger

from services.escalations import case_life, cases, statistics
from services.escalations import metrics as case_metrics
from services.escalations.access import holds, may_read
from services.escalations.dependencies import CaseRules, sweep_timer
from services.escalations.reactions import CaseReactions
from services.escalations.registry_upkeep import RegistryUpkeep
from services.escalations.registry_view import RegistryView
from services.escalations.sla import VIETNAM_TIME
from shared import contracts, folding
from shared.authorisation import OFFICER, OPERATOR, actor_of, principal_from, require
from shared.contracts.rpc import cases as schemas
from shared.errors import Conflict, InvalidInput, NotFound, load_payload
from shared.gauges import Gauges
from shared.outbox import insert_once, insert_or_change_contact
from shared.pages import PageQuery, read_page
from shared.rpc import rpc
from shared.store import ReportsHealth, Store

_log = getLogger(__name__)

COUNT_CAP = 1000

# the inbox a page at a time: overdue first, then by deadline (due_sort: the running deadline,
# or far future), the newest first among equals; the cases escalated past it, newest first;
# the triage queue, oldest first (routed_at null, with no triage authority, first)
INBOX_ORDER = [("due_sort", 1), ("routed_at", -1), ("_id", 1)]
ESCALATED_PAST_ORDER = [("routed_at", -1), ("_id", -1)]
UNROUTED_ORDER = [("routed_at", 1), ("_id", 1)]
SWEEP_BATCH = 200



class EscalationsService(CaseReactions, RegistryView, RegistryUpkeep, ReportsHealth):
    name = "escalations"
    db = Store(
        outbox_collections=["cases", "authorities"],
        indexes={
            # an inbox page: newest first, with and without a status filter
            "cases": [([("concern_id", 1)], {"unique": True}),
                      # the inbox a page at a time (INBOX_ORDER), with and without a status
                      ([("authority_id", 1), ("due_sort", 1), ("routed_at", -1), ("_id", 1)],
                       {}),
                      ([("authority_id", 1), ("status", 1), ("due_sort", 1), ("routed_at", -1),
                        ("_id", 1)], {}),
                      # the counts per status
                      ([("authority_id", 1), ("status", 1)], {}),
                      # statistics per period
                      ([("authority_id", 1), ("received_at", 1)], {}),
                      # the sweep
                      ([("next_deadline_at", 1)], {}),
                      ([("escalated_past", 1), ("routed_at", -1), ("_id", -1)], {}),
                      # the triage queue a page at a time (UNROUTED_ORDER)
                      ([("triage", 1), ("routed_at", 1), ("_id", 1)], {}),
                      ([("triage", 1), ("authority_id", 1), ("routed_at", 1), ("_id", 1)], {}),
                      ([("duplicate_of", 1)], {})] + case_metrics.INDEXES,
            # search by folded name words (shared.folding)
            "authorities": [([("search.prefixes", 1)], {})],
            "routing_rules": [([("topic", 1), ("unit_id", 1), ("urgency", 1),
                                ("effective_from", 1)], {"unique": True}),
                              ([("unit_id", 1)], {})],
        },
    )
    rules = CaseRules()
    # cases by state and overdue, for Prometheus (refreshed in the background)
    case_gauges = Gauges(case_metrics.case_figures, case_metrics.GAUGES)

    # --- registry ---------------------------------------------------------------------------

    @rpc
    def register_authority(self, authority, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        authority = load_payload(schemas.RegisterAuthority(), authority, "authority")
        parent = authority["parent_authority_id"]
        if parent is not None and self.db.authorities.find_one({"_id": parent}) is None:
            raise NotFound("parent authority not found", {"parent_authority_id": [parent]})
        actor = actor_of(principal)
        event = contracts.AUTHORITY_REGISTERED.new(authority, actor=actor)
        changed = contracts.AUTHORITY_CONTACT_CHANGED.new(
            {"authority_id": authority["authority_id"], "email": authority["email"]}, actor=actor)
        document = {"_id": authority.pop("authority_id"), **authority, "actor": actor,
                    "search": folding.search_key(authority["name"])}
        return schemas.Authority().dump(insert_or_change_contact(
            self.db.authorities, document, [event], "email", [changed]))

    @rpc
    def list_authorities(self, query=None):
        query = load_payload(PageQuery(), query or {}, "query")
        page = read_page(self.db.authorities, {}, [("_id", 1)], query)
        return {"authorities": schemas.Authority(many=True).dump(page["items"]),
                "next_cursor": page["next_cursor"]}

    @rpc
    def get_authority(self, authority_id):
        authority = self.db.authorities.find_one({"_id": authority_id})
        if authority is None:
            raise NotFound("authority not found", {"authority_id": [str(authority_id)]})
        return schemas.Authority().dump(authority)

    @rpc
    def add_routing_rule(self, rule, principal=None):
        principal = require(principal_from(principal), "registry.manage")
        rule = load_payload(schemas.AddRoutingRule(), rule, "routing rule")
        if self.db.authorities.find_one({"_id": rule["authority_id"]}) is None:
            raise NotFound("authority not found", {"authority_id": [rule["authority_id"]]})
        document = {"_id": rule.pop("rule_id"), **rule,
                    "effective_from": rule["effective_from"] and rule["effective_from"].isoformat(),
                    "effective_to": rule["effective_to"] and rule["effective_to"].isoformat(),
                    "actor": actor_of(principal)}
        stored = insert_once(self.db.routing_rules, document, unique_keys=[
            ("_id",), ("topic", "unit_id", "urgency", "effective_from")])
        return schemas.RoutingRule().dump(stored)

    @rpc
    def list_routing_rules(self, query=None):
        query = load_payload(PageQuery(), query or {}, "query")
        page = read_page(self.db.routing_rules, {}, [("_id", 1)], query)
        return {"routing_rules": schemas.RoutingRule(many=True).dump(page["items"]),
                "next_cursor": page["next_cursor"]}

    # --- acting on a case -------------------------------------------------------------------

    @rpc
    def act_on_case(self, case_id, action, args=None, principal=None):
        """Apply ``action`` to the case as the signed-in ``principal`` (required: who acts is
        always a signed-in user, recorded in the timeline and the event's envelope). A role that
        may never take the action gets 403; a case the principal may not see, 404 like a
        missing one; one they see but whose side may not take the action now, 403."""
        principal = require(principal_from(principal), "cases.act")
        if principal is None:
            raise InvalidInput("a case is acted on by a signed-in user",
                               {"principal": ["required"]})
        if action not in schemas.ACTION_ARGUMENTS:
            raise InvalidInput("unknown action",
                               {"action": [f"must be one of: {', '.join(case_life.ACTIONS)}"]})
        require(principal, f"cases.{action}")
        args = load_payload(schemas.ACTION_ARGUMENTS[action](), args or {}, f"{action} request")
        case = self._visible_case(case_id, principal)
        if action == "answer" and case["status"] == case_life.DUPLICATE_OF:
            raise Conflict("a duplicate follows its original's answer; answer the original",
                           {"action": [action], "state": [case["status"]]})
        case_life.check_principal(case, action, principal)
        args = self._resolve(case, action, args)
        now = self.rules.clock.now()
        who = {"user_id": principal.user_id, "role": principal.role}
        outcome = case_life.apply_action(case, action, who, now, self.rules.policy, **args)
        stored = cases.commit(self.db, case, outcome, actor=actor_of(principal))
        _log.info("case %s: %s -> %s by %s", case_id, case["status"], outcome.state,
                  principal.user_id)
        return self._show(stored, now, schemas.CaseWithTimeline())

    def _visible_case(self, case_id, principal, projection=None):
        """The case, or NotFound alike for a missing one and one the principal may not see."""
        case = self.db.cases.find_one({"_id": case_id}, projection or {"outbox": 0})
        if case is None or not may_read(principal, case):
            raise NotFound("case not found", {"case_id": [str(case_id)]})
        return case

    def _resolve(self, case, action, args):
        """Look up what the rule needs from the store: the authority named, the original case,
        the parent authority."""
        if action == "redirect" and self.db.authorities.find_one(
                {"_id": args["authority_id"]}) is None:
            raise NotFound("authority not found", {"authority_id": [args["authority_id"]]})
        if action == "mark_duplicate":
            original = self.db.cases.find_one({"_id": args.pop("original_case_id")},
                                              cases.LISTED)
            if original is None:
                raise NotFound("original case not found", {"original_case_id": ["not found"]})
            args["original"] = original
        if action == "escalate":
            args["parent_authority_id"] = self._parent_of(case["authority_id"])
        return args

    def _parent_of(self, authority_id):
        authority = self.db.authorities.find_one({"_id": authority_id}) or {}
        return case_life.escalation_target(authority)

    # --- the deadline sweep -----------------------------------------------------------------

    @sweep_timer
    def sweep_deadlines(self):
        return self.sweep()

    def sweep(self):
        now = self.rules.clock.now()
        due = list(self.db.cases.find({"next_deadline_at": {"$lte": now}}, cases.LISTED)
                   .sort("next_deadline_at", 1).limit(SWEEP_BATCH))
        done = {"remind": 0, "escalate": 0, "lost_race": 0}
        for case in due:
            what = case_life.due(case, now)
            try:
                if what == "remind":
                    outcome = case_life.note_deadline_near(case, now, self.rules.policy)
                elif what == "escalate":
                    outcome = case_life.apply_action(
                        case, "escalate", cases.SYSTEM_ACTOR, now, self.rules.policy,
                        parent_authority_id=self._parent_of(case["authority_id"]),
                        reason=case_life.breach_reason(case))
                else:
                    continue
                cases.commit(self.db, case, outcome)
            except Conflict:
                done["lost_race"] += 1  # another instance (or an officer) acted first
                continue
            except Exception:  # one broken case must not stop the sweep of the others
                _log.exception("sweep: case %s could not be handled", case["_id"])
                continue
            done[what] += 1
            _log.info("sweep: case %s %s (%s)", case["_id"],
                      "escalated" if what == "escalate" else "reminded", outcome.entry["why"])
        return done

    # --- reading ----------------------------------------------------------------------------

    def _show(self, case, now, schema):
        names = {}
        if case.get("authority_id"):
            authority = self.db.authorities.find_one({"_id": case["authority_id"]})
            names[case["authority_id"]] = authority and authority["name"]
        return schema.dump(cases.shown(case, now, names))

    @rpc
    def get_case(self, case_id, principal=None):
        """A case with its timeline: an officer's authority's, a cadre's own concern's (another's
        answers like a missing one)."""
        principal = require(principal_from(principal), "cases.read")
        case = self._visible_case(case_id, principal)
        return self._show(case, self.rules.clock.now(), schemas.CaseWithTimeline())

    @rpc
    def get_case_for_concern(self, concern_id, principal=None):
        """The case of a concern: only one the principal may see (see ``get_case``), else
        NotFound like a concern with no case yet."""
        principal = require(principal_from(principal), "concerns.read")
        case = self.db.cases.find_one({"concern_id": concern_id}, cases.LISTED)
        if case is None or not may_read(principal, case):
            raise NotFound("no case for this concern yet", {"concern_id": [str(concern_id)]})
        return self._show(case, self.rules.clock.now(), schemas.Case())

    @rpc
    def inbox(self, query, principal=None):
        """An authority's cases: only its own officers'; another's answers like a missing one."""
        principal = require(principal_from(principal), "cases.inbox")
        query = load_payload(schemas.InboxQuery(), query, "inbox query")
        authority = self.db.authorities.find_one({"_id": query["authority_id"]})
        if authority is None or not holds(principal, authority["_id"]):
            raise NotFound("authority not found", {"authority_id": [query["authority_id"]]})
        now = self.rules.clock.now()
        if query["view"] == "holding":
            criteria, order = {"authority_id": authority["_id"]}, INBOX_ORDER
        else:
            criteria, order = {"escalated_past": authority["_id"]}, ESCALATED_PAST_ORDER
        for field in ("status", "topic"):
            if query[field]:
                criteria[field] = query[field]
        if query["unit_id"]:
            criteria["unit_path"] = query["unit_id"]
        period = {}
        if query["received_from"]:
            period["$gte"] = _vietnam_midnight(query["received_from"])
        if query["received_to"]:
            period["$lt"] = _vietnam_midnight(query["received_to"])
        if period:
            criteria["received_at"] = period
        page = read_page(self.db.cases, criteria, order, query, cases.LISTED)
        names = self._names(page["items"])
        shown = [cases.shown(case, now, names) for case in page["items"]]
        # counted up to a cap: an index range per state, so the cost stays bounded however
        # many cases an authority holds ("1000+" is what a person reads anyway)
        counts = {state: self.db.cases.count_documents(
                      {"authority_id": authority["_id"], "status": state}, limit=COUNT_CAP)
                  for state in case_life.STATES}
        return {"authority": schemas.Authority().dump(authority), "view": query["view"],
                "counts": {state: n for state, n in counts.items() if n},
                "counts_cap": COUNT_CAP,
                "overdue": sum(case["overdue"] for case in shown),
                "cases": schemas.Case(many=True).dump(shown),
                "next_cursor": page["next_cursor"]}

    def _names(self, found):
        """The names of the authorities holding ``found`` cases, by id (one indexed read)."""
        ids = sorted({case["authority_id"] for case in found if case.get("authority_id")})
        if not ids:
            return {}
        return {doc["_id"]: doc["name"]
                for doc in self.db.authorities.find({"_id": {"$in": ids}}, {"name": 1})}

    @rpc
    def list_unrouted(self, query=None, principal=None):
        """Cases no routing rule covered: held by the triage authority, or by nobody. An officer
        sees only those their authority holds (the triage authority's officers: its queue); an
        operator sees them all without the concern's text or answer (no personal data)."""
        principal = require(principal_from(principal), "cases.unrouted")
        query = load_payload(schemas.UnroutedQuery(), query or {}, "unrouted query")
        criteria = {"triage": True}
        if principal is not None and principal.role == OFFICER:
            criteria["authority_id"] = principal.authority_id
        page = read_page(self.db.cases, criteria, UNROUTED_ORDER, query, cases.LISTED)
        now = self.rules.clock.now()
        names = self._names(page["items"])
        shown = [cases.shown(case, now, names) for case in page["items"]]
        if principal is not None and principal.role == OPERATOR:
            shown = [{**case, "summary": None, "answer": None} for case in shown]
        return {"triage_authority_id": self.rules.policy.triage_authority_id,
                "cases": schemas.Case(many=True).dump(shown),
                "next_cursor": page["next_cursor"]}

    @rpc
    def statistics(self, query, principal=None):
        """An authority's statistics: its own officers' or an administrator's; another
        authority's answers an officer like a missing one."""
        principal = require(principal_from(principal), "cases.statistics")
        query = load_payload(schemas.StatisticsQuery(), query, "statistics query")
        officer = principal is not None and principal.role == OFFICER
        if self.db.authorities.find_one({"_id": query["authority_id"]}) is None or (
                officer and not holds(principal, query["authority_id"])):
            raise NotFound("authority not found", {"authority_id": [query["authority_id"]]})
        criteria = {"authority_id": query["authority_id"],
                    "received_at": {"$gte": _vietnam_midnight(query["period_from"]),
                                    "$lt": _vietnam_midnight(query["period_to"])}}
        if query["topic"]:
            criteria["topic"] = query["topic"]
        projection = {field: 1 for field in statistics.SUMMARY_FIELDS}
        rows = statistics.case_statistics(self.db.cases.find(criteria, projection))
        return {"authority_id": query["authority_id"],
                "period_from": query["period_from"].isoformat(),
                "period_to": query["period_to"].isoformat(), "rows": rows}


def _vietnam_midnight(day):
    return dt.datetime.combine(day, dt.time(0), VIETNAM_TIME)
