//! Edit distance for did-you-mean suggestions.

/// Optimal string alignment distance (Damerau-Levenshtein where a transposed
/// pair is not edited again). Returns `None` as soon as the distance must
/// exceed `limit`, which keeps scanning a whole group cheap.
pub(crate) fn osa_within(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let width = b.len() + 1;
    // Three rows: two back (for transpositions), previous, current.
    let mut prev2 = vec![0usize; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0usize; width];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= limit).then_some(d)
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

    #[test]
    fn limit_cuts_off() {
        let a: Vec<char> = "aaaaaaaa".chars().collect();
        let b: Vec<char> = "bbbbbbbb".chars().collect();
        assert_eq!(osa_within(&a, &b, 2), None);
        assert_eq!(osa_within(&a, &b, 8), Some(8));
    }
}
