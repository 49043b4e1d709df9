"""What the run ran on, and what each service process used, read from /proc.

Example::

    describe_machine(rabbitmq_version="3.10.8")   # {"cores": 2, "memory": "23.4 GiB", ...}
    cpu_seconds(pid)                                # utime + stime so far, in seconds
    rss_megabytes(pid)                              # resident set size now
    broker_pid()                                    # RabbitMQ's VM, or None
"""
import os
import pathlib
import platform
import subprocess

from shared.config import ROOT

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _first(path, prefix):
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def git_commit():
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                                capture_output=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, text=True,
                               capture_output=True, timeout=10).stdout.strip()
        return commit + (" (with uncommitted changes)" if dirty else "") if commit else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def describe_machine(rabbitmq_version):
    memory_kb = _first("/proc/meminfo", "MemTotal")
    memory = f"{int(memory_kb.split()[0]) / 1024**2:.1f} GiB" if memory_kb != "?" else "?"
    return {
        "cores": os.cpu_count(),
        "memory": memory,
        "CPU": _first("/proc/cpuinfo", "model name"),
        "OS": _os_name(),
        "Python": platform.python_version(),
        "RabbitMQ": rabbitmq_version,
        "git commit": git_commit(),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _os_name():
    try:
        with open("/etc/os-release") as handle:
            for line in handle:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def cpu_seconds(pid):
    """User plus system CPU time of process ``pid`` so far (fields 14 and 15 of stat)."""
    with open(f"/proc/{pid}/stat") as handle:
        # the command name (field 2) may hold spaces: split after its closing parenthesis
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def broker_pid(base=None):
    """The pid of the RabbitMQ node deploy/rabbitmq.sh runs (its ``rabbitmq.pid`` under
    ``RABBITMQ_BASE``), or None when there is no live Erlang VM behind it (another broker:
    its CPU is then not measured). Its CPU is the whole node's, other vhosts' work included."""
    base = pathlib.Path(base or os.environ.get("RABBITMQ_BASE") or ROOT / "var" / "rabbitmq")
    try:
        pid = int((base / "rabbitmq.pid").read_text().strip())
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            alive = b"beam" in handle.read()
    except (OSError, ValueError):
        return None
    return pid if alive else None


def rss_megabytes(pid):
    value = _first(f"/proc/{pid}/status", "VmRSS")
    return int(value.split()[0]) / 1024 if value != "?" else None
