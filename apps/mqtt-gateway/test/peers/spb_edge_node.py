"""A Sparkplug B edge node with two devices, on pysparkplug (not our code), for interop tests.

Publishes NBIRTH/DBIRTH with names and aliases, then DDATA with aliases only, every --period-ms.
Prints one JSON line per event: {"born": n}, {"sent": {...}}, {"rebirth": n}, {"command": {...}}, {"ncmd": [...]}.
Answers NCMD Node Control/Rebirth with new births. Ends when stdin closes; SIGKILL leaves its will (NDEATH).
"""
import argparse
import datetime
import itertools
import json
import sys
import threading
import time

import pysparkplug as spb
from pysparkplug._edge_node import EdgeNode as _EdgeNode  # for the bdSeq cycler it keeps per class

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--group", required=True)
parser.add_argument("--node", required=True)
parser.add_argument("--devices", default="d1,d2")
parser.add_argument("--bdseq", type=int, default=0, help="bdSeq of this process's first connection")
parser.add_argument("--period-ms", type=int, default=50)
parser.add_argument("--count", type=int, default=-1, help="stop sending data after this many DDATA (and stay connected)")
parser.add_argument("--skip-seq-at", type=int, default=-1, help="skip one seq before this DDATA (a lost message)")
args = parser.parse_args()

lock = threading.RLock()  # births from the command thread and data from the sender share one seq


def emit(event):
    with lock:
        sys.stdout.write(json.dumps(event, default=str) + "\n")
        sys.stdout.flush()


D = spb.DataType
# name, alias, datatype, value of message n
DEVICE_METRICS = [
    ("counter", 1, D.INT64, lambda n: n),
    ("offset", 2, D.INT8, lambda n: -(n % 100)),
    ("big", 3, D.UINT64, lambda n: 2**63 + n),
    ("temperature", 4, D.FLOAT, lambda n: 20.5),
    ("pressure", 5, D.DOUBLE, lambda n: 1.25 + n),
    ("running", 6, D.BOOLEAN, lambda n: n % 2 == 0),
    ("mode", 7, D.STRING, lambda n: f"m{n}"),
    ("serviced", 8, D.DATETIME, lambda n: datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)),
    ("setpoint", 9, D.DOUBLE, lambda n: 50.0),
]


def metrics(n, with_names, timestamp):
    return [
        spb.Metric(timestamp=timestamp, name=name if with_names else None, alias=alias, datatype=dt, value=value(n))
        for name, alias, dt, value in DEVICE_METRICS
    ]


def on_ncmd(node, message):
    names = [m.name for m in message.payload.metrics]
    emit({"ncmd": names})
    if "Node Control/Rebirth" in names:
        publish_births()
        emit({"rebirth": args.node})


def on_dcmd(node, message):
    emit({"command": {"device": message.topic.device_id, "metrics": [
        {"name": m.name, "datatype": m.datatype.name, "value": m.value} for m in message.payload.metrics
    ]}})


for _ in range(args.bdseq):
    next(_EdgeNode._EdgeNode__bd_seq_cycler)
now = spb.get_current_timestamp()
node = spb.EdgeNode(args.group, args.node, [spb.Metric(timestamp=now, name="uptime", alias=100, datatype=D.INT64, value=0)], cmd_callback=on_ncmd)
devices = args.devices.split(",")
for device in devices:
    node.register(spb.Device(device, metrics(0, True, now), cmd_callback=on_dcmd))

counter = itertools.count(1)
sent = 0


def publish(message_type, payload, device=None):
    topic = spb.Topic(message_type=message_type, group_id=args.group, edge_node_id=args.node, device_id=device)
    node._client.publish(spb.Message(topic=topic, payload=payload, qos=spb.QoS.AT_MOST_ONCE, retain=False), include_dtypes=True)


def publish_births():
    """What pysparkplug publishes on connect, again, with this connection's bdSeq (a rebirth keeps it)."""
    with lock:
        node._EdgeNode__seq_cycler = itertools.cycle(range(256))
        ts = spb.get_current_timestamp()
        bd_seq = spb.Metric(timestamp=ts, name="bdSeq", datatype=D.INT64, value=args.bdseq)
        publish(spb.MessageType.NBIRTH, spb.NBirth(timestamp=ts, seq=node._seq, metrics=(*node.metrics.values(), bd_seq)))
        for device in devices:
            publish(spb.MessageType.DBIRTH, spb.DBirth(timestamp=ts, seq=node._seq, metrics=tuple(metrics(0, True, ts))), device)


def send_data():
    global sent
    while sent != args.count:
        time.sleep(args.period_ms / 1000)
        n = next(counter)
        device = devices[n % len(devices)]
        ts = spb.get_current_timestamp()
        with lock:
            if sent == args.skip_seq_at:
                node._seq  # a message the broker never saw
            seq = node._seq
            publish(spb.MessageType.DDATA, spb.DData(timestamp=ts, seq=seq, metrics=tuple(metrics(n, False, ts))), device)
            sent += 1
        emit({"sent": {"device": device, "counter": n, "seq": seq, "timestamp": ts}})


# pysparkplug publishes the births from its connect callback, on its own thread and seq: data
# starts once the last DBIRTH is out, or its seq would interleave with theirs.
births = threading.Event()
_publish = node._client.publish


def publish_and_note(message, **kwargs):
    _publish(message, **kwargs)
    if message.topic.message_type == spb.MessageType.DBIRTH and message.topic.device_id == devices[-1]:
        births.set()


node._client.publish = publish_and_note
node.connect("127.0.0.1", port=args.port, blocking=False)
births.wait()
emit({"born": args.bdseq})
threading.Thread(target=send_data, daemon=True).start()
sys.stdin.read()
node.disconnect()
