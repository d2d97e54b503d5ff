"""Reads a topic in a consumer group with kafka-python, the course demo's way.

Prints every record as a JSON line {"partition": p, "offset": o, "n": n}
and, at the end, {"assignment": [...]} with the partitions it held. It
commits after each poll. With --stop-after N it stops abruptly (no commit
of unread records, no LeaveGroup, as `kill -9` would) once it has read N
records; otherwise it stops after --idle-ms without new records, or
with --run-ms after that long. --report-ms prints the partitions held at
that moment, while the others of its group still run.
"""

import argparse
import json
import os
import time

from kafka import KafkaConsumer


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--topic", default="demo_1")
    parser.add_argument("--group", default="consumer.group.id.demo.1")
    parser.add_argument("--stop-after", type=int, default=0)
    parser.add_argument("--idle-ms", type=int, default=8000)
    parser.add_argument("--run-ms", type=int, default=0, help="keep polling this long, records or not")
    parser.add_argument("--report-ms", type=int, default=0, help="print the assignment at this time")
    args = parser.parse_args()

    consumer = KafkaConsumer(
        args.topic,
        bootstrap_servers=args.bootstrap.split(","),
        group_id=args.group,
        client_id="demo-consumer",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
        max_poll_records=100,
    )
    read = 0
    idle_ms = 0
    started = time.monotonic()
    reported = False
    while True:
        batches = consumer.poll(timeout_ms=500)
        elapsed_ms = (time.monotonic() - started) * 1000
        if args.report_ms and not reported and elapsed_ms >= args.report_ms:
            held = sorted(tp.partition for tp in consumer.assignment())
            print(json.dumps({"assignment_at_report": held}), flush=True)
            reported = True
        records = [r for rs in batches.values() for r in rs]
        for r in records:
            print(json.dumps({"partition": r.partition, "offset": r.offset, "n": json.loads(r.value)["n"]}), flush=True)
        read += len(records)
        if records:
            consumer.commit()
            idle_ms = 0
        else:
            idle_ms += 500
        if args.stop_after and read >= args.stop_after:
            os._exit(0)
        if args.run_ms:
            if elapsed_ms >= args.run_ms:
                break
        elif idle_ms >= args.idle_ms:
            break
    held = sorted(tp.partition for tp in consumer.assignment())
    print(json.dumps({"assignment": held}), flush=True)
    consumer.close()


if __name__ == "__main__":
    main()
