//! Unit scope: the part of the unit tree a caller may see. Enforced here, in one place.

use crate::error::{AppError, AppResult};
use crate::shared::tree::subtree_range;

/// The units whose data a caller may read or write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole tree (admin, school, commission).
    All,
    /// One unit and everything under it (officers, cadres).
    Subtree {
        /// Code of the subtree's root (the account's home unit).
        code: String,
        /// Materialised path of that root.
        path: String,
    },
    /// A cadre: their own record only (and their home unit's part of the tree for browsing).
    Own {
        /// The account's linked cadre record, if any.
        cadre_id: Option<i64>,
        /// Home unit code.
        code: String,
        /// Home unit path.
        path: String,
    },
}

impl Scope {
    /// Whether a unit with this path lies in scope.
    pub fn contains_path(&self, path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Subtree { path: root, .. } | Scope::Own { path: root, .. } => {
                path.starts_with(root.as_str())
            }
        }
    }

    /// Whether a cadre record (by id and the path of its unit) is visible.
    pub fn sees_cadre(&self, cadre_id: i64, unit_path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Subtree { path, .. } => unit_path.starts_with(path.as_str()),
            Scope::Own { cadre_id: own, .. } => *own == Some(cadre_id),
        }
    }

    /// A SQL condition restricting cadre rows to scope: `id_col` is the cadre id column,
    /// `path_col` the path of the cadre's unit. Binds are the path range, if any.
    pub fn cadre_filter(
        &self,
        id_col: &str,
        path_col: &str,
        next_param: usize,
    ) -> (String, Vec<String>) {
        match self {
            Scope::Own { cadre_id, .. } => {
                (format!("{id_col} = {}", cadre_id.unwrap_or(-1)), vec![])
            }
            other => other.sql_filter(path_col, next_param),
        }
    }

    /// Whether the unit at `path` is an ancestor of the scope's root (visible for breadcrumbs only).
    pub fn is_ancestor_path(&self, path: &str) -> bool {
        match self {
            Scope::All => false,
            Scope::Subtree { path: root, .. } | Scope::Own { path: root, .. } => {
                root.starts_with(path) && root != path
            }
        }
    }

    /// Refuses (403) a unit outside scope, naming the parameter that gave it (`None`: the path).
    pub fn check_path(&self, field: Option<&str>, path: &str) -> AppResult<()> {
        if self.contains_path(path) {
            return Ok(());
        }
        let msg = crate::msg!(UnitOutsideSubtree);
        Err(match field {
            Some(f) => AppError::ForbiddenAt {
                field: f.to_string(),
                msg,
            },
            None => AppError::Forbidden(msg),
        })
    }

    /// A SQL condition restricting `col` (a path column) to scope, with its binds.
    /// `next_param` is the number of the first placeholder to use.
    pub fn sql_filter(&self, col: &str, next_param: usize) -> (String, Vec<String>) {
        match self {
            Scope::All => ("1 = 1".into(), vec![]),
            Scope::Subtree { path, .. } | Scope::Own { path, .. } => {
                let (lo, hi) = subtree_range(path);
                (
                    format!("{col} >= ${} AND {col} < ${}", next_param, next_param + 1),
                    vec![lo, hi],
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_scope_contains_descendants_only() {
        let s = Scope::Subtree {
            code: "760".into(),
            path: "/79/760/".into(),
        };
        assert!(s.contains_path("/79/760/"));
        assert!(s.contains_path("/79/760/26734/"));
        assert!(!s.contains_path("/79/761/"));
        assert!(!s.contains_path("/79/7600/"));
        assert!(s.is_ancestor_path("/79/"));
        assert!(!s.is_ancestor_path("/79/760/"));
        assert!(s.check_path(None, "/79/").is_err());
        assert!(Scope::All.contains_path("/01/"));
    }
}
