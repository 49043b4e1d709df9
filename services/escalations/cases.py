"""New cases and cases as they are shown: plain functions over the stored document.

:func:`new_case` makes the document (and its first event) of a raised concern, routed by a rule
or held by the triage authority; :func:`shown` is a case as the inbox and the case page show it
to a principal, with the actions that principal's side may take now (``access.actions_for``).
The store (``store``) keeps them. Example::

    case, event = new_case(concern, event_id, rule, triage_authority_id, policy, now)
    shown(case, now, {"ubnd-xa-tam-hop": "UBND xã Tam Hợp"}, officer)["allowed_actions"]
"""
import datetime as dt

from services.escalations import case_clock, case_life
from services.escalations.access import actions_for
from services.escalations.case_tiers import tier_shown
from shared import contracts, folding, similar_cases
from shared.clock import vietnam_date

SYSTEM_ACTOR = {"user_id": "system", "role": "system"}
# the inbox's text search finds a case by the first this many words of its summary: the
# index's entries per case stay bounded however long the text
SEARCHED_WORDS = 60


def summary_search(summary):
    """What a case stores under ``search`` for the inbox's text search (``shared.folding``)."""
    return folding.search_key(" ".join(folding.fold(summary or "").split()[:SEARCHED_WORDS]))


def new_case(concern, source_event_id, rule, triage_authority_id, policy, now,
             raised_by_user=None):
    """A case for a raised concern, with its first timeline line and its first event: routed by
    ``rule``, or held by the triage authority (or unrouted when there is none).
    ``raised_by_user``: who carried the concern (the ``concern_raised`` envelope's actor); the
    raising side's actions and reads are theirs."""
    case_id = contracts.new_id()
    urgency = concern.get("urgency", "normal")
    case = {
        "_id": case_id, "version": 1, "concern_id": concern["concern_id"],
        "unit_id": concern["unit_id"], "unit_path": concern["unit_path"],
        # the commune it was raised in, and the other branches that raised it since (issue 25)
        "commune_id": similar_cases.commune_of(concern["unit_path"]), "raisings": [],
        "topic": concern["topic"], "urgency": urgency, "summary": concern["summary"],
        "search": summary_search(concern["summary"]),
        # the unit the concern is about, when not the branch's own
        "locality_unit_id": concern.get("locality_unit_id"),
        "raised_by": concern["raised_by"], "raised_on": concern["raised_on"].isoformat(),
        "contact_kind": concern.get("contact_kind"),  # raised at a contact, not a meeting
        # who raised it kept from the authority (the summary came without them); confidential:
        # only the holder's head and the officers the head names read it (access.may_read)
        "raiser_withheld": concern.get("raiser_withheld", False),
        "confidential": concern.get("confidential", False), "named_officer_ids": [],
        # the raiser's code for the public page, and the texts written for it (following)
        "receipt_code": concern.get("receipt_code"), "public_summary": None,
        "public_answer": None,
        "source_event_id": source_event_id, "raised_by_user": raised_by_user,
        "rule_id": rule and rule.rule_id,
        "routed_at": now, "received_at": now, "acknowledged_at": None, "awaiting_since": None,
        "answer": None, "answered_at": None, "closed_at": None, "duplicate_of": None,
        "escalated_past": [], "reminded": [], "reopened_count": 0,
        # the holder's officer who took it (services/escalations/holding.py)
        "assignee_user_id": None,
        "standing_committee_flagged": False, "triage": rule is None,
    }
    authority_id = rule.authority_id if rule else triage_authority_id
    if authority_id is None:
        case.update(status=case_life.UNROUTED, authority_id=None, acknowledge_by=None,
                    answer_by=None, routed_at=None, received_at=None)
    else:
        # its severity tier (tiers in force) with acceptance by a moment in office hours
        tier, acknowledge_by, answer_by = policy.case_deadlines(case, authority_id, now)
        case.update(status=case_life.ROUTED, authority_id=authority_id, tier=tier,
                    acknowledge_by=acknowledge_by.isoformat(), answer_by=answer_by.isoformat())
    case.update(case_clock.schedule(case, policy))
    why = f"routing rule {rule.rule_id}" if rule else "no routing rule covers it: triage"
    because = ({"code": "routing_rule", "rule_id": rule.rule_id, "topic": concern["topic"]}
               if rule else {"code": "no_routing_rule"})
    case["timeline"] = [{"at": now, **SYSTEM_ACTOR, "action": "route", "from_state": None,
                         "to_state": case["status"], "why": why, "because": because,
                         "authority_id": authority_id}]
    refs = {"case_id": case_id, "concern_id": concern["concern_id"]}
    if rule:
        event = contracts.CASE_ROUTED.new({**refs, "authority_id": authority_id,
                                           "rule_id": rule.rule_id,
                                           "acknowledge_by": case_life.as_date(acknowledge_by),
                                           "acknowledge_before": case_clock.as_moment(
                                               acknowledge_by),
                                           "tier": tier},
                                          occurred_at=now)
    else:
        event = contracts.CASE_UNROUTED.new({**refs, "unit_id": concern["unit_id"],
                                             "topic": concern["topic"],
                                             "authority_id": authority_id}, occurred_at=now)
    return case, event


def shown(case, now, authority_names, principal=None, calendar=None):
    """A case as the inbox and the case page show it to ``principal`` (times in UTC, as
    stored), with the actions their side may take now (None: a trusted internal caller) and,
    given the working ``calendar``, the running deadline's last day and the working days left
    to it (``due_on``, ``working_days_left``: "hết ngày 09/12, còn 3 ngày làm việc")."""
    due_at = case.get("due_at") and case["due_at"].astimezone(dt.timezone.utc)
    pending = case_clock.pending_deadline(case) if "status" in case else None
    due_on = pending[1] if pending else None
    days_left = (calendar.working_days_left(vietnam_date(now), due_on)
                 if due_on and calendar is not None else None)
    if "timeline" in case:  # each line names the authority it left the case with
        case = {**case, "timeline": [{**entry, "authority_name": authority_names.get(
            entry.get("authority_id"))} for entry in case["timeline"]]}
    return {**case, "authority_name": authority_names.get(case.get("authority_id")),
            "tier": tier_shown(case),
            "due_at": due_at, "overdue": bool(due_at and due_at <= now),
            "due_on": due_on and due_on.isoformat(), "working_days_left": days_left,
            "branch_count": len(similar_cases.branches_of(case)) if "unit_id" in case else 1,
            "allowed_actions": actions_for(case, principal)}
