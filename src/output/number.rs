//! Numbers written into CSV cells, fast and byte for byte as Rust's own formatting writes them.
//!
//! `{x:.d$}` formats the exact binary value correctly rounded, which costs a big-number
//! computation per value (most of runs.csv's time). `push_fixed` gets the same digits from one
//! multiplication and an integer whenever the scaled value is not within the multiplication's
//! rounding error of a half (where the exact value decides), and falls back to the standard
//! formatter there and for values too large for the fast path.

/// Where digits go: a `String` (a cell of a text being built) or bytes (a runs.csv row, which
/// takes them in one copy rather than a character at a time).
pub trait Sink {
    /// Appends ASCII bytes.
    fn put(&mut self, ascii: &[u8]);
    /// Appends what the standard formatter writes.
    fn put_fmt(&mut self, args: std::fmt::Arguments<'_>);
}

impl Sink for String {
    fn put(&mut self, ascii: &[u8]) {
        ascii.iter().for_each(|&b| self.push(char::from(b)));
    }

    fn put_fmt(&mut self, args: std::fmt::Arguments<'_>) {
        let _ = std::fmt::Write::write_fmt(self, args);
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, ascii: &[u8]) {
        self.extend_from_slice(ascii);
    }

    fn put_fmt(&mut self, args: std::fmt::Arguments<'_>) {
        let _ = std::io::Write::write_fmt(self, args);
    }
}

const POW10: [f64; 10] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/// Appends `x` with `d` decimals, as `write!(out, "{x:.d$}")` does.
pub fn push_fixed<S: Sink + ?Sized>(out: &mut S, x: f64, d: usize) {
    if d < POW10.len() && x.is_finite() {
        let s = x.abs() * POW10[d];
        // Below 2⁵² the scaled value's fraction is exact, and s·(1 ± 2⁻⁵³) brackets the true
        // |x|·10^d (10^d is exact): away from a half by more than that, rounding s is rounding
        // the true value.
        if s < 4.0e15 {
            let whole = s as u64;
            let frac = s - whole as f64;
            if (frac - 0.5).abs() > s * 2f64.powi(-51) + f64::MIN_POSITIVE {
                let mut n = whole + u64::from(frac > 0.5);
                // The digits of n, last first, with the point d digits from the end: one copy.
                let mut buf = [0u8; 32];
                let mut at = buf.len();
                for _ in 0..d {
                    at -= 1;
                    buf[at] = b'0' + (n % 10) as u8;
                    n /= 10;
                }
                if d > 0 {
                    at -= 1;
                    buf[at] = b'.';
                }
                at = digits_ending_at(&mut buf, at, n);
                if x.is_sign_negative() {
                    at -= 1;
                    buf[at] = b'-';
                }
                out.put(&buf[at..]);
                return;
            }
        }
    }
    out.put_fmt(format_args!("{x:.d$}"));
}

/// Appends `n` in decimal, as `write!(out, "{n}")` does.
pub fn push_uint<S: Sink + ?Sized>(out: &mut S, n: u64) {
    let mut digits = [0u8; 20];
    let end = digits.len();
    let at = digits_ending_at(&mut digits, end, n);
    out.put(&digits[at..]);
}

/// Writes `n` in decimal into `buf`, its last digit just before `end`; returns where its first
/// digit went (0 has one digit).
fn digits_ending_at(buf: &mut [u8], end: usize, mut n: u64) -> usize {
    let mut at = end;
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return at;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `x` with `d` decimals, through both sinks (they must agree byte for byte).
    fn fixed(x: f64, d: usize) -> String {
        let mut s = String::new();
        push_fixed(&mut s, x, d);
        let mut b = Vec::new();
        push_fixed(&mut b, x, d);
        assert_eq!(s.as_bytes(), &b[..], "{x:e} with {d} decimals: the byte sink differs");
        s
    }

    /// The fast digits are the standard formatter's, on random values of every size the cells
    /// hold, on exact and near halves (where the exact value decides and ties go to even), on
    /// signed zeros, on values past the fast path and on non-finite ones.
    #[test]
    fn fixed_decimals_are_the_standard_formatters() {
        let mut values = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -2.5,
            0.125,
            0.375,
            0.05,
            0.15,
            0.25,
            0.35,
            1e-300,
            -1e-300,
            4.0e15,
            1e16,
            -3.2e17,
            0.00005,
            0.000049999999,
            0.99995,
            9.99995,
            135_800.0,
            22.4975,
            1.0,
            -1.0,
            1e9,
            123_456_789.123_456_7,
        ];
        for k in 1..2000 {
            values.push(k as f64 / 2000.0);
            values.push(k as f64 * 0.00005);
            values.push(-(k as f64) * 0.0005);
        }
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let scale = [1e-6, 1e-3, 1.0, 1e2, 1e5, 1e8, 1e12][(x % 7) as usize];
            values.push(((x >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2.0 * scale);
        }
        for v in values {
            for d in [0, 1, 3, 4, 5, 9] {
                assert_eq!(fixed(v, d), format!("{v:.d$}"), "{v:e} with {d} decimals");
            }
        }
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(fixed(v, 4), format!("{v:.4}"));
        }
        for n in [0u64, 7, 10, 99, 100, 12_345, u64::MAX] {
            let mut s = String::new();
            push_uint(&mut s, n);
            assert_eq!(s, n.to_string());
            let mut b = Vec::new();
            push_uint(&mut b, n);
            assert_eq!(b, n.to_string().as_bytes());
        }
    }
}
