"""The seed documents' edge client, on paho-mqtt (not our code): it publishes
{"sensor_id", "timestamp": time.time(), "data": {...}} to edge/<id>/data and obeys
{"type": ...} commands on edge/<id>/command.

Prints one JSON line per event on stdout: {"ready"}, {"published": n, "timestamp": t}
and {"command": <payload>}. Exits when stdin closes.
"""
import json
import random
import sys
import threading
import time

import paho.mqtt.client as mqtt

port, root, sensor_id, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
data_topic = f"{root}edge/{sensor_id}/data"
command_topic = f"{root}edge/{sensor_id}/command"


def say(event):
    print(json.dumps(event), flush=True)


def on_message(_client, _userdata, message):
    say({"command": json.loads(message.payload)})


subscribed = threading.Event()
client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"edge-{sensor_id}")
client.on_message = on_message
client.on_subscribe = lambda *_args: subscribed.set()
client.connect("127.0.0.1", port)
client.loop_start()
client.subscribe(command_topic, qos=1)
subscribed.wait(10)
say({"ready": True})

for n in range(count):
    timestamp = time.time()
    body = {"sensor_id": sensor_id, "timestamp": timestamp, "data": {"temperature": round(random.uniform(18, 30), 2), "motor": {"rpm": 1000 + n}}}
    client.publish(data_topic, json.dumps(body), qos=1).wait_for_publish(10)
    say({"published": n, "timestamp": timestamp})

sys.stdin.read()
client.loop_stop()
client.disconnect()
