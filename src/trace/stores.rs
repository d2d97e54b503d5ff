//! What each Kafka Streams application's state stores hold at the end of a
//! run (`kafkasim run --stores`): per store, the store of each active task,
//! keys sorted, as an interactive query (`KafkaStreams#store`) would read
//! them one partition at a time.
//!
//! Keys print as Kafka prints them: a windowed key as `Windowed#toString`,
//! `[key@start/end]`. Values are the bytes the store holds, read as text
//! (the simulator's values are JSON). When every value of a store is an
//! integer (a `count`), the report adds them up: the number of records the
//! store counted, which is what tells a double count from an exact one.

use serde::Serialize;

use super::table::Table;

/// One store of one application, over all its active tasks.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct StoreReport {
    /// `application.id`.
    pub application: String,
    /// The store's name (`Materialized.as(...)` or the generated one).
    pub store: String,
    /// Per active task, in task order.
    pub tasks: Vec<TaskStore>,
    /// The sum of the values over all tasks when every value is an
    /// integer; left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values_sum: Option<i64>,
}

/// A store of one active task.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct TaskStore {
    /// The task id, `<subtopology>_<partition>`.
    pub task: String,
    /// The stream thread running it.
    pub thread: String,
    /// Keys sorted (windowed keys by key, then window start).
    pub entries: Vec<StoreEntry>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct StoreEntry {
    pub key: String,
    pub value: String,
}

impl StoreReport {
    /// The sum of integer values, `None` when some value is not an integer.
    pub fn sum_of(tasks: &[TaskStore]) -> Option<i64> {
        tasks.iter().flat_map(|t| &t.entries).try_fold(0i64, |sum, e| Some(sum.saturating_add(e.value.parse().ok()?)))
    }

    fn keys(&self) -> usize {
        self.tasks.iter().map(|t| t.entries.len()).sum()
    }

    /// A title line per store, then per task a line and its key/value table.
    pub fn render(&self) -> String {
        let mut out = format!(
            "store {} of {} · {} active task(s) · {} key(s)",
            self.store,
            self.application,
            self.tasks.len(),
            self.keys()
        );
        if let Some(sum) = self.values_sum {
            out.push_str(&format!(" · values sum to {sum}"));
        }
        out.push('\n');
        for task in &self.tasks {
            out.push_str(&format!("  task {} on {} · {} key(s)\n", task.task, task.thread, task.entries.len()));
            if task.entries.is_empty() {
                continue;
            }
            let mut table = Table::new(&["KEY", "VALUE"]);
            for e in &task.entries {
                table.row(vec![e.key.clone(), e.value.clone()]);
            }
            for line in table.render().lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, value: &str) -> StoreEntry {
        StoreEntry { key: key.into(), value: value.into() }
    }

    #[test]
    fn counts_add_up_and_other_values_do_not() {
        let counts = [
            TaskStore { task: "0_0".into(), thread: "a-StreamThread-1".into(), entries: vec![entry("k1", "2")] },
            TaskStore { task: "0_1".into(), thread: "b-StreamThread-1".into(), entries: vec![entry("k2", "3")] },
        ];
        assert_eq!(StoreReport::sum_of(&counts), Some(5));
        let texts = [TaskStore { task: "0_0".into(), thread: "t".into(), entries: vec![entry("k", "\"x\"")] }];
        assert_eq!(StoreReport::sum_of(&texts), None);
    }

    #[test]
    fn renders_a_title_then_each_task_with_its_keys() {
        let tasks = vec![TaskStore {
            task: "0_0".into(),
            thread: "c-StreamThread-1".into(),
            entries: vec![entry("[berlin@0/60000]", "2")],
        }];
        let report = StoreReport {
            application: "app".into(),
            store: "counts".into(),
            values_sum: StoreReport::sum_of(&tasks),
            tasks,
        };
        let text = report.render();
        assert!(text.starts_with("store counts of app · 1 active task(s) · 1 key(s) · values sum to 2\n"), "{text}");
        assert!(text.contains("  task 0_0 on c-StreamThread-1 · 1 key(s)\n"), "{text}");
        assert!(text.contains("    [berlin@0/60000]  2\n"), "{text}");
    }
}
