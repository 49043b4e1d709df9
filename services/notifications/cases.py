"""Which case event tells whom, with which facts: an event in, ``[(case_id, Message)]`` out.

| event              | recipient                                   | says                        |
|--------------------|---------------------------------------------|-----------------------------|
| case_routed        | the authority it was routed to              | a case reached you          |
| case_unrouted      | the triage authority (if one is configured) | route this concern by hand  |
| case_redirected    | the authority named as responsible          | a case was redirected to you|
| case_escalated     | the authority one level up (none past top)  | a case escalated to you     |
| case_deadline_near | the authority holding the case (if not late)| a deadline is near          |
| case_answered      | the cadre who carried the concern           | an answer arrived           |
| case_information_requested | the cadre who carried the concern   | a question waits for you    |
| case_information_provided  | the authority holding the case      | the information you asked   |
| case_reopened      | the authority holding the case              | the answer was rejected     |
| case_assigned      | the officer its head (or the duty roster)   | a case reached you / was    |
|                    | gave it to                                  | handed to you, not accepted |
| digest_compiled    | the officer of the digest                   | what falls due in 2 days    |
| case_interim_replied | the cadre who carried the concern       | how it stands, answer by    |

An early warning (``case_deadline_near`` with a ``share``) at half the time allowed goes to
the holder and the assignee, at three quarters to the authority's head alone. The officer
working on a case (``assignee_user_id``) is told beside the authority of a deadline near,
the information provided and a rejected answer (the same words, to them).

Every mail links to the case's page (an authority's officers) or the concern's (the cadre),
at ``PAGES_URL``; the sign-in page returns there.

Each function gathers the facts from the directory (raising ``NotYetKnown`` for one that has
not arrived, so the event is retried) and leaves the wording to ``messages``. Example::

    for case_id, message in TELLINGS[event.event_type](db, event): ...
"""
import dataclasses

from services.notifications import directory, messages, store
from shared import contracts
from shared.words import say


def _facts(db, payload, pages_url=None):
    facts = directory.case_facts(db, payload["case_id"], payload["concern_id"])
    return dataclasses.replace(facts, pages_url=pages_url)


def _name_of(db, authority_id):
    return directory.authority(db, authority_id).name if authority_id else None


def case_routed(db, event, pages_url=None):
    payload = event.payload
    authority = directory.authority(db, payload["authority_id"])
    return [(payload["case_id"], messages.case_reached_you(
        _facts(db, payload, pages_url), authority, payload["acknowledge_by"],
        payload.get("acknowledge_before")))]


def case_unrouted(db, event, pages_url=None):
    payload = event.payload
    if payload["authority_id"] is None:  # no triage authority configured: nobody to tell
        return []
    authority = directory.authority(db, payload["authority_id"])
    return [(payload["case_id"], messages.case_needs_routing(
        _facts(db, payload, pages_url), authority))]


def case_redirected(db, event, pages_url=None):
    payload = event.payload
    authority = directory.authority(db, payload["authority_id"])
    return [(payload["case_id"], messages.case_redirected_to_you(
        _facts(db, payload, pages_url), authority, _name_of(db, payload["from_authority_id"]),
        payload["reason"]))]


def case_escalated(db, event, pages_url=None):
    payload = event.payload
    if payload["authority_id"] is None:  # past the top: the standing committee is flagged
        return []
    authority = directory.authority(db, payload["authority_id"])
    return [(payload["case_id"], messages.case_escalated_to_you(
        _facts(db, payload, pages_url), authority, _name_of(db, payload["from_authority_id"]),
        messages.escalation_reason(payload["reason"], payload.get("because"))))]


def _to_holder(db, payload, tell):
    """``tell(recipient)`` to the authority holding the case, and to the officer working on
    it when there is one."""
    recipients = [directory.authority(db, payload["authority_id"])]
    if payload.get("assignee_user_id"):
        recipients.append(directory.officer(db, payload["assignee_user_id"]))
    return [(payload["case_id"], tell(recipient)) for recipient in recipients]


def case_deadline_near(db, event, pages_url=None):
    payload = event.payload
    if messages.too_late_to_remind(event.occurred_at, payload["due_on"]):
        return []  # the sweep ran after the deadline: the escalation's mail says enough
    facts = _facts(db, payload, pages_url)
    share = payload.get("share")
    if share is None:
        return _to_holder(db, payload, lambda recipient: messages.deadline_near(
            facts, recipient, payload["deadline"], payload["due_on"]))
    warn = lambda recipient: messages.deadline_warning(  # noqa: E731
        facts, recipient, payload["deadline"], payload["due_on"], share)
    if payload.get("head_user_id"):  # three quarters gone: the head alone
        return [(payload["case_id"], warn(directory.officer(db, payload["head_user_id"])))]
    return _to_holder(db, payload, warn)


def case_assigned(db, event, pages_url=None):
    """Mail when the head assigned it, or the duty roster did (the officer on duty, then the
    deputy and the head when nobody accepted it): an officer who took it knows."""
    payload = event.payload
    if payload.get("rung"):
        return [(payload["case_id"], messages.on_duty_or_handed(
            _facts(db, payload, pages_url), directory.officer(db, payload["assignee_user_id"]),
            payload["rung"]))]
    if not payload.get("assigned_by") or payload["assigned_by"] == payload["assignee_user_id"]:
        return []
    return [(payload["case_id"], messages.case_assigned_to_you(
        _facts(db, payload, pages_url), directory.officer(db, payload["assignee_user_id"]),
        directory.officer(db, payload["assigned_by"]).name))]


def raisings(db, payload):
    """The payload for the case's own concern, then for each concern other branches attached
    to it (issue 25): each cadre who carried one is told, of their own concern."""
    return [payload] + [{**payload, "concern_id": concern_id}
                        for concern_id in store.joined_concerns(db, payload["case_id"])]


def _to_carriers(db, payload, pages_url, tell):
    return [(payload["case_id"], tell(_facts(db, raised, pages_url),
                                      directory.carrier(db, raised["concern_id"])))
            for raised in raisings(db, payload)]


def case_answered(db, event, pages_url=None):
    payload = event.payload
    holder = _name_of(db, payload["authority_id"])
    return _to_carriers(db, payload, pages_url, lambda facts, cadre: messages.answer_arrived(
        facts, cadre, holder, payload["answer"], payload))


def raiser_told_of_answer(db, event, raiser, pages_url=None):
    """``case_answered``, to the raiser who left an address (``raiser``: visits' answer, with
    the code and the unsubscribe token): ``(case_id, Message)``."""
    payload = event.payload
    facts = _facts(db, payload, pages_url)
    code = raiser.get("receipt_code") or facts.receipt_code
    facts = dataclasses.replace(facts, receipt_code=code)
    base = (pages_url or "").rstrip("/")
    follow = f"{base}/follow?code={code}" if base and code else None
    unsubscribe = f"{base}/follow/unsubscribe?token={raiser['token']}" if base else None
    recipient = messages.Recipient("raiser", payload["concern_id"],
                                   say("mail.raiser_name"), raiser["email"])
    return payload["case_id"], messages.answer_to_raiser(
        facts, recipient, _name_of(db, payload["authority_id"]), follow, unsubscribe)


def case_information_requested(db, event, pages_url=None):
    payload = event.payload
    holder = _name_of(db, payload["authority_id"])
    return _to_carriers(db, payload, pages_url, lambda facts, cadre: (
        messages.information_requested(facts, cadre, holder, payload["question"])))


def case_information_provided(db, event, pages_url=None):
    payload = event.payload
    facts = _facts(db, payload, pages_url)
    return _to_holder(db, payload, lambda recipient: messages.information_provided(
        facts, recipient, payload["information"], payload["answer_by"]))


def case_reopened(db, event, pages_url=None):
    payload = event.payload
    facts = _facts(db, payload, pages_url)
    return _to_holder(db, payload, lambda recipient: messages.answer_rejected(
        facts, recipient, payload["reason"], payload["answer_by"], payload.get("because")))


def digest_compiled(db, event, pages_url=None):
    """An officer's daily digest: one mail (no single case: ``case_id`` None)."""
    payload = event.payload
    lines = [(_facts(db, line, pages_url), line["deadline"], line["due_on"])
             for line in payload["cases"]]
    return [(None, messages.daily_digest(directory.officer(db, payload["user_id"]),
                                         payload["day"], lines))]


def case_interim_replied(db, event, pages_url=None):
    payload = event.payload
    holder = _name_of(db, payload["authority_id"])
    return _to_carriers(db, payload, pages_url, lambda facts, cadre: (
        messages.interim_reply_given(facts, cadre, holder, payload["committed_on"],
                                     payload["note"])))


TELLINGS = {
    contracts.CASE_ROUTED: case_routed,
    contracts.CASE_UNROUTED: case_unrouted,
    contracts.CASE_REDIRECTED: case_redirected,
    contracts.CASE_ESCALATED: case_escalated,
    contracts.CASE_DEADLINE_NEAR: case_deadline_near,
    contracts.CASE_ANSWERED: case_answered,
    contracts.CASE_INFORMATION_REQUESTED: case_information_requested,
    contracts.CASE_INFORMATION_PROVIDED: case_information_provided,
    contracts.CASE_REOPENED: case_reopened,
    contracts.CASE_ASSIGNED: case_assigned,
    contracts.DIGEST_COMPILED: digest_compiled,
    contracts.CASE_INTERIM_REPLIED: case_interim_replied,
}
CASE_EVENTS = tuple(TELLINGS)
