"""Produce throughput of real Python clients against `kafkasim serve`, beside
confluent-kafka against librdkafka's in-process mock cluster, in one run on
one machine (kafka-python cannot talk to the mock cluster). Each client sends RECORDS records of 100 bytes, keyed, with
acks=all and idempotence (linger.ms=5), and the time from the first send to
the last acknowledgement is taken; the median of three runs is printed.

    python3 -m venv target/live-venv
    target/live-venv/bin/pip install kafka-python==3.0.12 confluent-kafka==2.16.2
    cargo build --release
    target/live-venv/bin/python benches/peers/live_clients.py [--records N]

kafkasim serve paces virtual time to the wall clock, so the figure is what a
client gets from the simulated cluster as a student would run it: the
gateway, the simulated network's latency and the brokers' replication all
count. The mock cluster answers from memory with no replication delay.
"""

import argparse
import os
import statistics
import subprocess
import threading
import time

import confluent_kafka
import kafka
from confluent_kafka import Producer
from kafka import KafkaProducer

VALUE = b"x" * 100
TOPIC = "demo_1"


def serve(kafkasim):
    """Starts `kafkasim serve` on free ports; returns (process, bootstrap)."""
    process = subprocess.Popen(
        [kafkasim, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    found = threading.Event()
    bootstrap = []

    def drain():
        # Reads the narration to its end, so the server never blocks on a full pipe.
        for line in process.stdout:
            prefix = 'Point your client at bootstrap_servers="'
            if line.startswith(prefix):
                bootstrap.append(line[len(prefix):].split('"')[0])
                found.set()

    threading.Thread(target=drain, daemon=True).start()
    if not found.wait(30):
        process.kill()
        raise SystemExit("kafkasim serve did not say where it listens")
    return process, bootstrap[0]


def confluent_run(bootstrap, records):
    acked = [0]

    def on_delivery(err, _msg):
        if err is None:
            acked[0] += 1

    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "acks": "all",
            "enable.idempotence": True,
            "linger.ms": 5,
            "queue.buffering.max.messages": 2_000_000,
        }
    )
    producer.produce(TOPIC, value=VALUE, key=b"warmup", on_delivery=on_delivery)
    producer.flush(60)
    start = time.perf_counter()
    for n in range(records):
        while True:
            try:
                producer.produce(TOPIC, value=VALUE, key=b"key-%d" % n, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.001)
        if n % 1_000 == 0:
            producer.poll(0)
    producer.flush(300)
    return time.perf_counter() - start, acked[0] - 1


def kafka_python_run(bootstrap, records):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
    producer.send(TOPIC, key=b"warmup", value=VALUE).get(timeout=60)
    start = time.perf_counter()
    futures = [producer.send(TOPIC, key=b"key-%d" % n, value=VALUE) for n in range(records)]
    producer.flush(300)
    elapsed = time.perf_counter() - start
    acked = sum(1 for f in futures if f.succeeded())
    producer.close()
    return elapsed, acked


def mock_cluster():
    """librdkafka's mock cluster, kept alive by the producer that owns it;
    its brokers listen on loopback, so kafka-python can reach them too."""
    owner = Producer({"test.mock.num.brokers": 3})
    owner.produce(TOPIC, value=b"create")
    owner.flush(10)
    brokers = owner.list_topics(timeout=10).brokers.values()
    return owner, ",".join(f"{b.host}:{b.port}" for b in brokers)


def median_of_three(run, bootstrap, records):
    runs = [run(bootstrap, records) for _ in range(3)]
    elapsed = statistics.median(r[0] for r in runs)
    acked = min(r[1] for r in runs)
    return elapsed, acked


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--kafkasim", default=os.path.join("target", "release", "kafkasim"))
    args = parser.parse_args()

    process, served = serve(args.kafkasim)
    owner, mocked = mock_cluster()
    both = [("kafkasim serve", served), ("librdkafka mock cluster", mocked)]
    # kafka-python 3.0 cannot bootstrap from librdkafka 2.16's mock brokers
    # (its version negotiation times out, and a pinned older api_version gets
    # responses it cannot decode), so it is measured against kafkasim only.
    clients = [
        (f"confluent-kafka {confluent_kafka.version()[0]} (librdkafka {confluent_kafka.libversion()[0]})", confluent_run, both),
        (f"kafka-python {kafka.__version__}", kafka_python_run, both[:1]),
    ]
    try:
        for name, run, clusters in clients:
            for cluster, bootstrap in clusters:
                elapsed, acked = median_of_three(run, bootstrap, args.records)
                print(
                    f"{name} -> {cluster}: {acked} of {args.records} acknowledged in {elapsed:.2f}s "
                    f"(median of 3): {acked / elapsed:,.0f} records/s",
                    flush=True,
                )
    finally:
        process.kill()
        del owner


if __name__ == "__main__":
    main()
