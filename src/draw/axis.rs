//! Virtual time along the x axis: where a moment falls in a picture, and
//! the ticks with their times written out.

use svg::node::element::Group;

use super::canvas::{line, px, text};
use crate::engine::SimTime;

/// The window `from..to` drawn from `left` over `width` pixels.
#[derive(Clone, Copy, Debug)]
pub struct TimeAxis {
    pub from: SimTime,
    pub to: SimTime,
    pub left: f64,
    pub width: f64,
}

impl TimeAxis {
    /// The x of a moment, clamped to the window.
    pub fn x(&self, at: SimTime) -> f64 {
        let span = (self.to.as_micros() - self.from.as_micros()).max(1) as f64;
        let at = at.clamp(self.from, self.to);
        px(self.left + self.width * (at.as_micros() - self.from.as_micros()) as f64 / span)
    }

    pub fn right(&self) -> f64 {
        self.left + self.width
    }

    /// Ticks at round times along `y`, with a thin grid line down to `bottom`.
    pub fn ticks(&self, y: f64, bottom: f64) -> Group {
        let step = tick_step(self.to.as_micros() - self.from.as_micros());
        let mut group = Group::new();
        let mut at = self.from.as_micros().div_ceil(step) * step;
        while at <= self.to.as_micros() {
            let x = self.x(SimTime::from_micros(at));
            group = group.add(line(x, y + 4.0, x, bottom, "axis").set("stroke-opacity", 0.25)).add(
                text(x, y, &super::clock(SimTime::from_micros(at))).set("class", "small").set("text-anchor", "middle"),
            );
            at += step;
        }
        group
    }
}

/// A round step giving between 4 and 12 ticks over `span` microseconds.
fn tick_step(span: u64) -> u64 {
    const ROUND: [u64; 18] = [
        1_000,
        5_000,
        10_000,
        50_000,
        100_000,
        250_000,
        500_000,
        1_000_000,
        2_000_000,
        5_000_000,
        10_000_000,
        30_000_000,
        60_000_000,
        300_000_000,
        600_000_000,
        3_600_000_000,
        21_600_000_000,
        86_400_000_000,
    ];
    ROUND.iter().copied().find(|&s| span / s <= 12).unwrap_or_else(|| (span / 10).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ticks fall on round times and stay between 4 and 12 for lesson lengths.
    #[test]
    fn ticks_are_round_and_few() {
        assert_eq!(tick_step(60_000_000), 5_000_000);
        assert_eq!(tick_step(1_000_000), 100_000);
        assert_eq!(tick_step(7 * 86_400_000_000), 86_400_000_000);
        let axis = TimeAxis { from: SimTime::ZERO, to: SimTime::from_micros(60_000_000), left: 100.0, width: 600.0 };
        assert_eq!(axis.x(SimTime::from_micros(30_000_000)), 400.0);
        assert_eq!(axis.x(SimTime::from_micros(90_000_000)), 700.0, "clamped to the window");
    }
}
