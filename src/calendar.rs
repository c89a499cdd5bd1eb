//! Calendar months (`YYYY-MM`), the model's unit of time.

use std::fmt;

/// A calendar month. Stored as months since year 0 so that month arithmetic is integer addition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth(i32);

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        if !(1..=12).contains(&month) || !(1000..=9999).contains(&year) {
            return None;
        }
        Some(YearMonth(year * 12 + month as i32 - 1))
    }

    /// A month known at compile time (`month` in 1 … 12).
    pub const fn const_new(year: i32, month: u32) -> YearMonth {
        assert!(month >= 1 && month <= 12);
        YearMonth(year * 12 + month as i32 - 1)
    }

    /// Parses `YYYY-MM`. Returns `None` for anything else (callers phrase the error).
    pub fn parse(text: &str) -> Option<YearMonth> {
        let (y, m) = text.split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        YearMonth::new(y.parse().ok()?, m.parse().ok()?)
    }

    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    pub fn month(self) -> u32 {
        (self.0.rem_euclid(12) + 1) as u32
    }

    /// The month `n` months later (negative: earlier).
    pub fn plus(self, n: i32) -> YearMonth {
        YearMonth(self.0 + n)
    }

    /// Months since year 0 (the index charts place months by), and back.
    pub fn index(self) -> i64 {
        self.0 as i64
    }

    pub fn from_index(index: i64) -> YearMonth {
        YearMonth(index.clamp(i32::MIN as i64, i32::MAX as i64) as i32)
    }

    /// Whole months from `self` to `later` (negative if `later` is earlier).
    pub fn months_until(self, later: YearMonth) -> i32 {
        later.0 - self.0
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_arithmetic() {
        let m = YearMonth::parse("2025-05").unwrap();
        assert_eq!(m.to_string(), "2025-05");
        assert_eq!(m.plus(8).to_string(), "2026-01");
        assert_eq!(m.plus(-5).to_string(), "2024-12");
        assert_eq!(m.months_until(YearMonth::parse("2026-11").unwrap()), 18);
        for bad in ["2025-13", "2025-00", "25-05", "2025-5", "2025/05", "", "abcd-ef", "2025-05-01"] {
            assert!(YearMonth::parse(bad).is_none(), "{bad} parsed");
        }
    }
}
