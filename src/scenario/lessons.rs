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
];

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

    #[test]
    fn every_built_in_scenario_belongs_to_a_chapter() {
        for (name, text) in builtin::BUILTIN {
            let scenario = load_str(name, text).expect("loads");
            let lesson = scenario.lesson.unwrap_or_default();
            assert!(chapter(&lesson).is_some(), "{name}: lesson `{lesson}` is no chapter of the book");
        }
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
