"""Authorities and routing rules registered and kept up to date: changed, retired and handed
over with dates.

Each write is idempotent (the importer resends rows): a registration or a change that changes
nothing, a retirement already made on the same day, a hand-over already done, all answer what
is stored and emit nothing. An authority retired from a day receives no concerns from then: its
routing rules in force end the day before. ``principal`` is who asks (already allowed
``registry.manage``; None: a trusted internal caller). Example::

    retire_authority(db, "ubnd-huyen-binh-xuyen", dt.date(2025, 7, 1), principal)
    store.routing_rules_page(db, {"as_of": dt.date(2025, 7, 1), ...})   # its rules are gone
"""
import datetime as dt
from logging import getLogger

from services.escalations import reply_templates, routing, store
from shared import clock, contracts, folding
from shared.authorisation import actor_of
from shared.errors import Conflict, NotFound, RuleViolated

_log = getLogger(__name__)

AUTHORITY_FIELDS = ("name", "kind", "level", "unit_id", "parent_authority_id", "email")


def _day_before(day):
    return (day - dt.timedelta(days=1)).isoformat()


def _authority(db, authority_id):
    found = store.find_authority(db, authority_id, store.OUT)
    if found is None:
        raise NotFound("authority not found", {"authority_id": [str(authority_id)]})
    return found


# --- authorities -----------------------------------------------------------------------------

def register_authority(db, authority, principal):
    """The authority stored once, with ``authority_registered`` (registered again with another
    e-mail address: that address changed, with ``authority_contact_changed``)."""
    parent = authority["parent_authority_id"]
    if parent is not None and store.find_authority(db, parent) is None:
        raise NotFound("parent authority not found", {"parent_authority_id": [parent]})
    actor = actor_of(principal)
    event = contracts.AUTHORITY_REGISTERED.new(authority, actor=actor)
    changed = contracts.AUTHORITY_CONTACT_CHANGED.new(
        {"authority_id": authority["authority_id"], "email": authority["email"]}, actor=actor)
    document = {"_id": authority.pop("authority_id"), **authority, "actor": actor,
                "search": folding.search_key(authority["name"])}
    return store.register_authority(db, document, [event], [changed])


def _authority_events(before, after, actor):
    events = [contracts.AUTHORITY_CHANGED.new({
        "authority_id": after["_id"], **{key: after.get(key) for key in AUTHORITY_FIELDS},
        "retired_on": after.get("retired_on") and dt.date.fromisoformat(
            after["retired_on"])}, actor=actor)]
    if before.get("email") != after.get("email"):
        events.append(contracts.AUTHORITY_CONTACT_CHANGED.new(
            {"authority_id": after["_id"], "email": after.get("email")}, actor=actor))
    return events


def _write_authority(db, before, changes, actor):
    after = {**before, **changes}
    if "name" in changes:
        changes = {**changes, "search": folding.search_key(changes["name"])}
    store.change_authority(db, before, changes, _authority_events(before, after, actor))
    return after


def change_authority(db, authority_id, changes, principal):
    """The authority with ``changes`` (stored form) set; unchanged when they change nothing."""
    before = _authority(db, authority_id)
    parent = changes.get("parent_authority_id")
    if parent is not None:
        if parent == authority_id:
            raise RuleViolated("an authority cannot escalate to itself",
                               {"parent_authority_id": [parent]})
        _authority(db, parent)
    if all(before.get(key) == value for key, value in changes.items()):
        return before
    return _write_authority(db, before, changes, actor_of(principal))


def retire_authority(db, authority_id, retired_on, principal):
    """The authority retired from ``retired_on``, its rules ended the day before."""
    before = _authority(db, authority_id)
    if before.get("retired_on") not in (None, retired_on.isoformat()):
        raise Conflict("the authority is already retired",
                       {"retired_on": [f"retired on {before['retired_on']}"]})
    # its rules first: a crash after them is finished by the same call again
    last_day = _day_before(retired_on)
    for rule in store.rules_of_authority(db, authority_id):
        if rule.get("effective_to") is None or rule["effective_to"] > last_day:
            store.end_routing_rule(db, rule["_id"], last_day, actor_of(principal))
    if before.get("retired_on") == retired_on.isoformat():
        return before
    after = _write_authority(db, before, {"retired_on": retired_on.isoformat()},
                             actor_of(principal))
    _log.info("authority %s retired from %s", authority_id, retired_on)
    return after


# --- routing rules ---------------------------------------------------------------------------

def add_routing_rule(db, rule, principal):
    """The rule stored once (the same rule again answers the stored one)."""
    if store.find_authority(db, rule["authority_id"]) is None:
        raise NotFound("authority not found", {"authority_id": [rule["authority_id"]]})
    document = {"_id": rule.pop("rule_id"), **rule,
                "effective_from": rule["effective_from"] and rule["effective_from"].isoformat(),
                "effective_to": rule["effective_to"] and rule["effective_to"].isoformat(),
                "actor": actor_of(principal)}
    return store.add_routing_rule(db, document)


def change_routing_rule(db, rule_id, change, principal):
    """Retire a rule (``effective_to``) or hand it to another authority from a day:
    ``{"retired": the rule as it ends, "added": the rule taking over, or None}``."""
    rule = store.find_routing_rule(db, rule_id)
    if rule is None:
        raise NotFound("routing rule not found", {"rule_id": [str(rule_id)]})
    last_day = (change["effective_to"].isoformat() if "effective_to" in change
                else _day_before(change["changed_on"]))
    if rule.get("effective_from") and last_day < _day_before(
            dt.date.fromisoformat(rule["effective_from"])):
        raise RuleViolated("a rule cannot end before it began", {
            "effective_to": [f"it began {rule['effective_from']}"]})
    if rule.get("effective_to") not in (None, last_day) and rule["effective_to"] < last_day:
        raise Conflict("the rule has already ended", {
            "effective_to": [f"ended {rule['effective_to']}"]})
    added = None
    if "effective_to" not in change:
        _authority(db, change["authority_id"])
        added = store.find_routing_rule(db, change["new_rule_id"])
        if added is None or added.get("replaces") != rule_id or (
                added["authority_id"], added["effective_from"]) != (
                change["authority_id"], change["changed_on"].isoformat()):
            added = _hand_over(db, rule, change, principal)
    store.end_routing_rule(db, rule_id, last_day, actor_of(principal))
    return {"retired": {**rule, "effective_to": last_day, "ended_by": actor_of(principal)},
            "added": added}


def _hand_over(db, rule, change, principal):
    """The rule that takes over from ``changed_on`` (inserted once)."""
    ends = rule.get("effective_to")
    if ends is not None and ends < change["changed_on"].isoformat():
        ends = None  # the old rule's end was this hand-over (a retry): the new one is open
    document = {**{k: v for k, v in rule.items() if k not in ("_id", "actor")},
                "_id": change["new_rule_id"], "authority_id": change["authority_id"],
                "effective_from": change["changed_on"].isoformat(), "effective_to": ends,
                "replaces": rule["_id"], "actor": actor_of(principal)}
    return store.add_routing_rule(db, document)


# --- the migration of issue 21 (schema version 2) ---------------------------------------------

def resolve_duplicate_rules(db, on=None):
    """Before the unique index of rules (``store.RULE_KEYS``) is built: an older store let in
    rules sharing a key where urgency or effective_from was null or missing, and routing picked
    among them the largest ``rule_id`` in force. Keep, of each group, the rule routing picks
    ``on`` (today in Vietnam), and retire the others into ``store.RETIRED_RULES`` naming it,
    each logged. Idempotent: a re-run after a crash finds only what is left. Answers
    ``[(kept_id, [retired_id, ...])]``."""
    on = on or clock.today()
    resolved = []
    for group in store.rules_sharing_a_key(db):
        kept = _picked(group, on)
        retired = [rule["_id"] for rule in group if rule["_id"] != kept]
        for rule in group:
            if rule["_id"] != kept:
                store.retire_duplicate_rule(db, rule, kept, on.isoformat())
        first = group[0]
        _log.warning("routing rules %s shared topic %r, unit %r, urgency %r and effective_from "
                     "%r: kept %s (the one routing picks on %s), retired %s into %s",
                     [rule["_id"] for rule in group], first["topic"], first["unit_id"],
                     first.get("urgency"), first.get("effective_from"), kept, on, retired,
                     store.RETIRED_RULES)
        resolved.append((kept, retired))
    return resolved


def _picked(group, on):
    """The id of the rule of ``group`` routing picks ``on``; when none is in force that day,
    one still to come before one ended, the largest id among equals (as routing breaks ties)."""
    rules = [routing.RoutingRule.stored(doc) for doc in group]
    first = rules[0]
    picked = routing.route_concern(first.topic, [first.unit_id], rules, on=on,
                                   urgency=first.urgency)
    if picked is None:
        picked = max(rules, key=lambda rule: (rule.effective_to is None
                                              or rule.effective_to >= on, rule.rule_id))
    return picked.rule_id


def add_reply_template(db, template, principal, now):
    """Store a reply template an officer adds for their own authority."""
    return store.add_reply_template(
        db, reply_templates.new_template(template, principal, now))


def change_reply_template(db, template_id, changes, principal, now):
    """An officer changes their authority's template; the change kept on it."""
    changed, line = reply_templates.change(store.find_reply_template(db, template_id),
                                           changes, principal, now)
    return store.change_reply_template(db, template_id, changed, line)


def delete_reply_template(db, template_id, principal, now):
    """An officer deletes their authority's template: kept, no longer listed nor usable."""
    deleted, line = reply_templates.delete(store.find_reply_template(db, template_id),
                                           principal, now)
    return store.change_reply_template(db, template_id, deleted, line)
