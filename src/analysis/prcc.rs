//! Partial rank correlation coefficients (PRCC): how strongly each input moves an output once the
//! other inputs are accounted for, on ranks, so that any monotone relation counts (Marino et al.
//! 2008, "A methodology for performing global uncertainty and sensitivity analysis in systems
//! biology", J. Theor. Biol. 254).
//!
//! All inputs and the output are replaced by their ranks (ties share their mean rank); the PRCC
//! of input j is the correlation of the residuals of rank(x_j) and rank(y) after a linear
//! regression of each on the other ranked inputs. It is read off the inverse P of the
//! correlation matrix of the ranks: PRCC_j = −P[j][y] / √(P[j][j]·P[y][y]).

/// The PRCC of one input, with a 95% interval from Fisher's z transform (standard error
/// 1/√(N − 3 − number of other inputs)).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Prcc {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

/// PRCC of each column of `x` (rollout-major, `n × k`) with `y`. `None` for a column that does
/// not vary (nothing to correlate), and for every column when `y` does not vary.
pub fn prcc(x: &[f64], k: usize, y: &[f64]) -> Vec<Option<Prcc>> {
    let n = y.len();
    assert_eq!(x.len(), n * k, "x has n × k values");
    let column = |j: usize| -> Vec<f64> { (0..n).map(|i| x[i * k + j]).collect() };
    let varies = |v: &[f64]| v.iter().any(|&a| a != v[0]);
    let mut out = vec![None; k];
    if n < 4 || !varies(y) {
        return out;
    }
    // Only varying inputs enter the regression; a constant column would make it singular.
    let used: Vec<usize> = (0..k).filter(|&j| varies(&column(j))).collect();
    let mut ranked: Vec<Vec<f64>> = used.iter().map(|&j| ranks(&column(j))).collect();
    ranked.push(ranks(y));
    let m = ranked.len();
    let centred: Vec<Vec<f64>> = ranked
        .iter()
        .map(|r| {
            let mean = r.iter().sum::<f64>() / n as f64;
            r.iter().map(|v| v - mean).collect()
        })
        .collect();
    let mut corr = vec![vec![0.0; m]; m];
    for a in 0..m {
        for b in a..m {
            let sab: f64 = centred[a].iter().zip(&centred[b]).map(|(u, v)| u * v).sum();
            corr[a][b] = sab;
            corr[b][a] = sab;
        }
    }
    let diag: Vec<f64> = (0..m).map(|a| corr[a][a].sqrt()).collect();
    for a in 0..m {
        for b in 0..m {
            corr[a][b] /= diag[a] * diag[b];
        }
    }
    let Some(p) = invert(&corr) else {
        return out;
    };
    let yi = m - 1;
    let others = used.len().saturating_sub(1) as f64;
    for (slot, &j) in used.iter().enumerate() {
        let r = (-p[slot][yi] / (p[slot][slot] * p[yi][yi]).sqrt()).clamp(-1.0, 1.0);
        let dof = n as f64 - 3.0 - others;
        let (lo, hi) = if dof > 0.0 && r.abs() < 1.0 {
            let z = r.atanh();
            let half = super::intervals::Z95 / dof.sqrt();
            ((z - half).tanh(), (z + half).tanh())
        } else {
            (r, r)
        };
        out[j] = Some(Prcc { value: r, lo, hi });
    }
    out
}

/// Ranks 1..n, ties sharing the mean of the ranks they span.
pub fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let mean_rank = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            r[o] = mean_rank;
        }
        i = j + 1;
    }
    r
}

/// The inverse of a small square matrix by Gauss–Jordan elimination with partial pivoting;
/// `None` if it is singular.
fn invert(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let m = a.len();
    let mut w: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = row.clone();
            r.extend((0..m).map(|j| if i == j { 1.0 } else { 0.0 }));
            r
        })
        .collect();
    for col in 0..m {
        let pivot = (col..m).max_by(|&x, &y| w[x][col].abs().total_cmp(&w[y][col].abs()))?;
        if w[pivot][col].abs() < 1e-12 {
            return None;
        }
        w.swap(col, pivot);
        let d = w[col][col];
        w[col].iter_mut().for_each(|v| *v /= d);
        for row in 0..m {
            if row != col {
                let f = w[row][col];
                if f != 0.0 {
                    let pivot_row = w[col].clone();
                    for (x, p) in w[row].iter_mut().zip(&pivot_row) {
                        *x -= f * p;
                    }
                }
            }
        }
    }
    Some(w.into_iter().map(|r| r[m..].to_vec()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_their_mean_rank() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn inverse_of_a_known_matrix() {
        let inv = invert(&[vec![4.0, 7.0], vec![2.0, 6.0]]).unwrap();
        let want = [[0.6, -0.7], [-0.2, 0.4]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((inv[i][j] - want[i][j]).abs() < 1e-12, "{inv:?}");
            }
        }
        assert!(invert(&[vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }

    /// y rises with x0, falls with x1, ignores x2: the signs come out and x2's PRCC is small.
    #[test]
    fn signs_of_a_known_relation() {
        let n = 2000;
        let mut x = Vec::with_capacity(n * 3);
        let mut y = Vec::with_capacity(n);
        let mut s = 12345u64;
        let mut u = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..n {
            let (a, b, c) = (u(), u(), u());
            x.extend([a, b, c]);
            // A monotone but non-linear relation, thresholded to 0/1 like an outcome indicator.
            y.push(((a * a - b + 0.3 * (u() - 0.5)) > 0.0) as u8 as f64);
        }
        let r = prcc(&x, 3, &y);
        let v: Vec<f64> = r.iter().map(|p| p.unwrap().value).collect();
        assert!(v[0] > 0.3 && v[1] < -0.3, "{v:?}");
        // Under no effect the PRCC's sd is about 1/√N: allow 4 of them.
        assert!(v[2].abs() < 4.0 / (n as f64).sqrt(), "x2 has no effect but PRCC {}", v[2]);
    }

    /// The PRCC as its definition reads, computed another way: naive ranks (1 + the values
    /// below + half the other equal ones), each ranked input and the ranked output regressed on
    /// the two other ranked inputs with an intercept (normal equations by Cramer's rule), the
    /// correlation of the residuals; the interval from Fisher's z with N − 3 − 2 degrees.
    #[test]
    fn the_prcc_is_the_correlation_of_the_rank_residuals() {
        let n = 60;
        let mut s = 99u64;
        let mut u = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut x = Vec::new();
        let mut y = Vec::new();
        for _ in 0..n {
            // Rounded to tenths so that ranks tie.
            let (a, b, c) = ((u() * 10.0).round() / 10.0, u(), u());
            x.extend([a, b, c]);
            y.push(2.0 * a - b + 0.5 * c * c + 0.4 * u());
        }
        let naive_ranks = |v: &[f64]| -> Vec<f64> {
            v.iter()
                .map(|&a| {
                    let below = v.iter().filter(|&&b| b < a).count() as f64;
                    let equal = v.iter().filter(|&&b| b == a).count() as f64;
                    1.0 + below + (equal - 1.0) / 2.0
                })
                .collect()
        };
        let cols: Vec<Vec<f64>> = (0..3).map(|j| naive_ranks(&(0..n).map(|i| x[i * 3 + j]).collect::<Vec<_>>())).collect();
        let ry = naive_ranks(&y);
        let det3 = |m: [[f64; 3]; 3]| {
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        };
        // Residuals of t regressed on (1, p, q).
        let residuals = |t: &[f64], p: &[f64], q: &[f64]| -> Vec<f64> {
            let basis = [vec![1.0; n], p.to_vec(), q.to_vec()];
            let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
            let mut g = [[0.0; 3]; 3];
            let mut r = [0.0; 3];
            for i in 0..3 {
                r[i] = dot(&basis[i], t);
                for j in 0..3 {
                    g[i][j] = dot(&basis[i], &basis[j]);
                }
            }
            let d = det3(g);
            let beta: Vec<f64> = (0..3)
                .map(|c| {
                    let mut m = g;
                    for i in 0..3 {
                        m[i][c] = r[i];
                    }
                    det3(m) / d
                })
                .collect();
            (0..n).map(|i| t[i] - beta[0] - beta[1] * p[i] - beta[2] * q[i]).collect()
        };
        let corr = |a: &[f64], b: &[f64]| {
            let ma = a.iter().sum::<f64>() / n as f64;
            let mb = b.iter().sum::<f64>() / n as f64;
            let sab: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
            let saa: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
            let sbb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
            sab / (saa * sbb).sqrt()
        };
        let got = prcc(&x, 3, &y);
        for j in 0..3 {
            let (p, q) = match j {
                0 => (&cols[1], &cols[2]),
                1 => (&cols[0], &cols[2]),
                _ => (&cols[0], &cols[1]),
            };
            let want = corr(&residuals(&cols[j], p, q), &residuals(&ry, p, q));
            let g = got[j].unwrap();
            assert!((g.value - want).abs() < 1e-9, "input {j}: {} against {want}", g.value);
            let half = super::super::intervals::Z95 / (n as f64 - 5.0).sqrt();
            assert!((g.lo - (want.atanh() - half).tanh()).abs() < 1e-9, "input {j}: {g:?}");
            assert!((g.hi - (want.atanh() + half).tanh()).abs() < 1e-9, "input {j}: {g:?}");
        }
        // Too few rollouts to correlate anything.
        assert_eq!(prcc(&x[..9], 3, &y[..3]), vec![None, None, None]);
    }

    /// Four rollouts are the fewest correlated, three too few (even when they could be); with
    /// no degrees of freedom left for Fisher's interval (N − 3 − others = 0) the interval is
    /// the value itself.
    #[test]
    fn the_fewest_rollouts_and_no_degrees_of_freedom() {
        assert_eq!(prcc(&[1.0, 2.0, 3.0], 1, &[1.0, 3.0, 2.0]), vec![None]);
        let four = prcc(&[1.0, 2.0, 3.0, 4.0], 1, &[1.0, 3.0, 2.0, 4.0])[0].unwrap();
        // Spearman's ρ of (1, 2, 3, 4) and (1, 3, 2, 4): 1 − 6·2/(4·15) = 0.8; dof 4 − 3 = 1.
        assert!((four.value - 0.8).abs() < 1e-12, "{four:?}");
        let half = super::super::intervals::Z95;
        assert!((four.lo - (0.8f64.atanh() - half).tanh()).abs() < 1e-12, "{four:?}");
        // N = 3 + 2 others: a value, no interval.
        let x = [1.0, 5.0, 2.0, 2.0, 4.0, 1.0, 3.0, 1.0, 5.0, 4.0, 3.0, 3.0, 5.0, 2.0, 4.0];
        let y = [1.0, 2.0, 3.0, 5.0, 4.0];
        let got: Vec<Prcc> = prcc(&x, 3, &y).into_iter().flatten().collect();
        assert_eq!(got.len(), 3, "every input varies and the ranks are not collinear");
        for p in got {
            assert_eq!((p.lo, p.hi), (p.value, p.value), "{p:?}");
        }
    }

    /// The ranks of 1..n in any order, ties at the top and bottom, and a run of three.
    #[test]
    fn ranks_with_runs_of_ties() {
        assert_eq!(ranks(&[5.0, 5.0, 1.0, 2.0, 2.0, 2.0, 9.0]), vec![5.5, 5.5, 1.0, 3.0, 3.0, 3.0, 7.0]);
        assert_eq!(ranks(&[0.0, 0.0]), vec![1.5, 1.5]);
        assert_eq!(ranks(&[3.0, 2.0, 1.0]), vec![3.0, 2.0, 1.0]);
        assert_eq!(ranks(&[]), Vec::<f64>::new());
    }

    /// A 3 × 3 inverse that needs a row swap (a zero first pivot), checked as A · A⁻¹ = I.
    #[test]
    fn an_inverse_that_needs_pivoting() {
        let a = vec![vec![0.0, 2.0, 1.0], vec![1.0, 1.0, 0.0], vec![3.0, 0.0, 1.0]];
        let inv = invert(&a).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let v: f64 = (0..3).map(|k| a[i][k] * inv[k][j]).sum();
                assert!((v - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12, "{inv:?}");
            }
        }
    }

    #[test]
    fn constant_columns_and_outputs_give_none() {
        let x = [1.0, 0.0, 1.0, 1.0, 1.0, 2.0, 1.0, 3.0, 1.0, 4.0];
        assert_eq!(prcc(&x, 2, &[0.0; 5]), vec![None, None]);
        let r = prcc(&x, 2, &[0.0, 0.0, 1.0, 1.0, 1.0]);
        assert!(r[0].is_none() && r[1].is_some());
    }
}
