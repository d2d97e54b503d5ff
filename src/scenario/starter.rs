//! The commented starter scenario `kafkasim new NAME` writes.

/// A complete, runnable scenario that shows every section, for `name`.
pub fn starter(name: &str) -> String {
    STARTER.replace("{{name}}", name)
}

const STARTER: &str = r#"# yaml-language-server: $schema=scenario.schema.json
# A kafkasim scenario: a lesson you can run with `kafkasim run {{name}}.yaml`.
# Every Kafka config keeps Kafka's own name and default; durations take a unit
# (250ms, 30s, 5m, 1d). The first line points editors at the format's JSON
# Schema, written beside this file by `kafkasim new` (`kafkasim schema`
# prints it). `kafkasim test {{name}}.yaml --accept` pins the outcome.

name: {{name}}
description: One line saying what this scenario shows.
seed: 1                      # same seed, same run, event for event

brokers: 1                   # broker ids 1, 2, ...
# broker_config:             # server.properties, for every broker
#   min.insync.replicas: 1

topics:
  - name: demo
    partitions: 2
    # replication_factor: 1
    # config: { retention.ms: 1d }

producers:
  - id: producer
    topic: demo
    every: 1s                # one send() per second...
    count: 20                # ...twenty in all
    key: "key-{n}"           # {n} is the record number; `null` for no key
    value: "value-{n}"
    # config: { acks: all, linger.ms: 5 }

consumers:
  - id: c1
    topics: [demo]           # without a group: every partition of the topic
    config:
      auto.offset.reset: earliest

timeline:
  - at: 0s
    say: "The producer starts writing; c1 reads every partition."
  - at: 10s
    say: "Halfway: keys decide partitions, offsets grow per partition."

expect:
  - outcome: { acknowledged: 20, lost: 0, duplicated: 0 }
  - received: { c1: 20 }
  - sent_to: { producer: { demo: ">= 1" } }   # every partition got some
  # - at: 10s                                 # a state at a time
  #   leader: { demo-0: 1 }
  #   client_state: { c1: running }
  # - within: [5s, 15s]                       # what happened in a window
  #   happened: { leader_change: { demo-0: 0 } }
  #   saw: { producer: { NOT_LEADER_OR_FOLLOWER: false } }

run: 30s
"#;

#[cfg(test)]
mod tests {
    #[test]
    fn the_starter_scenario_is_valid_and_passes() {
        let text = super::starter("my-lesson");
        let scenario = crate::scenario::load_str("my-lesson.yaml", &text).expect("starter must load");
        assert_eq!(scenario.name, "my-lesson");
    }

    #[test]
    fn the_commented_expectations_load_once_uncommented() {
        let text = super::starter("my-lesson");
        let (head, expect) = text.split_at(text.find("expect:").expect("an expect section"));
        let lines: Vec<String> =
            expect.lines().map(|l| l.strip_prefix("  # ").map_or(l.to_string(), |rest| format!("  {rest}"))).collect();
        let uncommented = format!("{head}{}", lines.join("\n"));
        let scenario = crate::scenario::load_str("my-lesson.yaml", &uncommented).expect("uncommented, it loads");
        assert!(scenario.expectations.iter().any(|e| e.since.is_some()), "the window is one of them");
    }
}
