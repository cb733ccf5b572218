//! Every action and record kind the code writes to the audit log has a label in the web UI's
//! catalogue (`static/i18n.js`: `act_<action>` and `ent_<entity>`, Vietnamese and English), so the
//! audit page never shows a raw code. The source is read: each `audit::record(` call's action
//! and entity arguments, their string literals, and for an argument computed at run time the
//! values listed below (a new computed argument fails this test until it is listed).

use std::path::{Path, PathBuf};

/// Arguments computed at run time, with every value they take.
const COMPUTED: &[(&str, &[&str])] = &[
    // enrolments: `EnrolmentStatus::ended_by(role)`.
    ("new_status.as_str()", &["withdrawn", "removed"]),
    // accounts: `AccountChange::action`.
    ("change.action()", &["deactivate", "update"]),
    // cadres: a change of unit is a move.
    ("action", &["move", "update"]),
    // cadres: the title lists.
    (
        "period_entity(which)",
        &["title_assignment", "succession_plan"],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The arguments of the call whose `(` is at the start of `text`, split at top-level commas
/// (string literals and nested brackets kept whole).
fn arguments(text: &str) -> Vec<String> {
    let mut args = vec![];
    let mut cur = String::new();
    let mut depth = 0i32;
    let mut chars = text.chars();
    assert_eq!(chars.next(), Some('('));
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                cur.push(c);
                while let Some(d) = chars.next() {
                    cur.push(d);
                    if d == '\\' {
                        cur.extend(chars.next());
                    } else if d == '"' {
                        break;
                    }
                }
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                args.push(cur.trim().to_string());
                return args;
            }
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    panic!("unclosed call: {}", &text[..text.len().min(200)]);
}

/// The string literals of an argument, or the values its computation takes.
fn values(arg: &str, at: &str) -> Vec<String> {
    let literals: Vec<String> = arg
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    if !literals.is_empty() {
        return literals;
    }
    let squeezed: String = arg.split_whitespace().collect();
    match COMPUTED.iter().find(|(e, _)| *e == squeezed) {
        Some((_, vs)) => vs.iter().map(|v| v.to_string()).collect(),
        None => panic!("{at}: the audit argument `{arg}` is computed; list its values in COMPUTED"),
    }
}

#[test]
fn every_audit_action_and_kind_has_a_label() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![];
    rust_files(&root.join("src"), &mut files);
    let mut actions = std::collections::BTreeSet::new();
    let mut kinds = std::collections::BTreeSet::new();
    let mut calls = 0;
    for f in files
        .iter()
        .filter(|f| !f.starts_with(root.join("src/audit")))
    {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, _) in text.match_indices("audit::record(") {
            let args = arguments(&text[i + "audit::record".len()..]);
            let at = format!("{}:{}", f.display(), text[..i].lines().count());
            assert!(args.len() >= 4, "{at}: {args:?}");
            actions.extend(values(&args[2], &at));
            kinds.extend(values(&args[3], &at));
            calls += 1;
        }
    }
    assert!(calls > 30, "the calls were found: {calls}");
    let i18n = std::fs::read_to_string(root.join("static/i18n.js")).unwrap();
    let label = |key: &str| {
        let line = i18n
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{key}: [")))
            .unwrap_or_else(|| panic!("static/i18n.js has no label {key}"));
        let pair: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
        assert!(
            pair.len() == 2 && !pair[0].is_empty() && !pair[1].is_empty(),
            "{key}: a Vietnamese and an English label: {line}"
        );
        assert_ne!(
            pair[0], pair[1],
            "{key}: the Vietnamese is the English: {line}"
        );
    };
    for a in &actions {
        label(&format!("act_{a}"));
    }
    for k in &kinds {
        label(&format!("ent_{k}"));
    }
}
