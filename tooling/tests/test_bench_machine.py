"""The benchmark finds RabbitMQ's node by the pid file deploy/rabbitmq.sh writes, and nothing
else: a pid file naming another program, or none, leaves the broker's CPU unmeasured."""
import pathlib
import subprocess
import sys
import time

from tooling.bench.machine import broker_pid, cpu_seconds


def _running(*argv):
    """A process sleeping, once it runs its own command line (before exec it shows ours)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", *argv])
    deadline = time.monotonic() + 10
    while b"time.sleep" not in pathlib.Path(f"/proc/{process.pid}/cmdline").read_bytes():
        assert time.monotonic() < deadline, "the process never started"
        time.sleep(0.01)
    return process


def test_the_broker_is_the_erlang_vm_its_pid_file_names(tmp_path):
    node = _running("beam.smp")  # stands in for the VM: what the check reads is the cmdline
    try:
        (tmp_path / "rabbitmq.pid").write_text(f"{node.pid}\n")
        assert broker_pid(tmp_path) == node.pid
        assert cpu_seconds(broker_pid(tmp_path)) >= 0
    finally:
        node.kill()
        node.wait()


def test_no_broker_when_the_pid_file_is_missing_stale_or_names_another_program(tmp_path):
    assert broker_pid(tmp_path) is None
    other = _running()
    try:
        (tmp_path / "rabbitmq.pid").write_text(str(other.pid))
        assert broker_pid(tmp_path) is None
    finally:
        other.kill()
        other.wait()
    (tmp_path / "rabbitmq.pid").write_text("not a pid")
    assert broker_pid(tmp_path) is None
