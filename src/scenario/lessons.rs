//! The book's chapters that scenarios belong to: a scenario's `lesson:`
//! names one, so the picker and `kafkasim list` can say where to read more.

/// A chapter of the book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chapter {
    /// The `lesson:` value scenarios use.
    pub lesson: &'static str,
    pub number: u32,
    pub title: &'static str,
    /// The chapter's file in `book/src/`.
    pub file: &'static str,
}

pub const CHAPTERS: &[Chapter] = &[
    Chapter {
        lesson: "why-stream-processing",
        number: 1,
        title: "Why stream processing",
        file: "why-stream-processing.md",
    },
    Chapter {
        lesson: "records-topics-logs",
        number: 2,
        title: "Records, topics and logs",
        file: "records-topics-logs.md",
    },
    Chapter {
        lesson: "brokers-and-controller",
        number: 3,
        title: "Brokers, the cluster and the controller",
        file: "brokers-and-controller.md",
    },
    Chapter {
        lesson: "producers-and-consumers",
        number: 4,
        title: "Producers and consumers",
        file: "producers-and-consumers.md",
    },
    Chapter { lesson: "partitions-and-keys", number: 5, title: "Partitions and keys", file: "partitions-and-keys.md" },
    Chapter { lesson: "consumer-groups", number: 6, title: "Consumer groups", file: "consumer-groups.md" },
    Chapter { lesson: "offsets", number: 7, title: "Offsets and __consumer_offsets", file: "offsets.md" },
    Chapter { lesson: "replication", number: 8, title: "Replication", file: "replication.md" },
    Chapter { lesson: "acks-and-durability", number: 9, title: "Acks and durability", file: "acks-and-durability.md" },
    Chapter { lesson: "retention", number: 10, title: "Retention and compaction", file: "retention-and-compaction.md" },
    Chapter {
        lesson: "compaction",
        number: 10,
        title: "Retention and compaction",
        file: "retention-and-compaction.md",
    },
    Chapter {
        lesson: "avro-and-schema-registry",
        number: 11,
        title: "Avro and Schema Registry",
        file: "avro-and-schema-registry.md",
    },
    Chapter { lesson: "kafka-streams", number: 12, title: "Kafka Streams", file: "kafka-streams.md" },
];

/// The built-in lessons in the order the book first runs them. Within a
/// chapter, `kafkasim list` and the picker follow it; a lesson missing here
/// comes after those listed, by name.
const BOOK_ORDER: &[&str] = &[
    "producer-consumer",
    "controller-failover",
    "datagen-orders",
    "key-partitioning",
    "two-consumers-split",
    "third-consumer-idle",
    "rebalance-eager-vs-cooperative",
    "max-poll-exceeded",
    "coordinator-failover",
    "consumer-resumes",
    "second-group-earliest",
    "commit-before-or-after",
    "broker-death",
    "network-partition",
    "acks-1-loss",
    "acks-all-min-isr",
    "acks-0-fire-and-forget",
    "unclean-election",
    "replication-factor-1",
    "retry-duplicates",
    "retention-delete",
    "retention-bytes",
    "compaction",
    "streams-count",
    "streams-windowed",
    "streams-failover",
];

/// Where a scenario goes in a list of lessons: by the book's chapter (those
/// in no chapter last), then in the order the chapter runs them, then by name.
pub fn book_position(name: &str, lesson: Option<&str>) -> (u32, usize, String) {
    let chapter = lesson.and_then(chapter).map_or(u32::MAX, |c| c.number);
    let order = BOOK_ORDER.iter().position(|n| *n == name).unwrap_or(usize::MAX);
    (chapter, order, name.to_string())
}

/// The `lesson:` values the book's chapters take, for error messages.
pub fn lesson_names() -> String {
    CHAPTERS.iter().map(|c| format!("`{}`", c.lesson)).collect::<Vec<_>>().join(", ")
}

/// The chapter a `lesson:` value names, if it is one of the book's.
pub fn chapter(lesson: &str) -> Option<&'static Chapter> {
    CHAPTERS.iter().find(|c| c.lesson == lesson)
}

/// `9 Acks and durability`, or the lesson itself when the book has no such
/// chapter (a teacher's own).
pub fn chapter_label(lesson: &str) -> String {
    match chapter(lesson) {
        Some(c) => format!("{} {}", c.number, c.title),
        None => lesson.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{builtin, load_str};

    /// A scenario need not be a lesson; one that says it is must name a chapter.
    #[test]
    fn every_built_in_lesson_names_a_chapter() {
        for (name, text) in builtin::BUILTIN {
            let scenario = load_str(name, text).expect("loads");
            if let Some(lesson) = scenario.lesson {
                assert!(
                    chapter(&lesson).is_some(),
                    "scenarios/{name}.yaml: `lesson: {lesson}` is no chapter of the book; use one of {}, or leave \
                     `lesson:` out for a scenario that is not a lesson of the book",
                    lesson_names()
                );
            }
        }
    }

    #[test]
    fn lessons_come_in_the_books_order() {
        let mut names: Vec<&str> = vec!["retry-duplicates", "mine", "producer-consumer", "acks-1-loss"];
        let lesson = |n: &str| match n {
            "producer-consumer" => Some("records-topics-logs"),
            "mine" => None,
            _ => Some("acks-and-durability"),
        };
        names.sort_by_key(|n| book_position(n, lesson(n)));
        assert_eq!(names, ["producer-consumer", "acks-1-loss", "retry-duplicates", "mine"]);
    }

    #[test]
    fn chapters_are_the_books() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src");
        let summary = std::fs::read_to_string(root.join("SUMMARY.md")).expect("book/src/SUMMARY.md");
        for c in CHAPTERS {
            assert!(summary.contains(&format!("[{}]({})", c.title, c.file)), "{} is not in SUMMARY.md", c.title);
        }
    }
}
