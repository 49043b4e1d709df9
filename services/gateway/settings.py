"""The gateway's settings: the shared ones (token secret and lifetime, RPC timeout), the pages'
cookie policy, the trusted proxies, and the HTTP edge's timeouts and connection cap. Defaults
are written in ``deploy/config.yml`` only."""
import ipaddress

from marshmallow import ValidationError, fields, validate, validates

from shared import config

# the session cookie's Secure flag: follow the request's scheme, always, or never (local http)
SECURE_MODES = ("auto", "always", "never")


def parse_networks(value):
    """The trusted networks of a comma-separated string or a list; ValueError naming the entry
    that is neither an address nor a CIDR."""
    entries = value.split(",") if isinstance(value, str) else list(value or [])
    networks = []
    for entry in entries:
        entry = str(entry).strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is neither an IP address nor a CIDR") from None
    return tuple(networks)


class Networks(fields.Field):
    """Addresses or CIDRs, as a list or a comma-separated string: ``"10.0.0.0/8, 192.0.2.7"``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, (str, list, tuple)):
            raise ValidationError("must be addresses or CIDRs, comma-separated")
        try:
            return parse_networks(value)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class Settings(config.Settings):
    PAGES_COOKIE_SECURE = fields.String(required=True)
    GATEWAY_READ_TIMEOUT_SECONDS = fields.Float(
        required=True, validate=validate.Range(min=0, min_inclusive=False))
    GATEWAY_IDLE_TIMEOUT_SECONDS = fields.Float(
        required=True, validate=validate.Range(min=0, min_inclusive=False))
    GATEWAY_MAX_CONNECTIONS = fields.Integer(required=True, validate=validate.Range(min=1))
    # the reverse proxies whose X-Forwarded-For names the client (edge.client)
    TRUSTED_PROXIES = Networks(required=True)
    # the visits service's file limits, told to the visit form (pages/attach_form.py)
    ATTACHMENT_MAX_BYTES = fields.Integer(required=True, validate=validate.Range(1, 10_000_000))
    ATTACHMENTS_PER_ITEM = fields.Integer(required=True, validate=validate.Range(0, 20))
    ATTACHMENTS_PER_VISIT = fields.Integer(required=True, validate=validate.Range(0, 200))

    @validates("PAGES_COOKIE_SECURE")
    def _secure_mode(self, value, **kwargs):
        if value.lower() not in SECURE_MODES:
            raise ValidationError(f"must be one of {', '.join(SECURE_MODES)}")


def settings(given):
    return config.load_settings(Settings(), given)
