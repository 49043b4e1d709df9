"""nameko's ``rpc-<service>`` request queues are quorum queues (shared.topology.rpc_queue), so
on a cluster the node holding one does not take every call to that service down with it. An
installed system's classic queue is replaced when the service starts, unless an older instance
still consumes from it: then the new instance refuses to start, saying what to do."""
import pytest
from kombu import Connection, Exchange, Queue
from nameko.standalone.rpc import ServiceRpcProxy

from services.assignments.service import AssignmentsService
from shared import topology

RPC_EXCHANGE = Exchange("nameko-rpc", type="topic", durable=True)


def queue_type(rabbit_manager, vhost, name):
    return rabbit_manager.get_queue(vhost, name)["arguments"].get("x-queue-type", "classic")


def classic_rpc_queue(config, waiting=0):
    """``rpc-assignments`` as nameko 2.14 declares it, with ``waiting`` requests in it."""
    with Connection(config["AMQP_URI"]) as connection:
        channel = connection.channel()
        queue = Queue("rpc-assignments", RPC_EXCHANGE, routing_key="assignments.*",
                      durable=True)
        queue(channel).declare()
        for number in range(waiting):
            connection.Producer(channel).publish({"args": [], "kwargs": {}},
                                                 exchange=RPC_EXCHANGE,
                                                 routing_key="assignments.list_levels",
                                                 serializer="json", message_id=str(number))


def test_a_service_declares_its_rpc_queue_as_a_quorum_queue(container_factory, config,
                                                            rabbit_manager):
    container_factory(AssignmentsService, config).start()
    assert queue_type(rabbit_manager, config["vhost"], "rpc-assignments") == "quorum"
    with ServiceRpcProxy("assignments", config, timeout=15) as proxy:
        assert proxy.list_levels()


def test_an_installed_systems_classic_rpc_queue_is_replaced_at_start(container_factory, config,
                                                                     rabbit_manager, caplog):
    classic_rpc_queue(config, waiting=2)
    assert queue_type(rabbit_manager, config["vhost"], "rpc-assignments") == "classic"
    container_factory(AssignmentsService, config).start()
    assert queue_type(rabbit_manager, config["vhost"], "rpc-assignments") == "quorum"
    assert "2 request(s) left in the classic queue were dropped" in caplog.text
    with ServiceRpcProxy("assignments", config, timeout=15) as proxy:
        assert proxy.list_levels()


def test_a_classic_rpc_queue_an_older_instance_consumes_is_not_touched(config, rabbit_manager):
    classic_rpc_queue(config)
    with Connection(config["AMQP_URI"]) as older:  # an instance of the previous code
        consumer = older.Consumer(Queue("rpc-assignments", RPC_EXCHANGE,
                                        routing_key="assignments.*", durable=True),
                                  callbacks=[lambda body, message: None])
        consumer.consume()
        with Connection(config["AMQP_URI"]) as connection, \
                pytest.raises(RuntimeError, match="stop every instance of the service"):
            topology.adopt_rpc_queue(connection, topology.rpc_queue("assignments",
                                                                    RPC_EXCHANGE))
    assert queue_type(rabbit_manager, config["vhost"], "rpc-assignments") == "classic"
