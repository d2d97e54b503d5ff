"""Lists the cluster's consumer groups and describes one, with kafka-python's
admin client (what `kafka-consumer-groups --list` and `--describe` show).

Prints {"groups": [[group, state], ...]} and then
{"group": g, "state": s, "members": [{"client_id": c, "partitions": [...]}, ...]}.
"""

import argparse
import json

from kafka import KafkaAdminClient


def partitions(assignment):
    """The partition numbers of a decoded assignment, however it is shaped."""
    if not assignment:
        return []
    topics = assignment.get("assigned_partitions", []) if isinstance(assignment, dict) \
        else getattr(assignment, "assigned_partitions", [])
    held = []
    for t in topics:
        if isinstance(t, dict):
            held += t["partitions"]
        elif isinstance(t, (list, tuple)):
            held += t[1]
        else:
            held += t.partitions
    return sorted(held)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--group", default="consumer.group.id.demo.1")
    args = parser.parse_args()

    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap.split(","), client_id="demo-admin")
    groups = sorted([g["group_id"], g["group_state"]] for g in admin.list_groups())
    print(json.dumps({"groups": groups}), flush=True)
    described = admin.describe_groups([args.group])[args.group]
    members = [
        {"client_id": m["client_id"], "partitions": partitions(m.get("member_assignment"))}
        for m in described["members"]
    ]
    print(json.dumps({"group": args.group, "state": described["group_state"], "members": members}), flush=True)
    admin.close()


if __name__ == "__main__":
    main()
