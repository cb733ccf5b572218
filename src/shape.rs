//! Checks of the code's shape that the compiler does not make (unit tests only).

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// The feature a source file belongs to (`src/classes/routes.rs` → `classes`).
    fn feature(root: &Path, p: &Path) -> String {
        let rel = p.strip_prefix(root).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        first.trim_end_matches(".rs").to_string()
    }

    /// No feature reaches into another feature's routes: what features share lives in their
    /// services, stores or domain modules. Only the assembly of the app (`lib.rs`) and the API
    /// description (`openapi.rs`) name every feature's routes.
    #[test]
    fn no_feature_imports_another_features_routes() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![];
        sources(&root, &mut files);
        let mut found = vec![];
        for f in files {
            let me = feature(&root, &f);
            if ["lib", "openapi", "main", "bin", "shape"].contains(&me.as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            for (n, line) in text.lines().enumerate() {
                let mut rest = line;
                while let Some(i) = rest.find("::routes") {
                    let before = &rest[..i];
                    let other = before
                        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or("");
                    if !other.is_empty() && other != me && other != "super" && other != "self" {
                        found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                    }
                    rest = &rest[i + 8..];
                }
            }
        }
        assert!(
            found.is_empty(),
            "features reaching into other features' routes:\n{}",
            found.join("\n")
        );
    }

    /// Modules that are not features: the app's assembly and what every feature shares.
    const FOUNDATION: [&str; 16] = [
        "api", "bin", "config", "db", "error", "health", "lib", "logging", "main", "openapi",
        "problems", "reasons", "security", "shape", "shared", "state",
    ];

    /// The features each feature names (`crate::x`, `crate::{x, …}`), from the sources.
    fn feature_graph() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
        let features: std::collections::BTreeSet<String> = std::fs::read_dir(&root)
            .unwrap()
            .flatten()
            .map(|e| feature(&root, &e.path()))
            .filter(|f| !FOUNDATION.contains(&f.as_str()))
            .collect();
        let mut files = vec![];
        sources(&root, &mut files);
        let mut graph: std::collections::BTreeMap<_, std::collections::BTreeSet<String>> = features
            .iter()
            .map(|f| (f.clone(), Default::default()))
            .collect();
        for f in files {
            let me = feature(&root, &f);
            let Some(deps) = graph.get_mut(&me) else {
                continue;
            };
            let text = std::fs::read_to_string(&f).unwrap();
            let mut named = |word: &str| {
                if word != me && features.contains(word) {
                    deps.insert(word.to_string());
                }
            };
            for (i, _) in text.match_indices("crate::") {
                let rest = &text[i + 7..];
                if let Some(group) = rest.strip_prefix('{') {
                    let group = &group[..group.find('}').unwrap_or(group.len())];
                    for part in group.split(',') {
                        let word = part.trim().split("::").next().unwrap_or("").trim();
                        named(word);
                    }
                } else {
                    let end = rest
                        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    named(&rest[..end]);
                }
            }
        }
        graph
    }

    /// The graph drawn in ARCHITECTURE.md, between its `feature-graph` markers
    /// (`feature → a, b` per line, `—` for none).
    fn documented_graph() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>>
    {
        let doc = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"),
        )
        .unwrap();
        let start = doc.find("<!-- feature-graph -->").expect("start marker");
        let end = doc.find("<!-- /feature-graph -->").expect("end marker");
        let mut graph = std::collections::BTreeMap::new();
        for line in doc[start..end].lines().skip(1) {
            let Some((from, to)) = line.split_once('→') else {
                continue;
            };
            let deps = to
                .split(',')
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty() && d != "—")
                .collect();
            graph.insert(from.trim().to_string(), deps);
        }
        graph
    }

    /// Features depend on each other in one direction only, and ARCHITECTURE.md draws exactly the
    /// dependencies the code has.
    #[test]
    fn feature_graph_is_acyclic_and_documented() {
        let graph = feature_graph();
        let doc = documented_graph();
        let show = |g: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>| {
            g.iter()
                .map(|(f, d)| {
                    let d: Vec<&str> = d.iter().map(String::as_str).collect();
                    format!(
                        "    {f:<12}→ {}",
                        if d.is_empty() {
                            "—".to_string()
                        } else {
                            d.join(", ")
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            graph,
            doc,
            "ARCHITECTURE.md's feature graph is out of date; the code's is:\n{}",
            show(&graph)
        );
        // Kahn's algorithm: a feature is placed once everything it depends on is placed.
        let mut placed: std::collections::BTreeSet<&str> = Default::default();
        loop {
            let next: Vec<&str> = graph
                .iter()
                .filter(|(f, deps)| {
                    !placed.contains(f.as_str()) && deps.iter().all(|d| placed.contains(d.as_str()))
                })
                .map(|(f, _)| f.as_str())
                .collect();
            if next.is_empty() {
                break;
            }
            placed.extend(next);
        }
        let cyclic: Vec<&String> = graph
            .keys()
            .filter(|f| !placed.contains(f.as_str()))
            .collect();
        assert!(
            cyclic.is_empty(),
            "features on a dependency cycle (or depending on one): {cyclic:?}"
        );
    }

    /// What every feature shares depends on no feature.
    #[test]
    fn foundation_depends_on_no_feature() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
        let features: Vec<String> = feature_graph().into_keys().collect();
        let mut found = vec![];
        for dir in [
            "shared",
            "db",
            "api",
            "error.rs",
            "reasons.rs",
            "problems.rs",
            "logging.rs",
            "security.rs",
            "health.rs",
        ] {
            let mut files = vec![];
            let p = root.join(dir);
            if p.is_dir() {
                sources(&p, &mut files);
            } else {
                files.push(p);
            }
            for f in files {
                let text = std::fs::read_to_string(&f).unwrap();
                for feat in &features {
                    if text.contains(&format!("crate::{feat}::")) {
                        found.push(format!("{} names {feat}", f.display()));
                    }
                }
            }
        }
        assert!(found.is_empty(), "{found:?}");
    }

    /// Tables whose writes need not move the data version: the logs, which nothing cached is
    /// built from, and the version's own bookkeeping.
    const UNVERSIONED: [&str; 5] = [
        "audit_log",
        "login_failures",
        "login_known",
        "data_version",
        "temp",
    ];

    /// The table a write statement starting at `sql` names, if `sql` starts one
    /// (`INSERT [OR …] INTO t`, `UPDATE t SET`, `DELETE FROM t`).
    fn written_table(sql: &str) -> Option<String> {
        let words: Vec<&str> = sql.split_whitespace().take(5).collect();
        let word = |i: usize| words.get(i).copied().unwrap_or("");
        let table = match word(0) {
            "INSERT" if word(1) == "INTO" => word(2),
            "INSERT" if word(1) == "OR" && word(3) == "INTO" => word(4),
            "UPDATE" if word(2) == "SET" => word(1),
            "DELETE" if word(1) == "FROM" => word(2),
            _ => return None,
        };
        let table: String = table
            .chars()
            .take_while(|c| c.is_alphanumeric() || "_{}.".contains(*c))
            .collect();
        Some(table.split('.').next().unwrap_or("").to_string())
    }

    /// Every statement that writes data runs in a write transaction (`Tx`): SQLite's data
    /// version moves once per `Tx` that wrote, as it commits (`db::version`), so a write on the
    /// pool outside one would leave the cached records (`GET /api/me`) stale. A function that
    /// writes a table other than the logs takes a `Tx` or begins one before the statement. `db`
    /// itself is left out (its bulk writes and the version's statements take the caller's `Tx`),
    /// and so are the benchmarks (`bin`), whose own statements fill scratch databases.
    #[test]
    fn data_writes_go_through_a_transaction() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![];
        sources(&root, &mut files);
        let mut found = vec![];
        let mut seen = 0;
        for f in files {
            if ["db", "shape", "bin"].contains(&feature(&root, &f).as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            // The line where the function being read starts.
            let mut func = 0;
            for (n, line) in lines.iter().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                if [
                    "fn ",
                    "pub fn ",
                    "async fn ",
                    "pub async fn ",
                    "pub(crate) async fn ",
                ]
                .iter()
                .any(|p| code.starts_with(p))
                {
                    func = n;
                }
                for (i, _) in line.match_indices(['I', 'U', 'D']) {
                    let Some(table) = written_table(&line[i..]) else {
                        continue;
                    };
                    if i > 0 && line[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    seen += 1;
                    if UNVERSIONED.contains(&table.as_str()) {
                        continue;
                    }
                    let signature: String = lines[func..]
                        .iter()
                        .take_while(|l| !l.trim_end().ends_with('{'))
                        .chain(lines.get(func).filter(|l| l.trim_end().ends_with('{')))
                        .copied()
                        .collect();
                    let body = lines[func..=n].join("\n");
                    if !signature.contains("Tx") && !body.contains(".begin()") {
                        found.push(format!("{}:{}: {table}", f.display(), n + 1));
                    }
                }
            }
        }
        assert!(seen > 50, "the check found only {seen} write statements");
        assert!(
            found.is_empty(),
            "writes outside a Tx (they would not move the data version):\n{}",
            found.join("\n")
        );
    }
}
