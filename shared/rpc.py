"""``rpc``: nameko's RPC entrypoint, minus one way to crash a service.

nameko 2.14 answers every request on its ``reply_to``; a request without one raises inside
the worker's result handling and takes the whole service down, and the unacknowledged request
comes back at restart to do it again. Here such a request is logged and acknowledged: there is
nobody to answer, and nothing was carried out. Every service uses this ``rpc``, never nameko's,
so one consumer serves the service's RPC queue.

A :class:`shared.errors.SausatError` it raises (``NotFound``, ``InvalidInput``, …) is an expected
refusal: returned to the caller and logged as one line, without a traceback. Importing this
module registers those classes with nameko, so a caller gets the same class back.

:class:`BoundedRpcProxy` is the proxy every caller uses: it gives up after
``RPC_TIMEOUT_SECONDS`` with :class:`~shared.errors.Unavailable` (503), so a caller on a phone
gets an answer, not an endless wait. The request stays queued for the service, so it may still be
carried out when the service is back: clients retry with the same ``submission_id`` and get that
result instead of a double.

Who calls (``shared.callers``): every request and reply is published with ``user_id``, the
connection's broker user, which RabbitMQ checks. The consumer refuses a request without one,
drops any context header claiming an identity, and hands the entrypoint the verified caller as
``worker_ctx.data["caller"]``. Before the method runs, a ``principal`` argument is accepted only
from the gateway with its signed assertion of that very principal, and a call without one only
from a caller ``SERVICE_CALLS`` lists for the RPC; anything else is refused, logged and answered
with the refusal. The gateway's proxies sign each principal they pass.
"""
import inspect
import sys
import time
from functools import lru_cache, partial
from logging import getLogger

import eventlet
from kombu import Connection, serialization
from nameko import rpc as nameko_rpc
from nameko.amqp.publish import Publisher
from nameko.exceptions import (
    ContainerBeingKilled,
    MalformedRequest,
    UnserializableValueError,
    deserialize_to_instance,
    serialize,
)
from nameko.standalone.rpc import StandaloneProxyBase

from shared import broker_uri, callers, errors, metrics, topology
from shared.config import settings
from shared.errors import Forbidden, SausatError, Unauthorized, Unavailable, quiet_expected_refusals
from shared.rpc_waiting import UnacknowledgedReplyListener, UnconfirmedPublisher
from shared.settling import settle_quietly

_log = getLogger(__name__)

broker_uri.mask_passwords_in_logs()  # every service imports this module

# an RPC caller gets the service's own error class back, with its fields
for _error in errors.REFUSALS:
    deserialize_to_instance(_error)


@lru_cache(maxsize=8)
def _public_key(path):
    return callers.load_key(path, private=False)


@lru_cache(maxsize=8)
def _private_key(path):
    return callers.load_key(path, private=True)


class GuardedRpcConsumer(nameko_rpc.RpcConsumer):
    def setup(self):
        if self.queue is None:
            # a quorum queue (shared.topology.rpc_queue), adopted before nameko consumes it
            config = self.container.config
            self.queue = topology.rpc_queue(self.container.service_name,
                                            nameko_rpc.get_rpc_exchange(config))
            try:
                with Connection(config["AMQP_URI"]) as connection:
                    topology.adopt_rpc_queue(connection, self.queue)  # exchange, binding too
            except (OSError, *Connection(config["AMQP_URI"]).connection_errors) as error:
                # the broker away (an outage, a restart): nameko declares the same quorum
                # queue once it connects; an old classic one is adopted at the next start
                _log.warning("%s not adopted now (%s); declared on connecting",
                             self.queue.name, error)
            self.queue_consumer.register_provider(self)
            self._registered = True
        super().setup()
        self.own_user = callers.broker_user(settings(self.container.config)["AMQP_URI"])

    def handle_message(self, body, message):
        properties = message.properties
        routing_key = message.delivery_info.get("routing_key")
        if not properties.get("reply_to") or not properties.get("correlation_id"):
            _log.error("refused RPC request %s without reply_to or correlation_id: "
                       "nobody to answer, nothing done", routing_key)
            settle_quietly(lambda: self.queue_consumer.ack_message(message), "ack", routing_key)
            return
        if not properties.get("user_id"):
            _log.error("refused RPC request %s without user_id: the caller is unknown, "
                       "nothing done", routing_key)
            refusal = Unauthorized("RPC requests must carry the publisher's user_id",
                                   {"user_id": ["missing"]})
            self.handle_result(message, None, (Unauthorized, refusal, None))
            return
        super().handle_message(body, message)

    def handle_result(self, message, result, exc_info):
        # nameko's Responder, with the reply published as this service's broker user, its body
        # encoded once (nameko encodes it twice: a check, then the publish) and unconfirmed: a
        # reply lost with the broker is lost with the caller's reply queue too, and the caller's
        # retry (same submission_id) answers the same
        config = self.container.config
        result, exc_info, body, content_type, encoding = _encoded_reply(
            message, result, exc_info)
        publisher = Publisher(config["AMQP_URI"], ssl=config.get("AMQP_SSL"),
                              login_method=config.get("LOGIN_METHOD"), user_id=self.own_user)
        publisher.publish(body, content_type=content_type, content_encoding=encoding,
                          use_confirms=False, exchange=nameko_rpc.get_rpc_exchange(config),
                          routing_key=message.properties["reply_to"],
                          correlation_id=message.properties.get("correlation_id"))
        settle_quietly(lambda: self.queue_consumer.ack_message(message), "ack",
                       message.delivery_info.get("routing_key"))
        return result, exc_info


def _encoded_reply(message, result, exc_info):
    """nameko's reply payload, encoded as the request was: an unencodable result becomes
    nameko's ``UnserializableValueError`` (the service stays up), as in its Responder."""
    serializer = serialization.registry.type_to_name[message.properties["content_type"]]
    error = None if exc_info is None else serialize(exc_info[1])
    try:
        content_type, encoding, body = serialization.dumps(
            {"result": result, "error": error}, serializer)
    except Exception:
        exc_info = sys.exc_info()
        result, error = None, serialize(UnserializableValueError(result))
        content_type, encoding, body = serialization.dumps(
            {"result": None, "error": error}, serializer)
    return result, exc_info, body, content_type, encoding


class Rpc(nameko_rpc.Rpc):
    rpc_consumer = GuardedRpcConsumer()

    def __init__(self, expected_exceptions=SausatError, **kwargs):
        super().__init__(expected_exceptions=expected_exceptions, **kwargs)

    def setup(self):
        quiet_expected_refusals()
        config = settings(self.container.config)
        self.public_key = _public_key(config["PRINCIPAL_PUBLIC_KEY_FILE"])
        self.user_suffix = config["BROKER_USER_SUFFIX"] or ""
        method = getattr(self.container.service_cls, self.method_name)
        self.signature = inspect.signature(method)
        self.rpc_name = f"{self.container.service_name}.{self.method_name}"
        super().setup()

    def handle_message(self, body, message):
        try:
            args, kwargs = body["args"], body["kwargs"]
        except (KeyError, TypeError):
            raise MalformedRequest("Message missing `args` or `kwargs`") from None
        self.check_signature(args, kwargs)
        context_data = {key: value for key, value in self.unpack_message_headers(message).items()
                        if key not in callers.IDENTITY_KEYS}
        caller = message.properties.get("user_id")
        assertion = self.assertion_of(message)
        if self.verify_caller(caller, args, kwargs, assertion):
            context_data[callers.RECEIVED_ASSERTION_KEY] = assertion  # for callers.FORWARDS
        context_data[callers.CALLER_KEY] = caller
        try:
            self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                        handle_result=partial(self.handle_result, message))
        except ContainerBeingKilled:
            self.rpc_consumer.requeue_message(message)

    def assertion_of(self, message):
        return (message.headers or {}).get(self._get_header_name(callers.ASSERTION_KEY))

    def _get_header_name(self, key):
        return f"{self.header_prefix}.{key}"

    def verify_caller(self, user, args, kwargs, assertion):
        """Refuse (logged) a principal not signed by the gateway for this very call, and a
        call without a user from a caller the table does not let call this RPC. True when a
        principal came with the gateway's verified assertion."""
        principal = self.signature.bind(None, *args, **kwargs).arguments.get("principal")
        service = callers.caller_service(user, self.user_suffix)
        try:
            if principal is not None:
                # the gateway, or a service passing on the gateway's own assertion (FORWARDS)
                if service != callers.GATEWAY and not callers.may_forward(service,
                                                                          self.rpc_name):
                    raise Forbidden("only the gateway may act for a signed-in user",
                                    {"caller": [user], "rpc": [self.rpc_name]})
                callers.verify_principal(self.public_key, assertion, principal)
                return True
            elif service is None or not callers.may_call_without_user(service, self.rpc_name):
                raise Forbidden(f"{user} may not call {self.rpc_name} without a signed-in user",
                                {"caller": [user], "rpc": [self.rpc_name]})
        except SausatError as refusal:
            _log.warning("refused RPC %s from broker user %s: %s %s", self.rpc_name, user,
                         refusal.message, refusal.fields)
            raise


rpc = Rpc.decorator


class IdentifiedMethodProxy(nameko_rpc.MethodProxy):
    """nameko's, minus inherited identity headers, plus this call's principal assertion."""
    assertion = None

    def __init__(self, worker_ctx, service_name, method_name, reply_listener, **options):
        if options.get("use_confirms") is False:
            self.publisher_cls = UnconfirmedPublisher
        super().__init__(worker_ctx, service_name, method_name, reply_listener, **options)

    def get_message_headers(self, worker_ctx):
        dropped = {self._get_header_name(key) for key in callers.IDENTITY_KEYS}
        headers = {key: value for key, value in super().get_message_headers(worker_ctx).items()
                   if key not in dropped}
        if self.assertion:
            headers[self._get_header_name(callers.ASSERTION_KEY)] = self.assertion
        return headers


def principal_among(args, kwargs):
    """The principal a call passes: ``principal=`` or the positional dict shaped like one."""
    if kwargs.get("principal") is not None:
        return kwargs["principal"]
    for value in reversed(args):
        if isinstance(value, dict) and "user_id" in value and "role" in value:
            return value
    return None


class IdentifiedRpcProxy(nameko_rpc.RpcProxy):
    """nameko's ``RpcProxy``, publishing as this service's broker user (the gateway's also
    signing each principal): for callers that time their replies themselves."""

    def setup(self):
        super().setup()
        config = settings(self.container.config)
        self.timeout = config["RPC_TIMEOUT_SECONDS"]
        self.options["user_id"] = callers.broker_user(config["AMQP_URI"])
        # only the gateway acts for signed-in users, so only it reads the private key
        gateway = self.container.service_name == callers.GATEWAY
        self.signing_key = (_private_key(config["PRINCIPAL_PRIVATE_KEY_FILE"])
                            if gateway else None)

    def get_dependency(self, worker_ctx):
        return IdentifiedServiceProxy(worker_ctx, self.target_service, self.rpc_reply_listener,
                                      self.options, self.signing_key)


class BoundedRpcProxy(IdentifiedRpcProxy):
    """The gateway's: a person waits on each call, so its request is not confirmed and its
    reply not acknowledged (shared.rpc_waiting)."""
    rpc_reply_listener = UnacknowledgedReplyListener()

    def setup(self):
        super().setup()
        self.options["use_confirms"] = False

    def get_dependency(self, worker_ctx):
        return BoundedServiceProxy(worker_ctx, self.target_service, self.rpc_reply_listener,
                                   self.options, self.signing_key, self.timeout)


class IdentifiedServiceProxy:
    """Calls to one service published as the connection's broker user; with the gateway's
    ``signing_key``, each principal passed goes with its signed assertion."""

    def __init__(self, worker_ctx, service, reply_listener, options, signing_key=None):
        self._worker_ctx = worker_ctx
        self._reply_listener = reply_listener
        self._options = options
        self._service = service
        self._signing_key = signing_key

    def _method(self, method_name, args, kwargs):
        method = IdentifiedMethodProxy(self._worker_ctx, self._service, method_name,
                                       self._reply_listener, **self._options)
        principal = principal_among(args, kwargs)
        if principal is not None and self._signing_key is not None:
            method.assertion = callers.sign_principal(self._signing_key, principal)
        elif principal is not None:  # passed on as received (callers.FORWARDS; else refused)
            method.assertion = (self._worker_ctx.context_data or {}).get(
                callers.RECEIVED_ASSERTION_KEY)
        return method

    def _call_async(self, method_name):
        def call_async(*args, **kwargs):
            return self._method(method_name, args, kwargs).call_async(*args, **kwargs)
        return call_async

    def __getattr__(self, method_name):
        if method_name.startswith("_"):
            raise AttributeError(method_name)
        call_async = self._call_async(method_name)

        def call(*args, **kwargs):
            return call_async(*args, **kwargs).result()

        call.call_async = call_async
        return call


class BoundedServiceProxy(IdentifiedServiceProxy):
    def __init__(self, worker_ctx, service, reply_listener, options, signing_key, timeout):
        super().__init__(worker_ctx, service, reply_listener, options, signing_key)
        self._timeout = timeout

    def __getattr__(self, method_name):
        if method_name.startswith("_"):
            raise AttributeError(method_name)
        call_async = self._call_async(method_name)

        def call(*args, **kwargs):
            started, outcome = time.perf_counter(), "error"
            reply = call_async(*args, **kwargs)
            try:
                with eventlet.Timeout(self._timeout):
                    result = reply.result()
                    outcome = "ok"
                    return result
            except eventlet.Timeout:
                outcome = "timeout"
                raise Unavailable(
                    f"{self._service} did not answer within {self._timeout:g} s; retry later",
                    {"service": [self._service]}) from None
            finally:
                metrics.RPC_SECONDS.labels(self._service, method_name, outcome).observe(
                    time.perf_counter() - started)

        call.call_async = call_async
        return call


class IdentifiedClusterRpcProxy(StandaloneProxyBase):
    """nameko's ``ClusterRpcProxy`` for scripts and tests, identified as the broker user of
    ``config["AMQP_URI"]`` (the scripts' is ``loader``). ``signing_key`` is for tests acting
    as the gateway; a script has none, and passes no principal. Example::

        with IdentifiedClusterRpcProxy(config, timeout=30) as cluster:
            cluster.assignments.register_unit(unit)
    """

    def __init__(self, config, timeout=None, signing_key=None):
        super().__init__(config, timeout=timeout)
        options = {"user_id": callers.broker_user(config["AMQP_URI"])}
        self._proxy = _Cluster(
            lambda service: IdentifiedServiceProxy(self._worker_ctx, service,
                                                   self._reply_listener, options, signing_key))


class _Cluster:
    def __init__(self, service_proxy):
        self._service_proxy = service_proxy

    def __getattr__(self, service):
        if service.startswith("_"):
            raise AttributeError(service)
        return self._service_proxy(service)

    __getitem__ = __getattr__


HEALTH_TIMEOUT_SECONDS = 3


def health_of(proxies, timeout=HEALTH_TIMEOUT_SECONDS, passing=()):
    """``{service: health report}`` of each of ``proxies`` ({service: RPC proxy}), all asked
    at once: the gateway's /health and the monitor's alert rounds. One that cannot be asked
    (nobody consumes its RPC queue yet), answers with an error or not within ``timeout`` is
    reported so, a status other than "ok"; an error of a class in ``passing`` (the broker
    away, say) is raised instead, for the caller to answer for the whole."""
    replies, report = {}, {}
    for name, proxy in proxies.items():
        try:
            replies[name] = proxy.health.call_async()
        except passing:
            raise
        except Exception as error:  # UnknownService: its RPC queue has no consumer yet
            report[name] = {"service": name, "status": f"error: {type(error).__name__}"}
    for name, reply in replies.items():
        try:
            with eventlet.Timeout(timeout):
                report[name] = reply.result()
        except eventlet.Timeout:
            report[name] = {"service": name, "status": "not answering"}
        except Exception as error:  # a service that answers with an error is unhealthy
            report[name] = {"service": name, "status": f"error: {type(error).__name__}"}
    return report
