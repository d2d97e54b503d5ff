"""Sends keyed messages with confluent-kafka (librdkafka), the course demo's way.

The same messages and output as producer.py: keys user-0..user-9, values
{"n": n, "key": key}, one JSON line per delivery report. With --pace-ms
it waits between messages, so a fault can strike while it runs.
"""

import argparse
import json
import time

from confluent_kafka import Producer


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--topic", default="demo_1")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--acks", default="all")
    parser.add_argument("--idempotent", action="store_true")
    parser.add_argument("--pace-ms", type=int, default=0)
    args = parser.parse_args()

    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "client.id": "demo-producer",
        "acks": args.acks,
        "enable.idempotence": args.idempotent,
        "message.timeout.ms": 120000,
    })

    def report(err, msg):
        n = json.loads(msg.value())["n"]
        if err is None:
            print(json.dumps({"acked": n, "partition": msg.partition(), "offset": msg.offset()}), flush=True)
        else:
            print(json.dumps({"failed": n, "error": str(err)}), flush=True)

    for n in range(args.count):
        key = f"user-{n % 10}"
        producer.produce(args.topic, key=key, value=json.dumps({"n": n, "key": key}), on_delivery=report)
        producer.poll(0)
        if args.pace_ms:
            time.sleep(args.pace_ms / 1000)
    producer.flush(120)


if __name__ == "__main__":
    main()
