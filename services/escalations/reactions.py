"""What the escalations service does on each event it follows, one function per fact: a raised
concern becomes a case, a duplicate follows its original's answer, the branch's decisions
(visits' ``concern_withdrawn`` and ``answer_reviewed``) end, close or reopen the case, and a
reorganisation is remembered for routing.

Each has one effect however often its event arrives: a case is inserted once per concern (a
unique index), and a change goes through ``case_life`` and ``store.commit`` on the version it
read, so a redelivered event finds the case already moved on and does nothing. ``rules`` is the
service's ``CaseRules`` (the policy and the clock). Example (the service's entrypoint)::

    @subscribe("concern_raised")
    def route_concern(self, event):
        reactions.route_concern(self.db, self.rules, event)
"""
from logging import getLogger

from services.escalations import (
    acceptance_chain,
    case_life,
    cases,
    joining,
    rosters,
    routing,
    store,
)
from services.escalations.registry_view import former_ancestors
from shared.errors import Conflict, NotFound

_log = getLogger(__name__)

FOLLOW_RETRIES = 5


# --- routing ---------------------------------------------------------------------------------

def route_concern(db, rules, event):
    """``concern_raised``: the case of the concern, routed by the rule in force or held by the
    triage authority."""
    concern = event.payload
    refusal = None
    if concern.get("joins_case_id"):  # attached to another branch's open case (issue 25)
        refusal = joining.join_or_refusal(db, rules, event)
        if refusal is None:
            return
    former = store.former_of(db, concern["unit_id"])  # where the unit used to sit
    found = [routing.RoutingRule.stored(doc)
             for doc in store.routing_rules_at(db, concern["unit_path"] + sorted(former))]
    rule = routing.route_concern(concern["topic"], concern["unit_path"], found,
                                 on=concern["raised_on"], urgency=concern["urgency"],
                                 former=former)
    triage = _triage_authority_id(db, rules.policy)
    case, first_event = cases.new_case(concern, event.event_id, rule, triage, rules.policy,
                                       rules.clock.now(), raised_by_user=event.actor)
    if refusal is not None:  # the case it was to join is no longer open: said on its page
        case.update(joining.fell_back(concern, refusal))
    case, events = _on_duty(db, rules, case, first_event)
    if not store.open_case(db, case, *events):
        _log.info("concern %s already has a case; nothing to do", concern["concern_id"])
        return
    if rule is None:
        _log.warning("no routing rule for %s at %s: case %s goes to triage (%s)",
                     concern["topic"], concern["unit_id"], case["_id"], triage)


def _on_duty(db, rules, case, first_event):
    """The case given to the holder's officer on duty today, when it keeps a duty roster."""
    roster = rosters.roster_of(store.find_roster(db, case.get("authority_id")))
    if roster is None:
        return case, [first_event]
    calendar = rules.policy.calendar.for_authority(case["authority_id"])
    return acceptance_chain.on_routing(case, first_event, roster, calendar, case["routed_at"],
                                       rosters.names_of(db, roster))


def _triage_authority_id(db, policy):
    triage = policy.triage_authority_id
    if triage and store.find_authority(db, triage) is None:
        _log.error("triage authority %s is not registered: concern left unrouted", triage)
        return None
    return triage


def redact_summary(db, event):
    """``concern_redacted``: the case keeps the concern's text as anonymised in visits."""
    summary = event.payload["summary"]
    store.redact_summary(db, event.payload["concern_id"], summary, cases.summary_search(summary))


# --- duplicates follow their original --------------------------------------------------------

def answer_duplicates(db, rules, event):
    """``case_answered``: the cases marked duplicates of the answered one take its answer."""
    answered = event.payload
    if answered["original_case_id"] is not None:
        return  # a duplicate's own answer: nothing follows it
    for case_id in store.duplicates_of(db, answered["case_id"]):
        _follow(db, rules, case_id, answered)


def _follow(db, rules, case_id, answered):
    for _ in range(FOLLOW_RETRIES):
        case = store.find_case(db, case_id, store.LISTED)
        if case["status"] != case_life.DUPLICATE_OF:
            return
        outcome = case_life.apply_action(
            case, "answer", cases.SYSTEM_ACTOR, rules.clock.now(), rules.policy,
            answer=answered["answer"], original_case_id=answered["case_id"],
            **{name: answered.get(name) for name in ("answering_unit", "letter",
                                                     "no_letter_reason")})
        try:
            store.commit(db, case, outcome)
            return
        except Conflict:
            continue
    raise Conflict("duplicate kept changing while following its original",
                   {"case_id": [case_id]})


# --- the branch decides: withdrawn, satisfied or not -----------------------------------------

def withdraw_case(db, rules, event):
    """``concern_withdrawn``: the case ends wherever it stands."""
    withdrawn = event.payload
    if store.case_joined_by(db, withdrawn["concern_id"], {"_id": 1}) is not None:
        # one branch's raising of a case others raised too: the case goes on for them
        _log.info("concern %s joined a case: withdrawing it leaves the case",
                  withdrawn["concern_id"])
        return
    _decide(db, rules, withdrawn["concern_id"], "withdraw", reason=withdrawn["reason"])


def review_answer(db, rules, event):
    """``answer_reviewed``: the members' verdict closes the case or reopens it."""
    review = event.payload
    action = "accept_answer" if review["satisfied"] else "reject_answer"
    _decide(db, rules, review["concern_id"], action, comment=review["comment"],
            reviewed_on=review["reviewed_on"].isoformat(), case_id=review["case_id"])


def _decide(db, rules, concern_id, action, case_id=None, **args):
    """Apply the branch's ``action`` to the concern's case as the system; a case the table
    does not let it move (already closed, already withdrawn) is left as it is. A concern
    whose case does not exist yet raises, so the event is retried until it does."""
    for _ in range(FOLLOW_RETRIES):
        case = store.case_of_concern(db, concern_id) or store.case_joined_by(
            db, concern_id, store.LISTED)
        if case is None:
            raise NotFound("no case for this concern yet", {"concern_id": [concern_id]})
        if case_id is not None and case["_id"] != case_id:
            _log.warning("review of case %s names concern %s, whose case is %s: ignored",
                         case_id, concern_id, case["_id"])
            return
        if case["status"] not in {s for row in case_life.TRANSITIONS
                                  if row.action == action for s in row.sources}:
            _log.info("case %s is %s: %s changes nothing", case["_id"], case["status"], action)
            return
        outcome = case_life.apply_action(case, action, cases.SYSTEM_ACTOR, rules.clock.now(),
                                         rules.policy, **args)
        try:
            store.commit(db, case, outcome)
        except Conflict:
            continue  # an officer acted meanwhile: read it again
        _log.info("case %s: %s -> %s (the branch's decision)", case["_id"], case["status"],
                  outcome.state)
        return
    raise Conflict("case kept changing while applying the branch's decision",
                   {"concern_id": [concern_id]})


# --- the organisation tree changed -----------------------------------------------------------

def follow_reorganisation(db, event):
    """``unit_reorganised``: remember where each moved unit used to sit."""
    for unit in event.payload["units"]:
        if unit["ended"]:
            continue
        former = former_ancestors(unit)
        if former:
            store.remember_former(db, unit["unit_id"], former)
    _log.info("reorganisation %s (%s): %d units followed", event.payload["operation_id"],
              event.payload["kind"], len(event.payload["units"]))


def give_receipt_codes(db, event):
    """Visits gave older concerns their receipt codes (an upgrade): their cases carry them."""
    store.give_receipt_codes(db, {given["concern_id"]: given["receipt_code"]
                                  for given in event.payload["codes"]})
