"""Reads a topic in a consumer group with confluent-kafka (librdkafka).

The same output as consumer.py: one JSON line per record, then the
partitions it held. Commits after each record batch; stops after
--idle-ms without new records.
"""

import argparse
import json

from confluent_kafka import Consumer


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--topic", default="demo_1")
    parser.add_argument("--group", default="consumer.group.id.demo.1")
    parser.add_argument("--idle-ms", type=int, default=8000)
    args = parser.parse_args()

    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "client.id": "demo-consumer",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 1000,
    })
    consumer.subscribe([args.topic])
    idle_ms = 0
    while idle_ms < args.idle_ms:
        records = consumer.consume(num_messages=100, timeout=0.5)
        records = [r for r in records if r.error() is None]
        for r in records:
            n = json.loads(r.value())["n"]
            print(json.dumps({"partition": r.partition(), "offset": r.offset(), "n": n}), flush=True)
        if records:
            consumer.commit(asynchronous=False)
            idle_ms = 0
        else:
            idle_ms += 500
    held = sorted(tp.partition for tp in consumer.assignment())
    print(json.dumps({"assignment": held}), flush=True)
    consumer.close()


if __name__ == "__main__":
    main()
