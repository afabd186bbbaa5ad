//! The best one-to-one matching of rows to columns (the Hungarian method).

/// The matching of rows to columns that maximizes the total weight, where a pair of weight ≤ 0 counts as
/// no pair: `out[r]` is row `r`'s column, if any. `weights` is a rectangular matrix (rows of one length).
/// O(n³) for n the larger side.
pub(super) fn best_matching(weights: &[Vec<f64>]) -> Vec<Option<usize>> {
    let rows = weights.len();
    let cols = weights.first().map_or(0, Vec::len);
    let n = rows.max(cols);
    if n == 0 {
        return vec![None; rows];
    }
    // A square cost matrix (1-based, as in the classic formulation): cost = -max(weight, 0).
    let cost = |r: usize, c: usize| -> f64 {
        if r < rows && c < cols {
            -weights[r][c].max(0.0)
        } else {
            0.0
        }
    };
    let mut u = vec![0.0; n + 1];
    let mut v = vec![0.0; n + 1];
    let mut p = vec![0usize; n + 1]; // p[column] = row matched to it (1-based, 0: none)
    let mut way = vec![0usize; n + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![f64::INFINITY; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0;
            for j in 1..=n {
                if !used[j] {
                    let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut out = vec![None; rows];
    for j in 1..=n {
        let r = p[j];
        if r >= 1 && r <= rows && j <= cols && weights[r - 1][j - 1] > 0.0 {
            out[r - 1] = Some(j - 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::best_matching;

    #[test]
    fn matches() {
        // Greedy would take (0,0) = 5 and leave row 1 with nothing; the best total is 4 + 4.
        let w = vec![vec![5.0, 4.0], vec![4.0, -1.0]];
        assert_eq!(best_matching(&w), [Some(1), Some(0)]);
        assert_eq!(best_matching(&[vec![-1.0, 0.0]]), [None]);
        assert_eq!(best_matching(&[]), Vec::<Option<usize>>::new());
        let w = vec![vec![1.0], vec![3.0], vec![2.0]];
        assert_eq!(best_matching(&w), [None, Some(0), None]);
    }
}
