//! Predict, then check, in the terminal: playing or stepping forward stops
//! at a question's lesson point (`ask:`), the student types an answer, and
//! once the run reaches the question's `answer_at` the event list shows
//! whether it held and the state that decided it.
//!
//! A question is put once: stepping back and forward again shows the reply
//! given, it does not ask again. Jumping with `g` goes where it is asked to
//! go, past questions (they stay unasked, and a later step onto one still
//! asks it while its answer lies ahead).

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::SimTime;
use crate::quiz::Reply;
use crate::quiz::reply::choice_key;
use crate::scenario::question::Question;

use super::app::{App, Overlay};

/// What the student has been asked and answered.
#[derive(Clone, Debug)]
pub struct Asked {
    /// Whether the run stops at questions and shows them (a replay of the
    /// lesson alone turns this off).
    pub asking: bool,
    /// Questions put to the student (answered or skipped).
    pub put: BTreeSet<usize>,
    pub replies: BTreeMap<usize, Reply>,
}

impl Default for Asked {
    fn default() -> Self {
        Asked { asking: true, put: BTreeSet::new(), replies: BTreeMap::new() }
    }
}

/// A question on screen, for the event list's top lines.
pub struct Shown {
    pub lines: Vec<String>,
    /// Whether the reply held: `None` until the answer is known (or without a reply).
    pub held: Option<bool>,
}

impl App {
    /// After a move forward from virtual time `from`: stops at the first
    /// question not yet put whose lesson point was passed, and asks it.
    pub(super) fn stop_at_question(&mut self, from: SimTime) {
        let clock = self.timeline.clock();
        if let Some((index, asked_at)) = self.next_question(from).filter(|&(_, at)| at <= clock) {
            self.ask(index, asked_at);
        }
    }

    /// The first question not yet put that is asked at or after `from`.
    pub(super) fn next_question(&self, from: SimTime) -> Option<(usize, SimTime)> {
        if !self.asked.asking {
            return None;
        }
        let questions = &self.world().scenario.questions;
        (0..questions.len())
            .filter(|i| !self.asked.put.contains(i))
            .map(|i| (i, questions[i].asked_at))
            .filter(|&(_, at)| at >= from)
            .min_by_key(|&(i, at)| (at, i))
    }

    /// Goes to the question's lesson point and puts it.
    pub(super) fn ask(&mut self, index: usize, asked_at: SimTime) {
        self.playing = false;
        self.timeline.go_through_time(asked_at);
        self.event_scroll = None;
        self.asked.put.insert(index);
        self.overlay = Overlay::Ask { index, typed: String::new(), error: None };
    }

    /// The student pressed Enter on a typed answer.
    pub(super) fn answer_typed(&mut self, index: usize, typed: String) {
        let question = &self.world().scenario.questions[index];
        match Reply::parse(question, &typed) {
            Ok(reply) => {
                let when = question.answer_at;
                self.status = Some(format!("you said {reply}: the run tells at {when} (→ steps, space plays)"));
                self.asked.replies.insert(index, reply);
                self.overlay = Overlay::None;
            }
            Err(hint) => self.overlay = Overlay::Ask { index, typed, error: Some(hint) },
        }
    }

    /// The latest question put whose lesson point is at or before the
    /// clock: the question, the reply, and the verdict once the run has
    /// reached its answer.
    pub fn question_shown(&self) -> Option<Shown> {
        if !self.asked.asking {
            return None;
        }
        let clock = self.timeline.clock();
        let questions = &self.world().scenario.questions;
        let index = self
            .asked
            .put
            .iter()
            .copied()
            .filter(|&i| questions[i].asked_at <= clock)
            .max_by_key(|&i| (questions[i].asked_at, i))?;
        let question = &questions[index];
        let reply = self.asked.replies.get(&index);
        let said = match (reply, &self.overlay) {
            (Some(r), _) => format!("you said {r}"),
            (None, Overlay::Ask { index: open, .. }) if *open == index => "answer in the window".to_string(),
            (None, _) => "you did not answer".to_string(),
        };
        let mut lines = vec![format!("? {}", question.text)];
        let answer = self.timeline.answer(index).filter(|_| clock >= question.answer_at);
        let held = match answer {
            None => {
                lines.push(format!("  {said}; the run tells at {}", question.answer_at));
                None
            }
            Some(answer) => {
                let held = reply.map(|r| r.holds(&answer.right));
                let verdict = match held {
                    Some(true) => "✓ it held",
                    Some(false) => "✗ it did not",
                    None => "",
                };
                lines.push(format!("  {said}; the run says {} {verdict}", answer.right));
                lines.push(format!("  because {}", answer.why));
                held
            }
        };
        Some(Shown { lines, held })
    }
}

/// The question window's lines: the question, its choices by letter, what is
/// typed, and a hint.
pub fn window_lines(question: &Question, typed: &str, error: Option<&str>) -> Vec<String> {
    let mut lines = vec![question.text.clone(), String::new()];
    if question.choices.is_empty() {
        lines.push("Type a number (or none).".to_string());
    } else {
        for (i, choice) in question.choices.iter().enumerate() {
            lines.push(format!("  {}) {choice}", choice_key(i)));
        }
    }
    lines.push(String::new());
    lines.push(format!("> {typed}"));
    if let Some(error) = error {
        lines.push(error.to_string());
    }
    lines.push(String::new());
    lines.push(format!(
        "Predict, then check: Enter answers, Esc skips. The run shows the answer at {}.",
        question.answer_at
    ));
    lines
}
