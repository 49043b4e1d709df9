"""How long a former member is kept (Law 91/2025/QH15: personal data kept no longer than its
purpose needs; docs/members.md#how-long-members-are-kept).

A member who left or died stays, with their stints and their marks in the branch's attendance
lists, ``RETENTION_FORMER_MEMBER_DAYS`` after the day their membership ended (``ended_on``):
the branch's past meetings still read them (``as_of``), and the year's absence rule and its
review need them. Past it the store's sweep (``shared.retention``, every
``RETENTION_SWEEP_SECONDS``) erases them as a deletion request would (``people.erase``): the
member document goes, each attendance mark keeps the mark without the code or the reason, each
read of the access log keeps the read without the code. A member on a roll is never swept.

The member document is erased last, so a sweep cut short by a crash finds the member again and
finishes: running it twice changes nothing more. Example::

    FORMER_MEMBERS.run(db, now - dt.timedelta(days=730), 500)    # 2 former members erased
"""
from services.members import people, store
from shared.retention import Sweep


def erase_former_members(db, before, batch):
    """Former members whose membership ended before ``before`` erased, ``batch`` at most;
    how many."""
    codes = store.ended_before(db, before.date().isoformat(), batch)
    for code in codes:
        people.erase(db, code)
    return len(codes)


FORMER_MEMBERS = Sweep("former members", "RETENTION_FORMER_MEMBER_DAYS", "members",
                       [("ended_on", 1)], erase_former_members)
