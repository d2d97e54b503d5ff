//! When a run asks and answers: the questions' points in virtual time, due
//! once every event at or before their time has been handled. A driver (the
//! narrated run, the terminal UI, the quiz) asks the script before each step
//! what is due, so questions never add an event to the run: its trace stays
//! the same with or without them.

use super::answer::{Answer, answer};
use crate::engine::SimTime;
use crate::world::World;

/// A moment of a question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Point {
    /// Question `i` is put to the student.
    Ask(usize),
    /// Question `i`'s answer can be read.
    Answer(usize),
}

/// The points of a run's questions, in order, and the answers read so far.
#[derive(Clone, Debug)]
pub struct Script {
    /// By time; at one time, asks before answers (a question may be asked
    /// and answered at the same instant), then by question.
    points: Vec<(SimTime, Point)>,
    next: usize,
    pub answers: Vec<Answer>,
}

impl Script {
    pub fn new(world: &World) -> Script {
        let mut points = Vec::new();
        for (i, q) in world.scenario.questions.iter().enumerate() {
            points.push((q.asked_at, Point::Ask(i)));
            points.push((q.answer_at, Point::Answer(i)));
        }
        points.sort_by_key(|&(t, p)| (t, matches!(p, Point::Answer(_)), p));
        Script { points, next: 0, answers: Vec::new() }
    }

    /// Only the answers still to be read: for a run simulated again from
    /// the middle (the terminal UI after a sandbox change), where the
    /// questions were asked already and `known` answers hold as read.
    pub fn answering(world: &World, known: impl Fn(usize) -> bool) -> Script {
        let mut script = Script::new(world);
        script.points.retain(|&(_, p)| matches!(p, Point::Answer(i) if !known(i)));
        script
    }

    /// The next point due before the world's next event, if any; an answer
    /// point reads (and keeps) the answer as it passes.
    pub fn due(&mut self, world: &World) -> Option<(SimTime, Point)> {
        let &(time, point) = self.points.get(self.next)?;
        let handled_through = world.next_event_time().is_none_or(|next| next > time);
        if !handled_through {
            return None;
        }
        self.next += 1;
        if let Point::Answer(i) = point {
            self.answers.push(answer(world, i));
        }
        Some((time, point))
    }

    /// What a narrated run says at a point: the question and its choices,
    /// or the answer and why; and the same as a JSON line.
    pub fn aside(&self, world: &World, point: Point) -> (Vec<String>, serde_json::Value) {
        match point {
            Point::Ask(i) => {
                let q = &world.scenario.questions[i];
                let mut lines = vec![format!("? {}", q.text)];
                if !q.choices.is_empty() {
                    let choices: Vec<String> = q
                        .choices
                        .iter()
                        .enumerate()
                        .map(|(n, c)| format!("{}) {c}", super::reply::choice_key(n)))
                        .collect();
                    lines.push(format!("  {}", choices.join("   ")));
                }
                let json = serde_json::json!({
                    "event": "question",
                    "t_us": q.asked_at.as_micros(),
                    "index": i,
                    "question": q.text,
                    "choices": q.choices,
                    "answer_at_us": q.answer_at.as_micros(),
                });
                (lines, json)
            }
            Point::Answer(i) => {
                let Some(a) = self.answer_of(i) else { return (Vec::new(), serde_json::Value::Null) };
                let lines = vec![format!("= {} → {}", a.question, a.right), format!("  because {}", a.why)];
                let mut json = serde_json::to_value(a).unwrap_or_default();
                json["event"] = serde_json::json!("answer");
                json["t_us"] = serde_json::json!(world.scenario.questions[i].answer_at.as_micros());
                (lines, json)
            }
        }
    }

    /// The answer to question `i`, once read.
    pub fn answer_of(&self, i: usize) -> Option<&Answer> {
        self.answers.iter().find(|a| a.index == i)
    }

    /// Whether every point has passed.
    pub fn done(&self) -> bool {
        self.next >= self.points.len()
    }
}

/// Runs the world to its end, reading every question's answer as the run
/// passes it (no question is put to anyone).
pub fn run_answering(
    world: &mut World,
    sink: &mut dyn crate::trace::TraceSink,
) -> Result<Script, crate::world::SimError> {
    let mut script = Script::new(world);
    loop {
        while script.due(world).is_some() {}
        match world.step(sink)? {
            crate::world::StepResult::Progress => {}
            crate::world::StepResult::Finished => break,
        }
    }
    while script.due(world).is_some() {}
    sink.finish();
    Ok(script)
}
