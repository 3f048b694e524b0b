"""A consumer of Fieldlink's topics written only from docs/topics.md, as a team that consumes them would.

Reads every topic under a prefix from the beginning to its current end, validates each record
against the published JSON Schema (libs/schemas/json-schema), checks the key rules and the
schemaVersion, and drops duplicate telemetry by id. Prints one JSON object with what it found.

    python consumer.py --brokers 127.0.0.1:9092 --prefix fieldlink. --schemas libs/schemas/json-schema
"""

import argparse
import json
import sys
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from jsonschema import Draft7Validator, FormatChecker

TOPICS = ["telemetry", "device-status", "dead-letter", "commands", "command-results", "devices", "window-stats", "alerts"]
KNOWN_SCHEMA_VERSIONS = {1}


def read_all(brokers, topic):
    """Every record of the topic, from the beginning to the end it had when we asked."""
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": f"docs-consumer-{uuid.uuid4()}", "enable.auto.commit": False})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        ends = {}
        for p in partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            if high > low:
                ends[p] = high
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in ends])
        records = []
        while ends:
            message = consumer.poll(5)
            if message is None:
                # A partition can end in a transaction marker, which is no record: its position tells.
                done = [tp.partition for tp in consumer.position([TopicPartition(topic, p) for p in ends]) if tp.offset >= ends[tp.partition]]
                if not done:
                    raise TimeoutError(f"{topic}: no record for 5 s with partitions {sorted(ends)} unread")
                for p in done:
                    ends.pop(p)
                continue
            if message.error():
                raise RuntimeError(f"{topic}: {message.error()}")
            records.append(message)
            if message.offset() + 1 >= ends.get(message.partition(), 0):
                ends.pop(message.partition(), None)
        return records
    finally:
        consumer.close()


def check_topic(brokers, prefix, schemas, topic):
    with open(f"{schemas}/{topic}.schema.json", encoding="utf-8") as f:
        validator = Draft7Validator(json.load(f), format_checker=FormatChecker())
    found = {"records": 0, "tombstones": 0, "invalid": 0, "unknownVersion": 0, "keyMismatch": 0, "firstProblem": None}
    seen_ids = set()
    for message in read_all(brokers, prefix + topic):
        found["records"] += 1
        if message.value() is None:  # devices: a tombstone forgets a device
            found["tombstones"] += 1
            continue
        record = json.loads(message.value())
        if record.get("schemaVersion") not in KNOWN_SCHEMA_VERSIONS:
            found["unknownVersion"] += 1
            continue
        error = next(iter(validator.iter_errors(record)), None)
        if error is not None:
            found["invalid"] += 1
            found["firstProblem"] = found["firstProblem"] or f"{list(error.absolute_path)}: {error.message}"
        key = message.key().decode("utf-8") if message.key() is not None else None
        # Every topic is keyed by deviceId; a dead letter of no known device has a null key.
        if key != record.get("deviceId"):
            found["keyMismatch"] += 1
        if topic == "telemetry":
            seen_ids.add(record["id"])
    if topic == "telemetry":
        found["uniqueIds"] = len(seen_ids)
        found["duplicatesDropped"] = found["records"] - len(seen_ids)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--schemas", required=True)
    args = parser.parse_args()
    report = {topic: check_topic(args.brokers, args.prefix, args.schemas, topic) for topic in TOPICS}
    json.dump(report, sys.stdout)
    print()


if __name__ == "__main__":
    main()
