//! Reading the state stores of Kafka Streams applications for the outcome
//! report (`kafkasim run --stores`): each store as its active tasks hold it.

use super::World;
use crate::streams::runtime;
use crate::trace::stores::{StoreEntry, StoreReport, TaskStore};

impl World {
    /// Every store of every application the runtime runs, in topology
    /// order; per store, the active tasks holding it in task order (a
    /// task restoring shows what it has restored so far).
    pub fn store_reports(&self) -> Vec<StoreReport> {
        let mut reports = Vec::new();
        for app in &self.scenario.streams {
            if runtime::unsupported(&app.topology).is_some() {
                continue;
            }
            for (idx, store) in app.topology.stores.iter().enumerate() {
                let mut tasks: Vec<(runtime::TaskId, TaskStore)> = Vec::new();
                for thread in self.stream_threads.iter().filter(|t| t.app.application_id == app.application_id) {
                    for (id, task) in &thread.tasks {
                        let Some(contents) = task.stores.get(&idx) else { continue };
                        let entries = contents
                            .entries
                            .iter()
                            .map(|(k, v)| StoreEntry { key: k.text(), value: String::from_utf8_lossy(v).into_owned() })
                            .collect();
                        tasks.push((*id, TaskStore { task: id.to_string(), thread: thread.name.clone(), entries }));
                    }
                }
                tasks.sort_by(|a, b| (a.0, &a.1.thread).cmp(&(b.0, &b.1.thread)));
                let tasks: Vec<TaskStore> = tasks.into_iter().map(|(_, t)| t).collect();
                reports.push(StoreReport {
                    application: app.application_id.clone(),
                    store: store.name.clone(),
                    values_sum: StoreReport::sum_of(&tasks),
                    tasks,
                });
            }
        }
        reports
    }
}
