"""How fast attachments' bytes travel from the gateway to the visits service, and what checking
them costs (issue 31, docs/attachments.md). One process, on a vhost of its own that it makes and
deletes::

    python -m tooling.bench.attachment_bench [--amqp pyamqp://guest:guest@localhost:5672]
        [--management http://guest:guest@localhost:15672] [--sizes 0.5,2,8] [--rounds 5]

It times, against a same-run baseline of a plain RPC (a few bytes each way): one RPC per file
carrying its bytes in base64 inside JSON, as ``POST /attachments`` sends them (the service
decodes and hashes them, as ``visits.upload_attachment`` does before its checks), in MB/s of the
file and CPU milliseconds per MB (this process holds both ends: the sum of both sides' CPU);
then the checks of ``shared.attachments`` per MB: a photo decoded, re-encoded and thumbnailed,
a PDF, a DOCX inflated.
"""
import warnings

warnings.filterwarnings("ignore", message="\nEventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

import argparse  # noqa: E402
import base64  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from urllib.parse import quote  # noqa: E402

import requests  # noqa: E402
from nameko.containers import ServiceContainer  # noqa: E402
from nameko.rpc import rpc  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from PIL import Image  # noqa: E402

from shared.attachments import Limits, check_attachment  # noqa: E402

MB = 1_000_000


class AttachmentSink:
    name = "attachment_sink"

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def take(self, upload):
        data = base64.b64decode(upload["content"], validate=True)
        return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def timed(call, rounds):
    """(wall seconds, CPU seconds) per call, the median wall round of ``rounds``."""
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    order = sorted(range(rounds), key=walls.__getitem__)
    middle = order[rounds // 2]
    return walls[middle], cpus[middle]


def transport(amqp_uri, sizes, rounds):
    container = ServiceContainer(AttachmentSink, {"AMQP_URI": amqp_uri, "max_workers": 4})
    container.start()
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=120) as cluster:
            sink = cluster.attachment_sink
            sink.ping()
            wall, cpu = timed(sink.ping, rounds * 4)
            print(f"plain RPC (baseline)     {wall * 1000:8.1f} ms   CPU {cpu * 1000:6.1f} ms")
            for size in sizes:
                raw = os.urandom(int(size * MB))
                upload = {"filename": "x.pdf", "content": base64.b64encode(raw).decode()}
                wall, cpu = timed(lambda: sink.take(upload), rounds)
                print(f"upload RPC {size:5.1f} MB      {wall * 1000:8.1f} ms   "
                      f"{size / wall:6.1f} MB/s   CPU {cpu * 1000 / size:6.1f} ms/MB")
    finally:
        container.stop()


def checks(rounds):
    side = 3000  # a 9 MP phone photo, before the phone's downscaling
    image, out = Image.effect_noise((side, side), 64).convert("RGB"), io.BytesIO()
    image.save(out, "JPEG", quality=90)
    photo = out.getvalue()
    from tests import attachment_samples as samples
    cases = [("photo 9 MP JPEG", "p.jpg", photo),
             ("PDF", "r.pdf", samples.pdf() + os.urandom(2 * MB) + b"\n%%EOF\n"),
             ("DOCX", "m.docx", samples.office_zip("word/", {
                 "word/document.xml": b"<w:t>bien ban</w:t>" * 200_000}))]
    for label, name, data in cases:
        wall, cpu = timed(lambda: check_attachment(name, data, Limits(max_bytes=20 * MB)),
                          rounds)
        size = len(data) / MB
        print(f"check {label:16s} {size:5.2f} MB  {wall * 1000:8.1f} ms   "
              f"CPU {cpu * 1000 / size:7.1f} ms/MB")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--amqp", default="pyamqp://guest:guest@localhost:5672")
    parser.add_argument("--management", default="http://guest:guest@localhost:15672")
    parser.add_argument("--sizes", default="0.5,2,8")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    vhost = f"bench-attachments-{uuid.uuid4().hex[:8]}"
    api = f"{args.management}/api/vhosts/{quote(vhost, safe='')}"
    requests.put(api, timeout=30).raise_for_status()
    user = args.amqp.split("//", 1)[1].split(":", 1)[0]
    requests.put(f"{args.management}/api/permissions/{quote(vhost, safe='')}/{user}",
                 json={"configure": ".*", "write": ".*", "read": ".*"},
                 timeout=30).raise_for_status()
    try:
        transport(f"{args.amqp}/{quote(vhost, safe='')}",
                  [float(s) for s in args.sizes.split(",")], args.rounds)
    finally:
        requests.delete(api, timeout=30)
    checks(args.rounds)


if __name__ == "__main__":
    main()
