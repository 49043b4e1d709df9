"""What a case event tells whom: recipients, a Vietnamese subject and body, every word from
the one catalogue (``shared.words``, keys ``mail.*``).

Pure rules, no I/O: the service gathers the facts (the case, the concern, the registry's
addresses) and these functions turn them into :class:`Message` values. Example::

    message = case_reached_you(case, authority, acknowledge_by=dt.date(2026, 12, 2))
    message.subject   # '[Sâu Sát] Ý kiến mới cần tiếp nhận trước 02/12/2026: Đường thôn …'

Each notification is keyed by the event it tells of and its recipient
(:func:`notification_id`), so the same event handled twice yields the same key and one mail;
its Message-ID derives from that key (:func:`message_id`), so a resend is recognisably the same
mail.
"""
import datetime as dt
import hashlib
from dataclasses import dataclass

from shared.clock import VIETNAM, vietnam_date
from shared.words import say, say_value

DEADLINES = ("acknowledge", "answer")
SUBJECT_SUMMARY_CHARS = 60


@dataclass(frozen=True)
class Recipient:
    kind: str            # "authority", "cadre" or "officer" (the one a case is assigned to)
    recipient_id: str
    name: str
    email: str = None    # None: registered without an address, so not mailed


@dataclass(frozen=True)
class CaseFacts:
    case_id: str
    concern_id: str
    topic: str = None
    summary: str = None
    unit_name: str = None
    raised_on: dt.date = None
    confidential: bool = False   # its text stays in the system (summary None)
    # the code people read and type (shared.receipts); None: a concern from before it
    receipt_code: str = None
    # where people open the pages (PAGES_URL); None: no link (a mail without one)
    pages_url: str = None


@dataclass(frozen=True)
class Message:
    recipient: Recipient
    subject: str
    body: str


def notification_id(event_id, recipient):
    """The key of the notification of ``event_id`` to ``recipient``: the same on every replay."""
    raw = f"{event_id}:{recipient.kind}:{recipient.recipient_id}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]


def message_id(notification_key, mail_from):
    """An RFC 5322 Message-ID derived only from the notification (and the sender's domain)."""
    domain = mail_from.rpartition("@")[2] or "sausat.localhost"
    return f"<{notification_key}@{domain}>"


def retry_delay(attempts, delays):
    """Seconds to wait after the ``attempts``-th failed attempt; the last delay repeats."""
    if attempts < 1:
        raise ValueError("attempts counts from 1")
    return delays[min(attempts, len(delays)) - 1]


def too_late_to_remind(reminded_at, due_on):
    """A reminder made after its deadline's last day (Vietnam time), e.g. by a sweep that ran
    late: the deadline is no longer near but past, and the escalation tells the rest."""
    return vietnam_date(reminded_at) > due_on


def vn_date(day):
    return day.strftime("%d/%m/%Y")


def replacing(old_summary, new_summary):
    """A function putting ``new_summary`` wherever a mail quoted ``old_summary`` (its body,
    its shortened subject)."""
    pairs = [(old_summary, new_summary), (_short(old_summary), _short(new_summary))]

    def replace(text):
        for old, new in pairs:
            text = text.replace(old, new)
        return text
    return replace


def _short(text, limit=SUBJECT_SUMMARY_CHARS):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _concern_lines(case):
    lines = []
    if case.unit_name:
        lines.append(say("mail.raised_at_unit", unit=case.unit_name))
    if case.topic:
        lines.append(say("mail.topic", topic=say_value("topic", case.topic)))
    if case.summary:
        lines.append(say("mail.summary", summary=case.summary))
    if case.confidential:
        lines.append(say("mail.confidential"))
    if case.raised_on:
        lines.append(say("mail.raised_on", day=vn_date(case.raised_on)))
    if case.receipt_code:  # the short code people can read out, not the 32-character id
        lines.append(say("mail.receipt_code", code=case.receipt_code))
    else:
        lines.append(say("mail.case_id", case_id=case.case_id))
    return lines


def _subject(lead, case):
    return say("mail.subject", lead=lead,
               summary=_short(case.summary or case.receipt_code or case.case_id))


def page_link(case, recipient):
    """Where the recipient opens this case, behind sign-in (which returns to it): an
    authority's officers its case page, the cadre who carried it the concern's page."""
    if not case.pages_url:
        return None
    base = case.pages_url.rstrip("/")
    if recipient.kind == "cadre":
        return f"{base}/app/concerns/{case.concern_id}"
    return f"{base}/app/cases/{case.case_id}"


def _body(recipient, opening, case, extra_lines):
    key = "mail.dear_comrade" if recipient.kind == "cadre" else "mail.dear"
    link = page_link(case, recipient)
    opened = ["", say("mail.open_link", link=link)] if link else []
    lines = [say(key, name=recipient.name), "", opening, *_concern_lines(case), *extra_lines,
             *opened, "", say("mail.footer")]
    return "\n".join(lines) + "\n"


def _deadline(deadline):
    if deadline not in DEADLINES:
        raise KeyError(deadline)
    return say_value("due_kind", deadline)


def case_reached_you(case, authority, acknowledge_by, acknowledge_before=None):
    """``case_routed``: the authority now holding the case must acknowledge it in time: by
    the end of a working day, or (a severity tier's target in office hours) before a moment,
    said in Vietnam's time."""
    if acknowledge_before is not None:
        local = acknowledge_before.astimezone(VIETNAM)
        day = f"{local:%H:%M} ngày {vn_date(local)}"
        deadline = say("mail.acknowledge_before", moment=day)
    else:
        day = vn_date(acknowledge_by)
        deadline = say("mail.acknowledge_by", day=day)
    return Message(
        recipient=authority,
        subject=_subject(say("mail.reached_you_subject", day=day), case),
        body=_body(authority, say("mail.reached_you"), case, [deadline]))


def case_assigned_to_you(case, officer, head_name):
    """``case_assigned`` by the head: the officer named works on the case now."""
    return Message(
        recipient=officer,
        subject=_subject(say("mail.assigned_subject"), case),
        body=_body(officer, say("mail.assigned", head=head_name), case, []))


def on_duty_or_handed(case, officer, rung):
    """``case_assigned`` by the duty roster: the receiving officer of the day is given a new
    case ("receiving"), or nobody accepted it in time and it climbs to the deputy or the head
    inside the authority."""
    if rung == "receiving":
        return Message(recipient=officer, subject=_subject(say("mail.on_duty_subject"), case),
                       body=_body(officer, say("mail.on_duty"), case, []))
    who = say_value("rung", rung)
    return Message(recipient=officer,
                   subject=_subject(say("mail.handed_over_subject", rung=who), case),
                   body=_body(officer, say("mail.handed_over", rung=who), case, []))


def deadline_warning(case, recipient, deadline, due_on, share):
    """An early warning: half the time allowed gone (the holder and the assignee), or three
    quarters (the authority's head)."""
    what, day = _deadline(deadline), vn_date(due_on)
    part = say_value("warning_share", str(round(share * 100)))
    return Message(
        recipient=recipient,
        subject=_subject(say("mail.warning_subject", part=part, deadline=what, day=day), case),
        body=_body(recipient, say("mail.warning", part=part, deadline=what), case,
                   [say("mail.deadline_on", deadline=what, day=day)]))


def daily_digest(officer, day, lines):
    """An officer's digest of the day: ``lines`` are ``(CaseFacts, deadline, due_on)`` of the
    cases they work on that fall due within two working days, each with its link."""
    body = [say("mail.dear", name=officer.name), "",
            say("mail.digest", n=len(lines), day=vn_date(day)), ""]
    for case, deadline, due_on in lines:
        what = case.summary or case.receipt_code or case.case_id
        body.append(say("mail.digest_line", summary=_short(what), deadline=_deadline(deadline),
                        day=vn_date(due_on)))
        link = page_link(case, officer)
        if link:
            body.append(f"  {link}")
    body += ["", say("mail.footer")]
    return Message(recipient=officer,
                   subject=say("mail.subject", lead=say("mail.digest_subject", day=vn_date(day)),
                               summary=say("mail.digest_count", n=len(lines))),
                   body="\n".join(body) + "\n")


def deadline_near(case, authority, deadline, due_on):
    """A reminder before the acknowledge or answer deadline of a case the authority holds."""
    what, day = _deadline(deadline), vn_date(due_on)
    return Message(
        recipient=authority,
        subject=_subject(say("mail.deadline_near_subject", deadline=what, day=day), case),
        body=_body(authority, say("mail.deadline_near", deadline=what), case,
                   [say("mail.deadline_on", deadline=what, day=day)]))


def escalation_reason(reason, because=None):
    """Why a case escalated, in words: the sweep's deadline or the holder's escalating without
    a reason (``because``), else the holder's own words as they wrote them."""
    code = (because or {}).get("code")
    if code == "deadline_passed":
        return say("mail.deadline_passed", deadline=_deadline(because["deadline"]),
                   day=vn_date(dt.date.fromisoformat(because["due_on"])))
    if code == "escalated_by_holder":
        return say("mail.escalated_by_holder")
    return reason


def case_escalated_to_you(case, authority, from_authority_name, reason=None):
    """``case_escalated``: the case now sits with the authority one level up."""
    extra = [say("mail.escalated_from", authority=from_authority_name)]
    if reason:
        extra.append(say("mail.reason", reason=reason))
    return Message(
        recipient=authority,
        subject=_subject(say("mail.escalated_subject"), case),
        body=_body(authority, say("mail.escalated"), case, extra))


def case_redirected_to_you(case, authority, from_authority_name, reason):
    """``case_redirected``: the case now sits with the authority named as responsible."""
    extra = [say("mail.reason", reason=reason)]
    if from_authority_name:
        extra.insert(0, say("mail.redirected_from", authority=from_authority_name))
    return Message(
        recipient=authority,
        subject=_subject(say("mail.redirected_subject"), case),
        body=_body(authority, say("mail.redirected"), case, extra))


def case_needs_routing(case, triage_authority):
    """``case_unrouted``: no routing rule covers the concern; triage routes it by hand."""
    return Message(
        recipient=triage_authority,
        subject=_subject(say("mail.needs_routing_subject"), case),
        body=_body(triage_authority, say("mail.needs_routing"), case, []))


def answer_arrived(case, cadre, authority_name, answer, record=None):
    """``case_answered``: the cadre who carried the concern reads the answer back at the branch,
    with how it settled the matter and the letter it came by (``record``: the event's, issue 25;
    none on answers from before it)."""
    return Message(
        recipient=cadre,
        subject=_subject(say("mail.answered_subject"), case),
        body=_body(cadre, say("mail.answered", authority=authority_name), case,
                   ["", say("mail.answer_heading"), answer, *_record_lines(record or {})]))


def _record_lines(record):
    """The answer's outcome (with the body or law it names), its unit and letter, in words."""
    if not record.get("outcome"):
        return []
    outcome = say_value("answer_outcome", record["outcome"])
    named = record.get("right_body") or record.get("law")
    lines = ["", say("mail.answer_outcome", outcome=f"{outcome}: {named}" if named
                     else outcome)]
    letter = record.get("letter")
    if letter:
        lines.append(say("mail.answer_letter", unit=record.get("answering_unit") or "",
                         number=letter["number"],
                         day=vn_date(dt.date.fromisoformat(letter["date"]))))
    elif record.get("no_letter_reason"):
        lines.append(say("mail.answer_no_letter", unit=record.get("answering_unit") or "",
                         why=record["no_letter_reason"]))
    return lines


def answer_to_raiser(case, raiser, authority_name, follow_link, unsubscribe_link):
    """``case_answered``, to whoever raised the concern and left an address: an answer came,
    where to follow it by its code (the answer itself is read out at the branch's next meeting
    and shown only as published), and the link that stops these mails."""
    lines = [say("mail.dear", name=raiser.name), "",
             say("mail.raiser_answered", authority=authority_name or ""), ""]
    if case.topic:
        lines.append(say("mail.topic", topic=say_value("topic", case.topic)))
    lines.append(say("mail.receipt_code", code=case.receipt_code or ""))
    if follow_link:
        lines += ["", say("mail.raiser_follow", link=follow_link)]
    if unsubscribe_link:
        lines += ["", say("mail.raiser_unsubscribe", link=unsubscribe_link)]
    return Message(recipient=raiser,
                   subject=say("mail.subject", lead=say("mail.answered_subject"),
                               summary=case.receipt_code or ""),
                   body="\n".join(lines) + "\n")


def information_requested(case, cadre, authority_name, question):
    """``case_information_requested``: the cadre who carried the concern is asked; the answer
    deadline waits for them."""
    return Message(
        recipient=cadre,
        subject=_subject(say("mail.information_requested_subject"), case),
        body=_body(cadre, say("mail.information_requested", authority=authority_name), case,
                   ["", say("mail.question_heading"), question]))


def information_provided(case, authority, information, answer_by):
    """``case_information_provided``: the authority holding the case has what it asked for;
    its answer deadline runs again."""
    return Message(
        recipient=authority,
        subject=_subject(say("mail.information_provided_subject"), case),
        body=_body(authority, say("mail.information_provided"), case,
                   [say("mail.deadline_on", deadline=_deadline("answer"),
                        day=vn_date(answer_by)),
                    "", say("mail.information_heading"), information]))


def answer_rejected(case, authority, reason, answer_by, because=None):
    """``case_reopened``: the branch was not satisfied with the answer read out (``because``:
    its verdict, the comment in the members' words), or the raising side reopened the closed
    case (``reason``: their words); the authority answers again."""
    if (because or {}).get("code") == "members_not_satisfied":
        extra = [say("mail.members_not_satisfied",
                     day=vn_date(dt.date.fromisoformat(because["reviewed_on"])))]
        if because.get("comment"):
            extra.append(say("mail.comment", comment=because["comment"]))
    else:
        extra = [say("mail.reason", reason=reason)]
    return Message(
        recipient=authority,
        subject=_subject(say("mail.reopened_subject"), case),
        body=_body(authority, say("mail.reopened"), case,
                   [*extra, say("mail.deadline_on", deadline=_deadline("answer"),
                                day=vn_date(answer_by))]))


def interim_reply_given(case, cadre, authority_name, committed_on, note):
    """``case_interim_replied``: the cadre who carried the concern hears how the matter stands
    and the date the authority committed to answer by (gia hạn)."""
    return Message(
        recipient=cadre,
        subject=_subject(say("mail.interim_reply_subject"), case),
        body=_body(cadre, say("mail.interim_reply", authority=authority_name,
                              day=vn_date(committed_on)), case,
                   ["", say("mail.progress_heading"), note]))
