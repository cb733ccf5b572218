//! Pure unit-tree logic: codes, kinds, levels, paths, name folding, CSV parsing and import planning.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

use serde_json::json;

use crate::error::{AppError, ErrorDetail, ProblemCode, ProblemParams, Problems};
use crate::shared::table::{check_csv_shape, too_large, Limits};

/// Kind of administrative unit, as in the statistics-office files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// Centrally governed city (thành phố trực thuộc trung ương).
    City,
    /// Province (tỉnh).
    Province,
    /// Urban district (quận).
    UrbanDistrict,
    /// Rural district (huyện).
    RuralDistrict,
    /// City under a province (thành phố thuộc tỉnh), district level.
    DistrictCity,
    /// Town (thị xã), district level.
    Town,
    /// Ward (phường).
    Ward,
    /// Commune (xã).
    Commune,
    /// Township (thị trấn).
    Township,
    /// Special zone (đặc khu), commune level since 2025.
    SpecialZone,
}

/// The three tiers that title standards are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    /// Province or centrally governed city.
    City,
    /// District, town, provincial city.
    District,
    /// Ward, commune, township, special zone.
    Commune,
}

impl UnitKind {
    /// All kinds, in the order of the files' vocabulary.
    pub const ALL: [UnitKind; 10] = [
        UnitKind::City,
        UnitKind::Province,
        UnitKind::UrbanDistrict,
        UnitKind::RuralDistrict,
        UnitKind::DistrictCity,
        UnitKind::Town,
        UnitKind::Ward,
        UnitKind::Commune,
        UnitKind::Township,
        UnitKind::SpecialZone,
    ];

    /// The snake_case name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::City => "city",
            UnitKind::Province => "province",
            UnitKind::UrbanDistrict => "urban_district",
            UnitKind::RuralDistrict => "rural_district",
            UnitKind::DistrictCity => "district_city",
            UnitKind::Town => "town",
            UnitKind::Ward => "ward",
            UnitKind::Commune => "commune",
            UnitKind::Township => "township",
            UnitKind::SpecialZone => "special_zone",
        }
    }

    /// Parses a stored or imported kind name.
    pub fn parse(s: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The tier of this kind.
    pub fn level(self) -> UnitLevel {
        match self {
            UnitKind::City | UnitKind::Province => UnitLevel::City,
            UnitKind::UrbanDistrict
            | UnitKind::RuralDistrict
            | UnitKind::DistrictCity
            | UnitKind::Town => UnitLevel::District,
            UnitKind::Ward | UnitKind::Commune | UnitKind::Township | UnitKind::SpecialZone => {
                UnitLevel::Commune
            }
        }
    }
}

impl UnitLevel {
    /// The name titles and standards are written with (`city`, `district`, `commune`).
    pub fn as_str(self) -> &'static str {
        match self {
            UnitLevel::City => "city",
            UnitLevel::District => "district",
            UnitLevel::Commune => "commune",
        }
    }
}

/// Checks an official unit code: 1–10 ASCII digits.
pub fn parse_code(field: &str, s: &str) -> Result<String, AppError> {
    let s = s.trim();
    if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::invalid(
            field,
            crate::msg!(NotAUnitCode, field = field, value = s),
        ));
    }
    Ok(s.to_string())
}

/// An official unit code (1–10 ASCII digits), checked once where it enters and passed on as is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct UnitCode(String);

impl UnitCode {
    /// Parses a code given in `field` ([`parse_code`]'s rule and message).
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        parse_code(field, raw).map(UnitCode)
    }

    /// A code named in a path: one that is not a unit code names no unit (404).
    pub fn in_path(raw: &str) -> Result<Self, AppError> {
        Self::parse("code", raw).map_err(|_| AppError::not_found(crate::msg!(NoUnit, code = raw)))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Checks the code a body gives for the unit at this path: absent, or the same.
    pub fn check_unchanged(&self, given: Option<&str>) -> Result<(), AppError> {
        match given {
            Some(c) if c.trim() != self.0 => {
                Err(AppError::invalid("code", crate::msg!(UnitCodeFixed)))
            }
            _ => Ok(()),
        }
    }
}

impl std::fmt::Display for UnitCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The checked fields of a unit to create or change.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitFields {
    /// Name, trimmed.
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// Parent (none for a top-level unit).
    pub parent_code: Option<UnitCode>,
    /// Day the change takes effect (none: today, and a new unit has always existed).
    pub effective: Option<NaiveDate>,
}

impl UnitFields {
    /// Checks the fields given for unit `code`: a name of 1–200 characters, a parent that is a
    /// unit code other than the unit's own (an empty one is none).
    pub fn parse(
        code: &UnitCode,
        name: &str,
        kind: UnitKind,
        parent_code: Option<&str>,
        effective: Option<NaiveDate>,
    ) -> Result<Self, AppError> {
        // Composed: a name typed with combining marks is stored as the letters that have them.
        let trimmed = crate::shared::text::composed_words(name);
        if trimmed.is_empty() || name.chars().count() > 200 {
            return Err(AppError::invalid(
                "name",
                crate::msg!(TextLength, field = "name", max = 200),
            ));
        }
        let parent_code = parent_code
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|p| UnitCode::parse("parent_code", p))
            .transpose()?;
        if parent_code.as_ref() == Some(code) {
            return Err(AppError::invalid("parent_code", crate::msg!(UnitOwnParent)));
        }
        Ok(UnitFields {
            name: trimmed,
            kind,
            parent_code,
            effective,
        })
    }
}

/// A unit as served in lists.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct UnitView {
    /// Official code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind (`city`, `urban_district`, `ward`, …).
    pub kind: String,
    /// Tier: `city`, `district` or `commune`.
    pub level: Option<String>,
    /// Parent code.
    pub parent_code: Option<String>,
    /// Depth in the tree (root = 0).
    pub depth: i64,
    /// Date the unit was retired (merged), if it was.
    pub retired_on: Option<NaiveDate>,
    /// The unit that took over after a merger.
    pub successor_code: Option<String>,
}

/// The earlier states of a unit, oldest first: (name, kind, parent, valid until).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct UnitHistoryEntry {
    /// Name in that period.
    pub name: String,
    /// Kind in that period.
    pub kind: String,
    /// Parent in that period.
    pub parent_code: Option<String>,
    /// The state held until (not including) this date.
    pub valid_until: NaiveDate,
}

impl UnitView {
    /// The unit's name, kind and parent on day `d` (from its earlier states, oldest first), and
    /// no retirement or successor if it was retired after `d`. Its depth on that day comes from
    /// the tree's periods.
    pub fn as_of(mut self, history: &[UnitHistoryEntry], d: NaiveDate) -> UnitView {
        if let Some(h) = history.iter().find(|h| h.valid_until > d) {
            self.name = h.name.clone();
            self.kind = h.kind.clone();
            self.parent_code = h.parent_code.clone();
        }
        if self.retired_on.is_some_and(|r| r > d) {
            self.retired_on = None;
            self.successor_code = None;
        }
        self
    }
}

/// The materialised path of a unit from its ancestors' codes, root first: `/79/760/26734/`.
pub fn path_of<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    let mut p = String::from("/");
    for c in codes {
        p.push_str(c);
        p.push('/');
    }
    p
}

/// One row of a unit CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitRow {
    /// 1-based line number in the file (the header is line 1).
    pub line: usize,
    /// Official code.
    pub code: String,
    /// Official name.
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// Parent code, if any.
    pub parent_code: Option<String>,
}

/// The position of each wanted column in a CSV header (case and spaces ignored); a missing one is
/// a 422 on `file` naming it. Shared by the unit file and the successor table.
pub fn header_columns(headers: &csv::StringRecord, want: &[&str]) -> Result<Vec<usize>, AppError> {
    let cols: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    want.iter()
        .map(|w| {
            cols.iter().position(|c| c == w).ok_or_else(|| {
                AppError::invalid(
                    "file",
                    crate::msg!(HeaderColumns, columns = want.join(","), missing = w),
                )
            })
        })
        .collect()
}

/// Parses a `code,name,kind,parent_code` CSV (UTF-8, optional BOM), reporting every bad row
/// (the first 1,000 in full, all of them counted). The file's shape is checked against `limits`
/// before it is parsed (line length, columns), its rows as they are read.
pub fn parse_units_csv(bytes: &[u8], limits: &Limits) -> Result<Vec<UnitRow>, AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    check_csv_shape(bytes, b',', limits)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let headers = reader.headers().map_err(|e| AppError::BadRequest {
        field: Some("file".into()),
        msg: crate::msg!(CsvNotReadable, detail = e.to_string()),
    })?;
    let idx = header_columns(headers, &["code", "name", "kind", "parent_code"])?;
    let mut rows = Vec::new();
    let mut errors = Problems::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        if i >= limits.max_rows {
            return Err(too_large(crate::msg!(
                FileTooManyRows,
                max = limits.max_rows
            )));
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(detail(
                    line,
                    "file",
                    None,
                    ProblemCode::RowUnreadable,
                    json!({"detail": e.to_string()}),
                ));
                continue;
            }
        };
        let get = |k: usize| rec.get(idx[k]).unwrap_or("").trim();
        let (code, name, kind, parent) = (get(0), get(1), get(2), get(3));
        let mut ok = true;
        if parse_code("code", code).is_err() {
            errors.push(detail(
                line,
                "code",
                Some(code),
                ProblemCode::UnitCodeInvalid,
                json!({}),
            ));
            ok = false;
        }
        // The API's rules for a name: no NUL, no control character or direction override, not
        // only characters that show nothing.
        let unreadable = if name.contains('\0') {
            Some(ProblemCode::NulCharacter)
        } else if crate::api::text::is_invisible_text(name) {
            Some(ProblemCode::InvisibleText)
        } else if name.chars().any(crate::api::text::is_refused_control) {
            Some(ProblemCode::ControlCharacter)
        } else {
            None
        };
        if let Some(problem) = unreadable {
            errors.push(detail(line, "name", None, problem, json!({})));
            ok = false;
        } else if name.is_empty() || name.chars().count() > 200 {
            errors.push(detail(
                line,
                "name",
                Some(name),
                ProblemCode::TextLength,
                json!({"column": "name", "max": 200}),
            ));
            ok = false;
        }
        let kind_parsed = UnitKind::parse(kind);
        if kind_parsed.is_none() {
            let allowed: Vec<&str> = UnitKind::ALL.iter().map(|k| k.as_str()).collect();
            errors.push(detail(
                line,
                "kind",
                Some(kind),
                ProblemCode::UnitKindUnknown,
                json!({"kinds": allowed.join(", ")}),
            ));
            ok = false;
        }
        if !parent.is_empty() && parse_code("parent_code", parent).is_err() {
            errors.push(detail(
                line,
                "parent_code",
                Some(parent),
                ProblemCode::UnitCodeInvalid,
                json!({}),
            ));
            ok = false;
        }
        if parent == code && !code.is_empty() {
            errors.push(detail(
                line,
                "parent_code",
                Some(parent),
                ProblemCode::UnitOwnParent,
                json!({}),
            ));
            ok = false;
        }
        if let Some(first) = seen.get(code) {
            errors.push(detail(
                line,
                "code",
                Some(code),
                ProblemCode::UnitCodeRepeated,
                json!({"row_first": first}),
            ));
            ok = false;
        } else {
            seen.insert(code.to_string(), line);
        }
        if ok {
            rows.push(UnitRow {
                line,
                code: code.to_string(),
                name: crate::shared::text::composed_words(name),
                kind: kind_parsed.expect("checked above"),
                parent_code: (!parent.is_empty()).then(|| parent.to_string()),
            });
        }
    }
    if !errors.is_empty() {
        return Err(rows_error(errors));
    }
    if rows.is_empty() {
        return Err(AppError::invalid("file", crate::msg!(NoUnitRows)));
    }
    Ok(rows)
}

/// A problem of line `line` of a units or successors file: its code, the values its reason names
/// (an object) and its English message from the problems' catalogue (`crate::problems`).
pub(crate) fn detail(
    line: usize,
    field: &str,
    value: Option<&str>,
    code: ProblemCode,
    params: serde_json::Value,
) -> ErrorDetail {
    let params = match params {
        serde_json::Value::Object(m) => m,
        _ => ProblemParams::new(),
    };
    ErrorDetail {
        row: Some(line),
        field: Some(field.into()),
        value: value.map(str::to_owned),
        message: crate::problems::render(code, &params, crate::problems::Lang::En),
        code: Some(code),
        params: Some(params),
    }
}

/// The 422 of a file's problems (at least one), naming the field of the first by row.
pub(crate) fn rows_error(problems: Problems) -> AppError {
    let report = problems.report();
    let Some(first) = report.listed.first() else {
        return AppError::invalid("file", crate::msg!(FileHasProblems));
    };
    AppError::Problems {
        field: first.field.clone(),
        msg: crate::msg!(
            FileProblemsFirst,
            count = report.total,
            line = first.row.unwrap_or(0),
            first = first.message
        ),
        report: Box::new(report),
    }
}

/// What the database holds of a unit, as needed to plan an import.
#[derive(Debug, Clone, PartialEq)]
pub struct ExistingUnit {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Parent code.
    pub parent_code: Option<String>,
    /// Materialised path.
    pub path: String,
    /// Date retired, if it was.
    pub retired_on: Option<NaiveDate>,
}

/// One unit to write: its full desired state.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitWrite {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// Parent.
    pub parent_code: Option<String>,
    /// New path.
    pub path: String,
    /// Depth (root = 0).
    pub depth: i64,
    /// The earlier state to keep in history, when name, kind or parent changed.
    pub history: Option<ExistingUnit>,
    /// Whether the unit is new.
    pub is_new: bool,
}

/// The result of planning an import: what to write, in parent-first order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImportPlan {
    /// Units to insert or update, parents before children.
    pub writes: Vec<UnitWrite>,
    /// Units (not in the file) whose path changes because an ancestor moved: (code, path, depth).
    pub moves: Vec<(String, String, i64)>,
    /// Units under the root absent from the file, to retire.
    pub retire: Vec<String>,
    /// Rows of the file that are already up to date.
    pub unchanged: usize,
    /// Rows of the file outside the requested root.
    pub skipped: usize,
}

impl ImportPlan {
    /// Refuses (422 on `effective`) a plan changing a unit on a day before its current state
    /// began (`since`: the day of its last change or its first day): a unit's history is a line
    /// of states, and an earlier day would put the new state before the one it follows.
    pub fn check_after_last_change(
        &self,
        effective: NaiveDate,
        since: &HashMap<String, NaiveDate>,
    ) -> Result<(), AppError> {
        let changed = self
            .writes
            .iter()
            .filter(|w| !w.is_new && w.history.is_some());
        for w in changed {
            if let Some(day) = since.get(&w.code).filter(|d| effective < **d) {
                return Err(AppError::invalid(
                    "effective",
                    crate::msg!(UnitChangedSince, code = w.code, date = day.to_string()),
                ));
            }
        }
        Ok(())
    }

    /// Refuses (422 on `field`) a plan placing a unit, new or moved, under a parent that came
    /// into being after `effective` (`created_on`: each unit's first day, none for one that always
    /// existed): on the days between, the unit would hang under no unit, and its people would
    /// fall out of the reports of the tree above.
    pub fn check_parents_existed(
        &self,
        effective: NaiveDate,
        created_on: &HashMap<String, Option<NaiveDate>>,
        field: &str,
    ) -> Result<(), AppError> {
        for w in &self.writes {
            let placed = w.is_new
                || w.history
                    .as_ref()
                    .is_some_and(|h| h.parent_code != w.parent_code);
            let Some(parent) = w.parent_code.as_ref().filter(|_| placed) else {
                continue;
            };
            let first = created_on.get(parent).copied().flatten();
            if first.is_some_and(|first| effective < first) {
                return Err(AppError::invalid(
                    field,
                    crate::msg!(UnitNotYet, code = parent, date = effective.to_string()),
                ));
            }
        }
        Ok(())
    }

    /// Number of units the plan creates.
    pub fn created(&self) -> usize {
        self.writes.iter().filter(|w| w.is_new).count()
    }
    /// Number of existing units the plan changes (name, kind, parent or path).
    pub fn updated(&self) -> usize {
        self.writes.iter().filter(|w| !w.is_new).count()
    }
}

/// Plans an idempotent import of `rows` into a tree that already holds `existing`.
///
/// With `root`, only rows in the subtree of that code (itself included) are taken.
/// With `retire_missing`, existing live units under the root that the file does not list are retired.
pub fn plan_import(
    rows: &[UnitRow],
    existing: &HashMap<String, ExistingUnit>,
    root: Option<&str>,
    retire_missing: bool,
) -> Result<ImportPlan, AppError> {
    // Parent of every known code after the import: the file overrides the database.
    let mut parent: HashMap<&str, Option<&str>> = existing
        .values()
        .map(|u| (u.code.as_str(), u.parent_code.as_deref()))
        .collect();
    for r in rows {
        parent.insert(r.code.as_str(), r.parent_code.as_deref());
    }
    let mut errors = Problems::new();
    for r in rows {
        if let Some(p) = r.parent_code.as_deref() {
            if !parent.contains_key(p) {
                errors.push(detail(
                    r.line,
                    "parent_code",
                    Some(p),
                    ProblemCode::ParentUnknown,
                    json!({}),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(rows_error(errors));
    }
    // Ancestor chains, with cycle detection.
    let mut paths: HashMap<&str, (String, i64)> = HashMap::with_capacity(parent.len());
    let line_of: HashMap<&str, usize> = rows.iter().map(|r| (r.code.as_str(), r.line)).collect();
    let codes: Vec<&str> = parent.keys().copied().collect();
    for code in codes {
        if paths.contains_key(code) {
            continue;
        }
        let mut chain = vec![code];
        let mut seen: HashSet<&str> = HashSet::from([code]);
        let mut cur = code;
        let base = loop {
            match parent.get(cur).copied().flatten() {
                None => break (String::from("/"), -1),
                Some(p) => {
                    if let Some((path, depth)) = paths.get(p) {
                        break (path.clone(), *depth);
                    }
                    if !seen.insert(p) {
                        let line = line_of.get(p).copied().unwrap_or(0);
                        return Err(rows_error(Problems::from_iter([detail(
                            line,
                            "parent_code",
                            Some(p),
                            ProblemCode::ParentCycle,
                            json!({}),
                        )])));
                    }
                    chain.push(p);
                    cur = p;
                }
            }
        };
        let (mut path, mut depth) = base;
        for c in chain.into_iter().rev() {
            path.push_str(c);
            path.push('/');
            depth += 1;
            paths.insert(c, (path.clone(), depth));
        }
    }
    let root_path = match root {
        None => None,
        Some(r) => match paths.get(r) {
            Some((p, _)) => Some(p.clone()),
            None => {
                return Err(AppError::invalid(
                    "root",
                    crate::msg!(RootUnitMissing, code = r),
                ))
            }
        },
    };
    let in_root = |path: &str| root_path.as_deref().is_none_or(|rp| path.starts_with(rp));

    let mut plan = ImportPlan::default();
    let mut in_file: HashSet<&str> = HashSet::new();
    for r in rows {
        let (path, depth) = paths[r.code.as_str()].clone();
        if !in_root(&path) {
            plan.skipped += 1;
            continue;
        }
        in_file.insert(r.code.as_str());
        match existing.get(&r.code) {
            None => plan.writes.push(UnitWrite {
                code: r.code.clone(),
                name: r.name.clone(),
                kind: r.kind,
                parent_code: r.parent_code.clone(),
                path,
                depth,
                history: None,
                is_new: true,
            }),
            Some(e) => {
                let identity_changed =
                    e.name != r.name || e.kind != r.kind.as_str() || e.parent_code != r.parent_code;
                if identity_changed || e.path != path {
                    plan.writes.push(UnitWrite {
                        code: r.code.clone(),
                        name: r.name.clone(),
                        kind: r.kind,
                        parent_code: r.parent_code.clone(),
                        path,
                        depth,
                        history: identity_changed.then(|| e.clone()),
                        is_new: false,
                    });
                } else {
                    plan.unchanged += 1;
                }
            }
        }
    }
    for e in existing.values() {
        if in_file.contains(e.code.as_str()) {
            continue;
        }
        let (path, depth) = &paths[e.code.as_str()];
        if *path != e.path {
            plan.moves.push((e.code.clone(), path.clone(), *depth));
        }
        if retire_missing
            && e.retired_on.is_none()
            && in_root(path)
            && Some(e.code.as_str()) != root
        {
            plan.retire.push(e.code.clone());
        }
    }
    // A unit in use stays under units in use: under a retired one its people would fall out of
    // the reports by the tree (a listed unit already retired may keep its retired parent).
    let retired = |code: &str| {
        existing.get(code).is_some_and(|e| e.retired_on.is_some())
            || plan.retire.iter().any(|r| r == code)
    };
    for r in rows {
        let live = existing.get(&r.code).is_none_or(|e| e.retired_on.is_none());
        if let Some(p) = r
            .parent_code
            .as_deref()
            .filter(|p| live && in_file.contains(r.code.as_str()) && retired(p))
        {
            errors.push(detail(
                r.line,
                "parent_code",
                Some(p),
                ProblemCode::ParentRetired,
                json!({}),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(rows_error(errors));
    }
    plan.writes
        .sort_by(|a, b| a.depth.cmp(&b.depth).then_with(|| a.code.cmp(&b.code)));
    plan.moves.sort();
    plan.retire.sort();
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(rows: &[&str]) -> Vec<u8> {
        let mut s = String::from("code,name,kind,parent_code\n");
        for r in rows {
            s.push_str(r);
            s.push('\n');
        }
        s.into_bytes()
    }

    #[test]
    fn parse_reports_every_bad_row() {
        let e = parse_units_csv(
            &csv(&[
                "79,HCM,city,",
                "x1,Bad,ward,79",
                "760,Q1,planet,79",
                "79,Dup,city,",
            ]),
            &Limits::default(),
        )
        .unwrap_err();
        match e {
            AppError::Problems { report, .. } => {
                let details = &report.listed;
                assert_eq!((details.len(), report.total), (3, 3));
                assert_eq!(details[0].row, Some(3));
                assert_eq!(details[0].field.as_deref(), Some("code"));
                assert_eq!(details[1].field.as_deref(), Some("kind"));
                assert_eq!(details[2].row, Some(5));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn plan_orders_parents_first_and_is_idempotent() {
        let rows = parse_units_csv(
            &csv(&[
                "26734,Phường Tân Định,ward,760",
                "760,Quận 1,urban_district,79",
                "79,HCM,city,",
            ]),
            &Limits::default(),
        )
        .unwrap();
        let plan = plan_import(&rows, &HashMap::new(), None, false).unwrap();
        let order: Vec<&str> = plan.writes.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(order, ["79", "760", "26734"]);
        assert_eq!(plan.writes[2].path, "/79/760/26734/");
        assert_eq!(plan.writes[2].depth, 2);
        let existing: HashMap<String, ExistingUnit> = plan
            .writes
            .iter()
            .map(|w| {
                (
                    w.code.clone(),
                    ExistingUnit {
                        code: w.code.clone(),
                        name: w.name.clone(),
                        kind: w.kind.as_str().into(),
                        parent_code: w.parent_code.clone(),
                        path: w.path.clone(),
                        retired_on: None,
                    },
                )
            })
            .collect();
        let again = plan_import(&rows, &existing, None, false).unwrap();
        assert!(again.writes.is_empty());
        assert_eq!(again.unchanged, 3);
    }

    #[test]
    fn plan_detects_cycles_and_unknown_parents() {
        let rows =
            parse_units_csv(&csv(&["1,A,city,2", "2,B,city,1"]), &Limits::default()).unwrap();
        assert!(matches!(
            plan_import(&rows, &HashMap::new(), None, false),
            Err(AppError::Problems { .. })
        ));
        let rows = parse_units_csv(&csv(&["1,A,ward,999"]), &Limits::default()).unwrap();
        let e = plan_import(&rows, &HashMap::new(), None, false).unwrap_err();
        assert!(e.to_string().contains("unknown parent"));
    }

    #[test]
    fn plan_with_root_skips_other_branches_and_moves_descendants() {
        let rows = parse_units_csv(
            &csv(&[
                "01,HN,city,",
                "001,BD,urban_district,01",
                "79,HCM,city,",
                "760,Q1,urban_district,79",
            ]),
            &Limits::default(),
        )
        .unwrap();
        let plan = plan_import(&rows, &HashMap::new(), Some("79"), false).unwrap();
        assert_eq!(plan.writes.len(), 2);
        assert_eq!(plan.skipped, 2);
        // Re-parent 760 directly; a descendant only in the database moves with it.
        let mut existing = HashMap::new();
        for (c, p, path) in [
            ("79", None, "/79/"),
            ("760", Some("79"), "/79/760/"),
            ("26734", Some("760"), "/79/760/26734/"),
            ("1", None, "/1/"),
        ] {
            existing.insert(
                c.to_string(),
                ExistingUnit {
                    code: c.into(),
                    name: c.into(),
                    kind: "ward".into(),
                    parent_code: p.map(Into::into),
                    path: path.into(),
                    retired_on: None,
                },
            );
        }
        let rows = parse_units_csv(&csv(&["760,760,ward,1"]), &Limits::default()).unwrap();
        let plan = plan_import(&rows, &existing, None, false).unwrap();
        assert_eq!(plan.writes[0].path, "/1/760/");
        assert!(plan.writes[0].history.is_some());
        assert_eq!(
            plan.moves,
            vec![("26734".to_string(), "/1/760/26734/".to_string(), 2)]
        );
    }

    #[test]
    fn retire_missing_retires_only_under_root() {
        let mut existing = HashMap::new();
        for (c, p, path) in [
            ("79", None, "/79/"),
            ("760", Some("79"), "/79/760/"),
            ("01", None, "/01/"),
        ] {
            existing.insert(
                c.to_string(),
                ExistingUnit {
                    code: c.into(),
                    name: c.into(),
                    kind: "city".into(),
                    parent_code: p.map(Into::into),
                    path: path.into(),
                    retired_on: None,
                },
            );
        }
        let rows = parse_units_csv(
            &csv(&["79,79,city,", "26734,New ward,ward,79"]),
            &Limits::default(),
        )
        .unwrap();
        let plan = plan_import(&rows, &existing, Some("79"), true).unwrap();
        assert_eq!(plan.retire, vec!["760".to_string()]);
        assert_eq!(plan.created(), 1);
    }

    #[test]
    fn unit_codes_are_checked_once() {
        let c = UnitCode::parse("code", " 26734 ").unwrap();
        assert_eq!((c.as_str(), c.to_string()), ("26734", "26734".to_string()));
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            serde_json::json!("26734")
        );
        assert!(UnitCode::parse("code", "").is_err());
        assert!(UnitCode::parse("code", "12345678901").is_err());
        assert!(matches!(
            UnitCode::in_path("abc"),
            Err(AppError::NotFound(m)) if m.to_string() == "no unit with code abc"
        ));
        assert!(c.check_unchanged(None).is_ok());
        assert!(c.check_unchanged(Some(" 26734")).is_ok());
        assert!(matches!(
            c.check_unchanged(Some("26735")),
            Err(AppError::Validation { field: Some(f), .. }) if f == "code"
        ));
    }

    #[test]
    fn unit_fields_are_checked() {
        let code = UnitCode::parse("code", "760").unwrap();
        let f = UnitFields::parse(
            &code,
            "  Quận 1 ",
            UnitKind::UrbanDistrict,
            Some(" 79 "),
            None,
        )
        .unwrap();
        assert_eq!(f.name, "Quận 1");
        assert_eq!(f.parent_code.as_ref().map(UnitCode::as_str), Some("79"));
        let top = UnitFields::parse(&code, "Q1", UnitKind::City, Some("  "), None).unwrap();
        assert_eq!(top.parent_code, None);
        let field = |r: Result<UnitFields, AppError>| match r {
            Err(AppError::Validation { field, .. }) => field,
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(
            field(UnitFields::parse(&code, "   ", UnitKind::Ward, None, None)).as_deref(),
            Some("name")
        );
        assert_eq!(
            field(UnitFields::parse(
                &code,
                &"a".repeat(201),
                UnitKind::Ward,
                None,
                None
            ))
            .as_deref(),
            Some("name")
        );
        assert_eq!(
            field(UnitFields::parse(
                &code,
                "Q1",
                UnitKind::Ward,
                Some("x"),
                None
            ))
            .as_deref(),
            Some("parent_code")
        );
        assert_eq!(
            field(UnitFields::parse(
                &code,
                "Q1",
                UnitKind::Ward,
                Some("760"),
                None
            ))
            .as_deref(),
            Some("parent_code")
        );
    }

    #[test]
    fn a_unit_as_of_a_day_takes_that_days_state() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let now = UnitView {
            code: "26737".into(),
            name: "Phường Tân Định".into(),
            kind: "ward".into(),
            level: Some("commune".into()),
            parent_code: Some("79".into()),
            depth: 1,
            retired_on: Some(d("2030-01-01")),
            successor_code: Some("26740".into()),
        };
        let history = vec![
            UnitHistoryEntry {
                name: "Phường Đa Kao (cũ)".into(),
                kind: "ward".into(),
                parent_code: Some("760".into()),
                valid_until: d("2010-01-01"),
            },
            UnitHistoryEntry {
                name: "Phường Đa Kao".into(),
                kind: "ward".into(),
                parent_code: Some("760".into()),
                valid_until: d("2025-07-01"),
            },
        ];
        let then = now.clone().as_of(&history, d("2020-01-01"));
        assert_eq!(then.name, "Phường Đa Kao");
        assert_eq!(then.parent_code.as_deref(), Some("760"));
        assert_eq!((then.retired_on, then.successor_code), (None, None));
        let today = now.clone().as_of(&history, d("2025-07-01"));
        assert_eq!(today.name, now.name);
        assert_eq!(today.retired_on, None);
        assert_eq!(now.clone().as_of(&history, d("2030-01-01")), now);
    }
}
