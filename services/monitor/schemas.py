"""RPC payloads of the monitor service."""
from shared.pages import PageQuery


class RecentEventsQuery(PageQuery):
    """The audit trail, newest first, a page at a time."""
