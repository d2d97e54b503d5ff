"""Sends keyed messages to a topic with kafka-python, the course demo's way.

Each message's key is one of ten users and its value a JSON object with
the message's number `n`, so a reader can check per-partition order. Every
acknowledged message is printed as a JSON line
{"acked": n, "partition": p, "offset": o}; failures as {"failed": n, ...}.
"""

import argparse
import json

from kafka import KafkaProducer


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--topic", default="demo_1")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--acks", default="all", help="0, 1 or all")
    parser.add_argument("--idempotent", action="store_true")
    args = parser.parse_args()

    acks = args.acks if args.acks == "all" else int(args.acks)
    producer = KafkaProducer(
        bootstrap_servers=args.bootstrap.split(","),
        client_id="demo-producer",
        acks=acks,
        enable_idempotence=args.idempotent,
    )
    futures = []
    for n in range(args.count):
        key = f"user-{n % 10}"
        futures.append((n, producer.send(args.topic, key=key.encode(), value=json.dumps({"n": n, "key": key}).encode())))
    producer.flush()
    for n, future in futures:
        try:
            meta = future.get(timeout=60)
            print(json.dumps({"acked": n, "partition": meta.partition, "offset": meta.offset}), flush=True)
        except Exception as e:  # an unacknowledged message is a result, not a crash
            print(json.dumps({"failed": n, "error": type(e).__name__}), flush=True)
    producer.close()


if __name__ == "__main__":
    main()
