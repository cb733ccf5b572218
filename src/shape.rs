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
}
