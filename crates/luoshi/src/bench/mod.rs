//! `luoshi bench`: synthetic data at scale, loopback load with percentiles, and the limits of
//! this machine measured in the same run, so every speed claim comes from a command.

mod inputs;
mod load;
mod mix;
mod seed;
mod seed_debt;
mod seed_emergencies;
mod seed_hazards;
mod seed_livelihood;
mod seed_projects;

pub use inputs::*;
pub use load::*;
pub use mix::MIX;
pub use seed::*;

use std::io::Write;
use std::time::Instant;

/// A deterministic generator (SplitMix64): the same seed gives the same data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0..n
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Scale {
    /// 示范县 as is: ~80 units, 5,000 tasks.
    County,
    /// A city: ~900 more townships and villages, 50,000 tasks.
    City,
    /// A metropolis, a Beijing-year of its hotline: ~5,500 more units, 500,000 tasks, 24 million appeals.
    Metropolis,
}

impl Scale {
    fn spec(self) -> (usize, usize, usize) {
        match self {
            Scale::County => (0, 0, 5_000),
            Scale::City => (100, 8, 50_000),
            Scale::Metropolis => (500, 10, 500_000),
        }
    }

    /// Appeals at this scale.
    fn appeals(self) -> usize {
        match self {
            Scale::County => 3_000,
            Scale::City => 1_000_000,
            // Beijing's 12345 in 2024 (21.43 million in 2023).
            Scale::Metropolis => 24_000_000,
        }
    }

    /// Investment projects (a county a few hundred, a city thousands), twenty approval items each.
    fn projects(self) -> usize {
        match self {
            Scale::County => 300,
            Scale::City => 5_000,
            Scale::Metropolis => 10_000,
        }
    }

    /// Debt instruments (a county a few hundred, a city ten thousand), fifty schedule rows each.
    fn debt(self) -> usize {
        match self {
            Scale::County => 500,
            Scale::City => 10_000,
            Scale::Metropolis => 20_000,
        }
    }

    /// Livelihood proposals of a year ("proposals run to thousands").
    fn proposals(self) -> usize {
        match self {
            Scale::County => 1_000,
            Scale::City => 5_000,
            Scale::Metropolis => 10_000,
        }
    }

    /// Hazards found over a year (a county about 10,000 a year: 2,000 keeps `bench run`
    /// quick; a city about 100,000), one enterprise per five.
    fn hazards(self) -> usize {
        match self {
            Scale::County => 2_000,
            Scale::City => 100_000,
            Scale::Metropolis => 200_000,
        }
    }
}

pub(super) fn progress_bar(label: &str, done: usize, total: usize, started: Instant) {
    let width = 30;
    let filled = (done * width).checked_div(total).unwrap_or(width).min(width);
    let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
    eprint!("\r{label:<8} [{}{}] {done}/{total} ({rate:.0}/s)   ", "#".repeat(filled), " ".repeat(width - filled));
    if done >= total {
        eprintln!();
    }
    let _ = std::io::stderr().flush();
}
