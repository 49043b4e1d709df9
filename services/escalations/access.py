"""Which cases an authority officer may read: plain rules, tested directly.

An officer reads the inbox and the cases of their own authority (and, once escalation exists,
those escalated past it); another authority's answers exactly like one that does not exist.
"""


def holds(principal, authority_id):
    """Whether a case or inbox of ``authority_id`` is the principal's to read (None: an
    internal caller that checked elsewhere)."""
    return principal is None or (principal.role == "authority_officer"
                                 and principal.authority_id == authority_id)
