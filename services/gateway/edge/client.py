"""Who the client is, by address: the one answer the sign-in throttle counts under.

The direct peer is the client, unless it is one of ``TRUSTED_PROXIES`` (addresses or CIDRs):
then ``X-Forwarded-For`` is read from the right, each trusted hop skipped, and the first hop no
trusted proxy is becomes the client. Anyone can write an ``X-Forwarded-For``; only the hops our
own proxies appended are believed, so an untrusted peer's header is ignored entirely and a
forged left-most entry never wins. Example::

    trusted = parse_networks("10.0.0.0/8, 192.0.2.7")
    client_address("10.1.2.3", "203.0.113.9, 198.51.100.4", trusted)   # -> "198.51.100.4"
"""
import ipaddress

from nameko.extensions import DependencyProvider

from services.gateway.settings import parse_networks  # noqa: F401 (read with the setting)

# at most this many hops are read from the right: a huge header costs no more than this
MAX_HOPS = 20


def _address(text):
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # a dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d; the settings name them as IPv4
    return getattr(address, "ipv4_mapped", None) or address


def _trusted(address, trusted):
    return any(address in network for network in trusted)


def client_address(peer, forwarded_for, trusted):
    """The client's address: ``peer`` unless a trusted proxy, else the right-most hop of
    ``forwarded_for`` that no trusted proxy is (a malformed hop ends the search there: what is
    left of it was written by someone we do not trust, so the hop we reached is the answer)."""
    current = _address(peer or "")
    if current is None or not trusted or not _trusted(current, trusted):
        return str(current) if current is not None else peer
    for hop in reversed((forwarded_for or "").split(",")[-MAX_HOPS:]):
        address = _address(hop)
        if address is None:
            break
        current = address
        if not _trusted(current, trusted):
            break
    return str(current)


class ClientAddress(DependencyProvider):
    """``self.client.address_of(request)``, with ``TRUSTED_PROXIES`` read once at start by
    ``load_settings`` (the gateway's, handed in: the edge imports no settings)."""

    def __init__(self, load_settings):
        self.load_settings = load_settings

    def setup(self):
        self.trusted = self.load_settings(self.container.config)["TRUSTED_PROXIES"]

    def get_dependency(self, worker_ctx):
        return self

    def address_of(self, request):
        return client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                              self.trusted)
