//! Edit distance for did-you-mean suggestions.

/// Optimal string alignment distance (Damerau-Levenshtein where a transposed
/// pair is not edited again). Returns `None` as soon as the distance must
/// exceed `limit`, which keeps scanning a whole group cheap.
pub(crate) fn osa_within(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    Rows::default().osa_within(a, b, limit)
}

/// The three rows of the distance table, kept between calls so that scanning a
/// whole group does not allocate per candidate.
#[derive(Default)]
pub(crate) struct Rows {
    prev2: Vec<usize>,
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl Rows {
    /// [`osa_within`], computing only the band of cells within `limit` of the
    /// diagonal: a cell farther off is at least its distance from it, so above
    /// the limit, and counts as `limit + 1`.
    pub(crate) fn osa_within(&mut self, a: &[char], b: &[char], limit: usize) -> Option<usize> {
        if a.len().abs_diff(b.len()) > limit {
            return None;
        }
        let over = limit + 1;
        let width = b.len() + 1;
        let Rows { prev2, prev, cur } = self;
        prev2.clear();
        prev2.resize(width, over);
        prev.clear();
        prev.extend((0..width).map(|j| j.min(over)));
        cur.clear();
        cur.resize(width, over);
        for i in 1..=a.len() {
            let lo = i.saturating_sub(limit).max(1);
            let hi = (i + limit).min(b.len());
            cur[0] = i.min(over);
            // The cells just outside the band hold stale values from older rows.
            cur[lo - 1] = if lo == 1 { cur[0] } else { over };
            if hi < b.len() {
                cur[hi + 1] = over;
            }
            let mut row_min = cur[lo - 1];
            for j in lo..=hi {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d = d.min(prev2[j - 2] + 1);
                }
                cur[j] = d.min(over);
                row_min = row_min.min(d);
            }
            if row_min > limit {
                return None;
            }
            std::mem::swap(prev2, prev);
            std::mem::swap(prev, cur);
        }
        let d = prev[b.len()];
        (d <= limit).then_some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::osa_within;

    fn d(a: &str, b: &str) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        osa_within(&a, &b, 10)
    }

    #[test]
    fn basic_distances() {
        assert_eq!(d("", ""), Some(0));
        assert_eq!(d("abc", "abc"), Some(0));
        assert_eq!(d("abc", ""), Some(3));
        assert_eq!(d("kitten", "sitting"), Some(3));
        assert_eq!(d("ab", "ba"), Some(1));
        assert_eq!(d("ca", "abc"), Some(3));
        assert_eq!(d("retention.sm", "retention.ms"), Some(1));
    }

    /// The whole table, no band and no cut-off.
    fn reference(a: &[char], b: &[char]) -> usize {
        let mut t = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in t.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in t[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut d = (t[i - 1][j] + 1)
                    .min(t[i][j - 1] + 1)
                    .min(t[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d = d.min(t[i - 2][j - 2] + 1);
                }
                t[i][j] = d;
            }
        }
        t[a.len()][b.len()]
    }

    #[test]
    fn banded_rows_agree_with_the_whole_table() {
        // A small alphabet makes matches, transpositions and near misses common.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n) as usize
        };
        let mut rows = super::Rows::default();
        for _ in 0..20_000 {
            let word = |len: usize, next: &mut dyn FnMut(u64) -> usize| -> Vec<char> {
                (0..len).map(|_| b"abc."[next(4)] as char).collect()
            };
            let (la, lb) = (next(12), next(12));
            let a = word(la, &mut next);
            let b = word(lb, &mut next);
            let limit = next(6);
            let want = Some(reference(&a, &b)).filter(|&d| d <= limit);
            // One `Rows` for every pair, as a group scan uses it.
            assert_eq!(rows.osa_within(&a, &b, limit), want, "{a:?} {b:?} {limit}");
        }
    }

    #[test]
    fn limit_cuts_off() {
        let a: Vec<char> = "aaaaaaaa".chars().collect();
        let b: Vec<char> = "bbbbbbbb".chars().collect();
        assert_eq!(osa_within(&a, &b, 2), None);
        assert_eq!(osa_within(&a, &b, 8), Some(8));
    }
}
