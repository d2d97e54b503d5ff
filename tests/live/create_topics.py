"""Creates topics with kafka-python's admin client, as `kafka-topics --create`
does, and tries one of them again.

Prints one JSON line per topic asked for: {"topic": t, "error": null} when
created, {"topic": t, "error": "TopicAlreadyExistsError", ...} when refused.
"""

import argparse
import json

from kafka import KafkaAdminClient
from kafka.errors import KafkaError


def create(admin, name, options, wait=False):
    """Asks for one topic; what the cluster answered, as a JSON line."""
    try:
        admin.create_topics({name: options}, wait_for_metadata=wait)
        return {"topic": name, "error": None}
    except KafkaError as e:
        return {"topic": name, "error": type(e).__name__, "message": str(e)}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--topic", default="clicks")
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--replication-factor", type=int, default=2)
    args = parser.parse_args()

    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap.split(","), client_id="demo-admin")
    options = {
        "num_partitions": args.partitions,
        "replication_factor": args.replication_factor,
        "configs": {"retention.ms": "3600000"},
    }
    # The first waits until every partition has a leader, as a script that
    # writes next should.
    print(json.dumps(create(admin, args.topic, options, wait=True)), flush=True)
    print(json.dumps(create(admin, args.topic, options)), flush=True)
    print(json.dumps(create(admin, "bad name", {"num_partitions": 1, "replication_factor": 1})), flush=True)
    for t in admin.describe_topics([args.topic]):
        partitions = sorted(
            (p["partition_index"], p["leader_id"], sorted(p["replica_nodes"])) for p in t["partitions"]
        )
        print(json.dumps({"described": t["name"], "error": t["error_code"], "partitions": partitions}), flush=True)
    admin.close()


if __name__ == "__main__":
    main()
