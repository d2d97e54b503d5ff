//! Predict, then check, in the page: a scenario's `ask:` questions beside its
//! player.
//!
//! The answers come from the run, as `kafkasim run` and `kafkasim quiz` read
//! them ([`kafkasim::quiz::run_answering`]): the scenario is run once more,
//! to its end, on a world of its own, so the player's world (and its trace)
//! is never touched. The page shows a question once the player's clock
//! reaches its `asked_at`, takes the reader's reply, and reveals the run's
//! answer only once the clock reaches its `answer_at`.

use kafkasim::quiz::{Reply, run_answering};
use kafkasim::scenario::Scenario;
use kafkasim::scenario::question::Question;
use kafkasim::trace::answer::Answer;
use kafkasim::trace::sink::NullSink;
use kafkasim::world::{BuildOptions, World};
use serde_json::json;

/// A scenario's questions with the answers its run gives.
pub struct Questions {
    questions: Vec<Question>,
    answers: Vec<Answer>,
}

impl Questions {
    /// Runs `scenario` to its end, reading every answer as the run passes it.
    pub fn answered(scenario: Scenario) -> Result<Questions, String> {
        let questions = scenario.questions.clone();
        let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: false });
        let script = run_answering(&mut world, &mut NullSink).map_err(|e| e.to_string())?;
        Ok(Questions { questions, answers: script.answers })
    }

    /// The questions as the page shows them: text, choices (empty: a number
    /// is wanted), when each is asked and answered (virtual microseconds and
    /// as written), and the run's answer with why.
    pub fn to_json(&self) -> serde_json::Value {
        let list: Vec<serde_json::Value> = self
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let answer = self.answers.iter().find(|a| a.index == i);
                json!({
                    "index": i,
                    "text": q.text,
                    "choices": q.choices,
                    "asked_at_us": q.asked_at.as_micros(),
                    "answer_at_us": q.answer_at.as_micros(),
                    "asked_at": q.asked_at.to_string(),
                    "answer_at": q.answer_at.to_string(),
                    "right": answer.map(|a| a.right.to_string()),
                    "why": answer.map(|a| a.why.clone()),
                    "narration": answer.and_then(|a| a.narration.clone()),
                })
            })
            .collect();
        serde_json::Value::Array(list)
    }

    /// Judges the reader's `reply` to question `index` as `kafkasim quiz`
    /// does: `{"reply": …, "holds": bool}`, or `{"error": …}` saying what the
    /// question wants instead.
    pub fn judge(&self, index: usize, reply: &str) -> serde_json::Value {
        let Some(question) = self.questions.get(index) else {
            return json!({ "error": format!("no question {index}") });
        };
        let reply = match Reply::parse(question, reply) {
            Ok(reply) => reply,
            Err(wanted) => return json!({ "error": wanted }),
        };
        let holds = self.answers.iter().find(|a| a.index == index).is_some_and(|a| reply.holds(&a.right));
        json!({ "reply": reply.to_string(), "holds": holds })
    }
}
