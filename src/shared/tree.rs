//! Unit paths: every unit's materialised path of codes, root first (`/79/760/26734/`). Scopes,
//! reports and the unit tree all select a subtree by a range of paths.

/// The half-open range `[lo, hi)` of paths in the subtree rooted at `path` (itself included).
/// Codes are digits and `/` sorts just below `0`, so `hi` is the path with its last `/` as `0`.
pub fn subtree_range(path: &str) -> (String, String) {
    let mut hi = path.trim_end_matches('/').to_string();
    hi.push('0');
    (path.to_string(), hi)
}

/// The codes on a path, root first.
pub fn path_codes(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_range_is_exact() {
        let (lo, hi) = subtree_range("/79/760/");
        assert!("/79/760/" >= lo.as_str() && "/79/760/" < hi.as_str());
        assert!("/79/760/26734/" >= lo.as_str() && "/79/760/26734/" < hi.as_str());
        assert!("/79/7600/" >= hi.as_str());
        assert!("/79/761/" >= hi.as_str());
        assert!("/79/" < lo.as_str());
    }

    #[test]
    fn path_codes_are_root_first() {
        assert_eq!(path_codes("/79/760/26734/"), vec!["79", "760", "26734"]);
        assert!(path_codes("/").is_empty());
    }
}
