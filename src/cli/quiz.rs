//! `kafkasim quiz [CHAPTER]`: questions drawn from the built-in scenarios,
//! asked one at a time at the terminal (a line each, so a pipe works too),
//! each run on until the answer shows, scored and explained.

use std::io::{self, BufRead, Write};

use super::{Output, output};
use crate::quiz::draw::{self, Drawn};
use crate::quiz::reply::{Reply, choice_key};
use crate::quiz::{Answer, Point, Script};
use crate::scenario::Scenario;
use crate::trace::sink::NullSink;
use crate::world::{BuildOptions, StepResult, World};

/// Questions in a quiz unless `--questions` says otherwise.
pub const DEFAULT_QUESTIONS: usize = 5;
/// Replies a question takes before it moves on (a pipe that sends nonsense
/// must not keep the quiz waiting forever).
const TRIES_MAX: usize = 3;

#[derive(Debug, clap::Args)]
pub struct QuizArgs {
    /// Only questions of this chapter: its lesson name (`consumer-groups`) or number.
    pub chapter: Option<String>,
    /// The quiz's seed: the same seed asks the same questions of the same
    /// runs. Default: a new one, printed so the quiz can be given again.
    #[arg(long)]
    pub seed: Option<u64>,
    /// How many questions.
    #[arg(long, default_value_t = DEFAULT_QUESTIONS)]
    pub questions: usize,
}

pub fn quiz(args: &QuizArgs, input: &mut dyn BufRead, out: &mut Output) -> io::Result<u8> {
    let pool = match draw::pool(args.chapter.as_deref()) {
        Ok(pool) => pool,
        Err(e) => {
            output::eprint(&format!("error: {e}\n"));
            return Ok(2);
        }
    };
    let seed = args.seed.unwrap_or_else(fresh_seed);
    let drawn = draw::draw(&pool, seed, args.questions.max(1));
    writeln!(out, "quiz seed {seed}: {} question(s); `kafkasim quiz --seed {seed}` asks them again\n", drawn.len())?;
    let mut score = 0;
    let mut asked = 0;
    for (n, d) in drawn.iter().enumerate() {
        let Some((_, scenario)) = pool.iter().find(|(name, _)| *name == d.scenario) else { continue };
        writeln!(
            out,
            "── question {} of {} · {} (`kafkasim play {} --seed {}`) ──",
            n + 1,
            drawn.len(),
            scenario.name,
            d.scenario,
            d.run_seed
        )?;
        match ask_one(scenario, d, input, out)? {
            Asked::Right => {
                score += 1;
                asked += 1;
            }
            Asked::Wrong => asked += 1,
            Asked::NoReply => {
                writeln!(out, "no more replies: the quiz stops here")?;
                break;
            }
        }
        writeln!(out)?;
    }
    writeln!(out, "score: {score} of {asked}")?;
    Ok(0)
}

enum Asked {
    Right,
    Wrong,
    NoReply,
}

/// Runs the scenario to the question, asks it, runs on to the answer.
fn ask_one(scenario: &Scenario, d: &Drawn, input: &mut dyn BufRead, out: &mut Output) -> io::Result<Asked> {
    let mut world = World::new(scenario.clone(), BuildOptions { seed: Some(d.run_seed), check_invariants: false });
    let mut script = Script::new(&world);
    let question = &scenario.questions[d.question];
    let mut reply = None;
    loop {
        while let Some((_, point)) = script.due(&world) {
            match point {
                Point::Ask(i) if i == d.question => {
                    writeln!(out, "t={}: {}", question.asked_at, question.text)?;
                    for (k, choice) in question.choices.iter().enumerate() {
                        writeln!(out, "  {}) {choice}", choice_key(k))?;
                    }
                    match read_reply(scenario, d.question, input, out)? {
                        Some(r) => reply = Some(r),
                        None => return Ok(Asked::NoReply),
                    }
                }
                Point::Answer(i) if i == d.question => {
                    let Some(reply) = &reply else { return Ok(Asked::NoReply) };
                    let Some(answer) = script.answer_of(i) else { return Ok(Asked::NoReply) };
                    let held = reply.holds(&answer.right);
                    explain(answer, reply, held, out)?;
                    return Ok(if held { Asked::Right } else { Asked::Wrong });
                }
                _ => {}
            }
        }
        match world.step(&mut NullSink) {
            Ok(StepResult::Progress) => {}
            Ok(StepResult::Finished) if script.done() => return Ok(Asked::NoReply),
            Ok(StepResult::Finished) => {}
            Err(e) => {
                output::eprint(&format!("error: the run stopped: {e}\n"));
                return Ok(Asked::NoReply);
            }
        }
    }
}

/// A reply the question understands, asking again up to `TRIES_MAX` times;
/// `None` at the end of the input.
fn read_reply(
    scenario: &Scenario,
    index: usize,
    input: &mut dyn BufRead,
    out: &mut Output,
) -> io::Result<Option<Reply>> {
    let question = &scenario.questions[index];
    for _ in 0..TRIES_MAX {
        write!(out, "your answer: ")?;
        out.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(out)?;
            return Ok(None);
        }
        match Reply::parse(question, &line) {
            Ok(reply) => return Ok(Some(reply)),
            Err(hint) => writeln!(out, "{hint}")?,
        }
    }
    Ok(None)
}

fn explain(answer: &Answer, reply: &Reply, held: bool, out: &mut Output) -> io::Result<()> {
    let mark = if held { "✓ right" } else { "✗ not this time" };
    writeln!(out, "t={}: {mark}: you said {reply}; the run says {}", answer.answer_at, answer.right)?;
    writeln!(out, "  because {}", answer.why)?;
    if let Some(said) = &answer.narration {
        writeln!(out, "  the lesson says: {said}")?;
    }
    Ok(())
}

/// A seed nobody chose: std's randomly keyed hasher is the one source of
/// entropy the simulator allows itself, and only here, before any run. The
/// quiz prints it, so the run that follows is as reproducible as any other.
fn fresh_seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one("kafkasim quiz") % 1_000_000
}
