"""What a case event tells whom: recipients, a Vietnamese subject and body (with one English line).

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

from shared.clock import vietnam_date

TOPIC_LABELS = {
    "land": "Đất đai",
    "infrastructure": "Hạ tầng, giao thông",
    "environment": "Môi trường",
    "social_policy": "Chính sách xã hội",
    "public_order": "An ninh, trật tự",
    "economy": "Kinh tế",
    "party_building": "Xây dựng Đảng",
    "public_service": "Dịch vụ công",
    "other": "Khác",
}
DEADLINE_LABELS = {"acknowledge": "tiếp nhận", "answer": "trả lời"}
SUBJECT_SUMMARY_CHARS = 60
FOOTER = ("Thư này do hệ thống Sâu Sát gửi tự động; vui lòng không trả lời thư này.\n"
          "(Sent automatically by Sâu Sát; please do not reply.)")


@dataclass(frozen=True)
class Recipient:
    kind: str            # "authority" or "cadre"
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
        lines.append(f"  Nơi nêu ý kiến: {case.unit_name}")
    if case.topic:
        lines.append(f"  Lĩnh vực: {TOPIC_LABELS.get(case.topic, case.topic)}")
    if case.summary:
        lines.append(f"  Nội dung: {case.summary}")
    if case.confidential:
        lines.append("  Ý kiến mật: nội dung chỉ xem trong hệ thống, theo phân công của "
                     "thủ trưởng cơ quan")
    if case.raised_on:
        lines.append(f"  Ngày nêu: {vn_date(case.raised_on)}")
    lines.append(f"  Mã hồ sơ: {case.case_id}")
    return lines


def _subject(lead, case):
    return f"[Sâu Sát] {lead}: {_short(case.summary or case.case_id)}"


def _body(recipient, opening, case, extra_lines, english):
    salutation = "đồng chí " if recipient.kind == "cadre" else ""
    lines = [f"Kính gửi {salutation}{recipient.name},", "", opening, *_concern_lines(case),
             *extra_lines, "", english, "", FOOTER]
    return "\n".join(lines) + "\n"


def case_reached_you(case, authority, acknowledge_by):
    """``case_routed``: the authority now holding the case must acknowledge it in time."""
    return Message(
        recipient=authority,
        subject=_subject(f"Ý kiến mới cần tiếp nhận trước {vn_date(acknowledge_by)}", case),
        body=_body(authority,
                   "Một ý kiến, nguyện vọng của cơ sở vừa được chuyển đến đơn vị để giải quyết.",
                   case, [f"  Hạn tiếp nhận: {vn_date(acknowledge_by)}"],
                   f"(English: a concern was routed to you; please acknowledge it by "
                   f"{acknowledge_by.isoformat()}.)"))


def deadline_near(case, authority, deadline, due_on):
    """A reminder before the acknowledge or answer deadline of a case the authority holds."""
    what = DEADLINE_LABELS[deadline]
    return Message(
        recipient=authority,
        subject=_subject(f"Sắp đến hạn {what} ({vn_date(due_on)})", case),
        body=_body(authority, f"Hồ sơ dưới đây sắp đến hạn {what} mà chưa được xử lý.", case,
                   [f"  Hạn {what}: {vn_date(due_on)}"],
                   f"(English: the {deadline} deadline of this case is near: "
                   f"{due_on.isoformat()}.)"))


def case_escalated_to_you(case, authority, from_authority_name, reason=None):
    """``case_escalated``: the case now sits with the authority one level up."""
    extra = [f"  Chuyển lên từ: {from_authority_name}"]
    if reason:
        extra.append(f"  Lý do: {reason}")
    return Message(
        recipient=authority,
        subject=_subject("Ý kiến quá hạn được chuyển lên đơn vị", case),
        body=_body(authority, "Một ý kiến, nguyện vọng đã quá hạn xử lý ở cấp dưới và được "
                   "chuyển lên đơn vị theo dõi, giải quyết.", case, extra,
                   f"(English: this case escalated to you from {from_authority_name}.)"))


def case_redirected_to_you(case, authority, from_authority_name, reason):
    """``case_redirected``: the case now sits with the authority named as responsible."""
    extra = [f"  Lý do: {reason}"]
    if from_authority_name:
        extra.insert(0, f"  Đơn vị chuyển: {from_authority_name}")
    return Message(
        recipient=authority,
        subject=_subject("Ý kiến được chuyển đến đúng thẩm quyền", case),
        body=_body(authority, "Một ý kiến, nguyện vọng được chuyển đến đơn vị vì thuộc thẩm "
                   "quyền giải quyết của đơn vị.", case, extra,
                   f"(English: {from_authority_name or 'triage'} redirected this case to "
                   "you.)"))


def case_needs_routing(case, triage_authority):
    """``case_unrouted``: no routing rule covers the concern; triage routes it by hand."""
    return Message(
        recipient=triage_authority,
        subject=_subject("Ý kiến chưa xác định nơi giải quyết, cần phân loại", case),
        body=_body(triage_authority, "Một ý kiến, nguyện vọng chưa có quy tắc chuyển đến cơ "
                   "quan giải quyết. Đề nghị đơn vị phân loại và chuyển đến đúng thẩm quyền.",
                   case, [], "(English: no routing rule covers this concern; please route it "
                   "by hand.)"))


def answer_arrived(case, cadre, authority_name, answer):
    """``case_answered``: the cadre who carried the concern reads the answer back at the branch."""
    return Message(
        recipient=cadre,
        subject=_subject("Đã có trả lời ý kiến", case),
        body=_body(cadre, f"{authority_name} đã trả lời ý kiến, nguyện vọng đồng chí đã tiếp "
                   "nhận tại cơ sở. Đề nghị đồng chí thông tin lại tại buổi sinh hoạt chi bộ "
                   "gần nhất.", case, ["", "Nội dung trả lời:", answer],
                   "(English: the concern you carried has been answered; please read the "
                   "answer back at the branch's next meeting.)"))
