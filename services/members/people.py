"""What the members service keeps of one person, found for their request
(``data_subject_request_recorded``) and erased when a rule says so: on a deletion request, or
once a former member's retention period is over (``retention``).

Every collection naming a member by their code is one line of :data:`NAMING` (their care and
the contacts with them and their family among them), found and erased with the others.

The rule (docs/personal-data.md, docs/members.md):

- a member **on a roll** (``active``) is kept whatever the request: the branch's roll is the
  Party organisation's record of its members, which the Party Charter and its rules on members'
  records oblige it to keep; Law 91/2025/QH15 lets a controller keep what another law or duty
  requires, telling the person why (the answer: ``removed: false``, ``member_record_kept``);
- a **former** member (left, died) is erased: our copy served the branch's meetings, which no
  longer need them (the Party's own file is kept by the Party's archives, not here): the member
  document goes, the attendance lists keep each mark without the code or the reason, the access
  log keeps each read without the code;
- a name several members bear erases nobody (``member_namesakes``): a request names a person by
  name only, and erasing a namesake's record cannot be undone.

Example::

    answer_request(db, {"request_id": "r1", "kind": "deletion", "name": "Trần Văn Dũng", ...})
"""
import dataclasses
import uuid

from services.members import store
from shared import contracts, data_subjects, folding
from shared.personal_data import COLLECTION as READS


@dataclasses.dataclass(frozen=True)
class Naming:
    collection: str
    field: str          # names the member by code: a field, an array of codes, or "list.field"
    kind: str           # what an answer calls such a record (contracts.FOUND_KINDS)
    erase: str          # "delete": the document goes; "unname": the code in it replaced
    keeps: tuple = ()   # "unname" of a list of entries: what each entry keeps beside the code


# every collection naming a member; the member document last, so an erasure cut short by a
# crash is found again (by the member's name or period) and finished
NAMING = (
    Naming("attendance", "marks.member_code", "attendance", "unname", keeps=("mark",)),
    Naming(READS, "record_ids", "personal_data_read", "unname"),
    Naming("contacts", "member_code", "member_contact", "delete"),
    Naming("care", "_id", "member_care", "delete"),
    Naming("members", "_id", "member", "delete"),
)

ON_A_ROLL = "active"
# what an erased member's code becomes where a record keeps their mark or read
ERASED_PREFIX = "da-xoa-"
# what an answer names a member document by, instead of its code
MEMBER_REFERENCE = "dang-vien-"


def is_erased(member_code):
    """Whether ``member_code`` stands for a member erased (no rule counts them any more)."""
    return str(member_code).startswith(ERASED_PREFIX)


def answer_request(db, request):
    """Found (and, for a deletion, erased where the rule allows) once; a redelivered request
    changes nothing."""
    data_subjects.answer_once(db, request, contracts.MEMBERS_DATA_SUBJECT_REQUEST_ANSWERED,
                             lambda asked: records_of(db, asked))


def members_named(db, name):
    """The members whose name is ``name`` (any case or diacritics)."""
    wanted = folding.fold(name)
    return [member for member in store.member_names(db) if folding.fold(member["full_name"])
            == wanted]


def records_of(db, request):
    """``[found]``, or ``(found, False, reason code)`` when a deletion keeps them."""
    members = members_named(db, request["name"])
    codes = [member["_id"] for member in members]
    found = [data_subjects.found(naming.kind, _shown_id(naming, record_id)) for naming in NAMING
             for record_id in store.records_naming(db, naming, codes, contracts.MAX_FOUND)]
    if not data_subjects.is_deletion(request) or not members:
        return found
    if len(members) > 1:
        return found, False, "member_namesakes"
    if members[0]["status"] == ON_A_ROLL:
        return found, False, "member_record_kept"
    erase(db, members[0]["_id"])
    return found


def _shown_id(naming, record_id):
    """What the answer (an event) calls a record: a member's code never travels in an event
    (issue 29), so a member document is named by a reference of this answer alone."""
    return f"{MEMBER_REFERENCE}{uuid.uuid4().hex[:16]}" if naming.field == "_id" else record_id


def erase(db, member_code):
    """Everything naming ``member_code`` erased (:data:`NAMING`, in order): once is enough,
    again changes nothing."""
    erased_code = f"{ERASED_PREFIX}{uuid.uuid4().hex[:12]}"
    for naming in NAMING:
        store.erase_naming(db, naming, member_code, erased_code)
