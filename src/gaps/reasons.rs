//! The message catalogue of the gap reasons: each [`ReasonCode`] (what the engine found of one
//! requirement) with the parameters it names, in English (the `reason` text of the JSON answers,
//! as the API has always written it) and in Vietnamese; the labels of the requirements and of the
//! reports' columns the exports write in either language. A template names a parameter `{name}`.
//! `catalogue_is_complete` fails when a code lacks a message or names a parameter it does not
//! declare. The web page renders reasons with the served catalogue (`GET /api/gaps/reasons`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::store::ScaleRef;

use crate::reasons::fill_into;
pub use crate::reasons::Lang;

/// What the engine found of one requirement: a stable code, with its parameters in `params`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// A level at least the one required is held (`scale`, `held`).
    MinLevelMet,
    /// A lower level than the one required is held (`scale`, `held`, `needed`).
    MinLevelBelow,
    /// No level of the scale is recorded (`scale`, `needed`).
    MinLevelNone,
    /// The module was completed, recently enough if it must be (`module`, `completed_on`).
    ModuleCompleted,
    /// The last completion is older than allowed (`module`, `completed_on`, `years`).
    ModuleStale,
    /// The module was never completed (`module`).
    ModuleNever,
    /// The age at the reference day is within the limit (`age`, `on`).
    MaxAgeMet,
    /// The age at the reference day is over the limit (`age`, `on`, `limit`).
    MaxAgeOver,
    /// Enough years of Party membership (`years`, `on`).
    PartyYearsMet,
    /// Too few years of Party membership (`years`, `on`, `needed`).
    PartyYearsShort,
    /// Not a Party member on the reference day (`on`, `needed`).
    PartyNotMember,
}

impl ReasonCode {
    /// Every code.
    pub const ALL: [ReasonCode; 11] = [
        ReasonCode::MinLevelMet,
        ReasonCode::MinLevelBelow,
        ReasonCode::MinLevelNone,
        ReasonCode::ModuleCompleted,
        ReasonCode::ModuleStale,
        ReasonCode::ModuleNever,
        ReasonCode::MaxAgeMet,
        ReasonCode::MaxAgeOver,
        ReasonCode::PartyYearsMet,
        ReasonCode::PartyYearsShort,
        ReasonCode::PartyNotMember,
    ];

    /// The code as the API writes it (`min_level_below`).
    pub fn as_str(self) -> &'static str {
        message(self).name
    }
}

/// The values a reason names, by name (`{"scale": "political_theory", "held": "elementary"}`):
/// codes, ISO days and numbers, never words of a language.
pub type ReasonParams = serde_json::Map<String, Value>;

/// A code's message: its name, the parameters it names, and its templates.
struct Message {
    code: ReasonCode,
    name: &'static str,
    params: &'static [&'static str],
    en: &'static str,
    vi: &'static str,
}

use ReasonCode as R;

/// Every code's message.
const CATALOGUE: &[Message] = &[
    Message {
        code: R::MinLevelMet,
        name: "min_level_met",
        params: &["scale", "held"],
        en: "{scale}: holds {held}",
        vi: "{scale}: đã có {held}",
    },
    Message {
        code: R::MinLevelBelow,
        name: "min_level_below",
        params: &["scale", "held", "needed"],
        en: "{scale}: holds {held}, needs {needed}",
        vi: "{scale}: đang có {held}, cần {needed}",
    },
    Message {
        code: R::MinLevelNone,
        name: "min_level_none",
        params: &["scale", "needed"],
        en: "{scale}: none recorded, needs {needed}",
        vi: "{scale}: chưa có, cần {needed}",
    },
    Message {
        code: R::ModuleCompleted,
        name: "module_completed",
        params: &["module", "completed_on"],
        en: "{module}: completed {completed_on}",
        vi: "{module}: đã học ngày {completed_on}",
    },
    Message {
        code: R::ModuleStale,
        name: "module_stale",
        params: &["module", "completed_on", "years"],
        en: "{module}: last completed {completed_on}, older than {years} years",
        vi: "{module}: học lần cuối ngày {completed_on}, đã quá {years} năm",
    },
    Message {
        code: R::ModuleNever,
        name: "module_never",
        params: &["module"],
        en: "{module}: never completed",
        vi: "{module}: chưa học",
    },
    Message {
        code: R::MaxAgeMet,
        name: "max_age_met",
        params: &["age", "on"],
        en: "age {age} at {on}",
        vi: "Tuổi: {age} tuổi vào ngày {on}",
    },
    Message {
        code: R::MaxAgeOver,
        name: "max_age_over",
        params: &["age", "on", "limit"],
        en: "age {age} at {on}, limit {limit}",
        vi: "Tuổi: {age} tuổi vào ngày {on}, tối đa {limit} tuổi",
    },
    Message {
        code: R::PartyYearsMet,
        name: "party_years_met",
        params: &["years", "on"],
        en: "{years} years of Party membership at {on}",
        vi: "Tuổi Đảng: {years} năm vào ngày {on}",
    },
    Message {
        code: R::PartyYearsShort,
        name: "party_years_short",
        params: &["years", "on", "needed"],
        en: "{years} years of Party membership at {on}, needs {needed}",
        vi: "Tuổi Đảng: {years} năm vào ngày {on}, cần {needed} năm",
    },
    Message {
        code: R::PartyNotMember,
        name: "party_not_member",
        params: &["on", "needed"],
        en: "not a Party member at {on}, needs {needed} years",
        vi: "Tuổi Đảng: chưa là đảng viên vào ngày {on}, cần {needed} năm",
    },
];

fn message(code: ReasonCode) -> &'static Message {
    CATALOGUE
        .iter()
        .find(|m| m.code == code)
        .expect("every reason code has a message (catalogue_is_complete)")
}

/// The names of the scales and levels a reason writes, in either language.
pub trait Names {
    /// A scale's name (English: lower case, as the API has always written it).
    fn scale(&self, code: &str, lang: Lang) -> Option<String>;
    /// A level's name (English: its code, as the API has always written it).
    fn level(&self, scale: &str, code: &str, lang: Lang) -> Option<String>;
}

impl Names for ScaleRef {
    fn scale(&self, code: &str, lang: Lang) -> Option<String> {
        match lang {
            Lang::En => self.label.get(code).cloned(),
            Lang::Vi => self.name_vi.get(code).cloned(),
        }
    }

    fn level(&self, scale: &str, code: &str, lang: Lang) -> Option<String> {
        match lang {
            Lang::En => None,
            Lang::Vi => self
                .level_vi
                .get(&(scale.to_string(), code.to_string()))
                .map(|n| lower_first(n)),
        }
    }
}

/// No names known: codes as they are (English as the engine writes it; the scale's label given).
pub struct ScaleLabel<'a>(pub &'a str);

impl Names for ScaleLabel<'_> {
    fn scale(&self, _: &str, _: Lang) -> Option<String> {
        Some(self.0.to_string())
    }

    fn level(&self, _: &str, _: &str, _: Lang) -> Option<String> {
        None
    }
}

/// "Trung cấp" → "trung cấp" (a name inside a sentence).
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A parameter's value as a message writes it in `lang`, appended to `out`.
fn value(name: &str, params: &ReasonParams, lang: Lang, names: &dyn Names, out: &mut String) {
    let number;
    let text = match params.get(name) {
        Some(Value::String(s)) => s.as_str(),
        Some(Value::Null) | None => "",
        Some(other) => {
            number = other.to_string();
            number.as_str()
        }
    };
    match name {
        "scale" => match names.scale(text, lang) {
            Some(n) => out.push_str(&n),
            None => out.push_str(&text.replace('_', " ")),
        },
        "held" | "needed" if params.contains_key("scale") => {
            let scale = params.get("scale").and_then(Value::as_str).unwrap_or("");
            match names.level(scale, text, lang) {
                Some(n) => out.push_str(&n),
                None => out.push_str(text),
            }
        }
        "on" | "completed_on" if lang == Lang::Vi => out.push_str(&vi_day(text)),
        _ => out.push_str(text),
    }
}

/// An ISO day as Vietnamese writes it (DD/MM/YYYY; English writes the ISO day as it is).
fn vi_day(iso: &str) -> String {
    match NaiveDate::parse_from_str(iso, "%Y-%m-%d") {
        Ok(d) => d.format("%d/%m/%Y").to_string(),
        Err(_) => iso.to_string(),
    }
}

/// A reason in `lang`, from its code and parameters.
pub fn render(code: ReasonCode, params: &ReasonParams, lang: Lang, names: &dyn Names) -> String {
    let m = message(code);
    debug_assert!(
        params.keys().all(|k| m.params.contains(&k.as_str())),
        "{code:?} does not name {params:?}"
    );
    let template = match lang {
        Lang::Vi => m.vi,
        Lang::En => m.en,
    };
    fill_into(template, |name, out| value(name, params, lang, names, out))
}

/// The requirement a key names, as a column or a list writes it: English keeps the key
/// (`min_level:political_theory`), Vietnamese names it ("Trình độ lý luận chính trị").
pub fn requirement_label(key: &str, lang: Lang, names: &dyn Names) -> String {
    if lang == Lang::En {
        return key.to_string();
    }
    match key.split_once(':') {
        Some(("min_level", scale)) => match names.scale(scale, Lang::Vi) {
            Some(n) if n.starts_with("Trình độ") => n,
            Some(n) => format!("Trình độ {}", lower_first(&n)),
            None => format!("Trình độ {scale}"),
        },
        Some(("module", m)) => format!("Chuyên đề {m}"),
        _ => match key {
            "max_age" => "Tuổi".into(),
            "min_party_years" => "Tuổi Đảng".into(),
            other => other.into(),
        },
    }
}

/// A word of the reports in `lang`: a population, a split's category, a synthetic row's name
/// (English: the code, as the API writes it).
pub fn word(code: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return code.to_string();
    }
    match code {
        "incumbent" => "Đương nhiệm",
        "planned" => "Quy hoạch",
        "female" => "Nữ",
        "male" => "Nam",
        "other" => "Khác",
        "under_35" => "Dưới 35 tuổi",
        "35_44" => "35–44 tuổi",
        "45_54" => "45–54 tuổi",
        "55_plus" => "Từ 55 tuổi",
        "minority" => "Dân tộc thiểu số",
        "majority" => "Không thuộc dân tộc thiểu số",
        other => other,
    }
    .to_string()
}

/// The catalogue in `lang`, for a client that renders reasons itself (the web UI): every code's
/// template (`{name}` for a parameter) with the parameters it names, and how the scales and
/// levels a parameter holds are written in that language (`values.scale.political_theory`,
/// `values.level["political_theory/intermediate"]`). Days (`on`, `completed_on`) are ISO.
pub fn catalogue(lang: Lang, names: &ScaleRef) -> Value {
    let messages: serde_json::Map<String, Value> = CATALOGUE
        .iter()
        .map(|m| {
            let text = if lang == Lang::Vi { m.vi } else { m.en };
            (m.name.to_string(), Value::String(text.into()))
        })
        .collect();
    let params: serde_json::Map<String, Value> = CATALOGUE
        .iter()
        .map(|m| (m.name.to_string(), serde_json::json!(m.params)))
        .collect();
    let mut scales = serde_json::Map::new();
    for code in names.label.keys() {
        let n = names
            .scale(code, lang)
            .unwrap_or_else(|| code.replace('_', " "));
        scales.insert(code.clone(), Value::String(n));
    }
    let mut levels = serde_json::Map::new();
    for (scale, level) in names.rank_of.keys() {
        let n = names
            .level(scale, level, lang)
            .unwrap_or_else(|| level.clone());
        levels.insert(format!("{scale}/{level}"), Value::String(n));
    }
    serde_json::json!({
        "lang": lang.as_str(),
        "messages": messages,
        "params": params,
        "values": { "scale": scales, "level": levels },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reasons::fill;
    use serde_json::json;

    /// The names of the parameters a template writes.
    fn named(template: &str) -> Vec<String> {
        let mut names = vec![];
        fill(template, |n| {
            names.push(n.to_string());
            String::new()
        });
        names
    }

    fn scales() -> ScaleRef {
        let mut s = ScaleRef::default();
        s.label
            .insert("political_theory".into(), "political theory".into());
        s.name_vi
            .insert("political_theory".into(), "Lý luận chính trị".into());
        for (code, vi, rank) in [
            ("elementary", "Sơ cấp", 1),
            ("intermediate", "Trung cấp", 2),
        ] {
            s.rank_of
                .insert(("political_theory".into(), code.into()), rank);
            s.level_vi
                .insert(("political_theory".into(), code.into()), vi.into());
        }
        s
    }

    /// Every code walked: one message each, in both languages, naming exactly the parameters it
    /// declares; rendered with all of them, nothing is left unfilled.
    #[test]
    fn catalogue_is_complete() {
        let mut seen = std::collections::HashSet::new();
        for code in ReasonCode::ALL {
            let found: Vec<&Message> = CATALOGUE.iter().filter(|m| m.code == code).collect();
            assert_eq!(found.len(), 1, "{code:?} has {} messages", found.len());
            let m = found[0];
            assert!(seen.insert(m.name), "{code:?}: name {} twice", m.name);
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                json!(m.name),
                "{code:?}: the API's name is the catalogue's"
            );
            assert!(!m.en.trim().is_empty(), "{code:?} has no English message");
            assert!(!m.vi.trim().is_empty(), "{code:?} has no Vietnamese");
            assert_ne!(m.en, m.vi, "{code:?}: Vietnamese is the English");
            assert!(!m.vi.is_ascii(), "{code:?}: Vietnamese without diacritics");
            assert!(!m.params.is_empty(), "{code:?} declares no parameter");
            for (lang, t) in [("en", m.en), ("vi", m.vi)] {
                let mut n = named(t);
                n.sort();
                let mut p: Vec<String> = m.params.iter().map(|s| s.to_string()).collect();
                p.sort();
                assert_eq!(n, p, "{code:?} {lang}: the parameters it names");
            }
            let ps: ReasonParams = m.params.iter().map(|p| (p.to_string(), json!(7))).collect();
            for lang in [Lang::Vi, Lang::En] {
                let text = render(code, &ps, lang, &scales());
                assert!(!text.contains('{') && !text.contains('}'), "{text}");
            }
        }
        assert_eq!(CATALOGUE.len(), ReasonCode::ALL.len());
        for lang in [Lang::Vi, Lang::En] {
            let c = catalogue(lang, &scales());
            for code in ReasonCode::ALL {
                let t = c["messages"][code.as_str()].as_str().unwrap_or("");
                assert!(!t.is_empty(), "{code:?} served in {lang:?}");
            }
        }
    }

    #[test]
    fn reasons_in_each_language() {
        let p: ReasonParams =
            json!({"scale": "political_theory", "held": "elementary", "needed": "intermediate"})
                .as_object()
                .unwrap()
                .clone();
        assert_eq!(
            render(R::MinLevelBelow, &p, Lang::En, &scales()),
            "political theory: holds elementary, needs intermediate"
        );
        assert_eq!(
            render(R::MinLevelBelow, &p, Lang::Vi, &scales()),
            "Lý luận chính trị: đang có sơ cấp, cần trung cấp"
        );
        let p: ReasonParams = json!({"module": "DV-03", "completed_on": "2013-05-01", "years": 5})
            .as_object()
            .unwrap()
            .clone();
        assert_eq!(
            render(R::ModuleStale, &p, Lang::En, &scales()),
            "DV-03: last completed 2013-05-01, older than 5 years"
        );
        assert_eq!(
            render(R::ModuleStale, &p, Lang::Vi, &scales()),
            "DV-03: học lần cuối ngày 01/05/2013, đã quá 5 năm"
        );
        assert_eq!(
            requirement_label("min_level:political_theory", Lang::Vi, &scales()),
            "Trình độ lý luận chính trị"
        );
        assert_eq!(
            requirement_label("min_level:political_theory", Lang::En, &scales()),
            "min_level:political_theory"
        );
        assert_eq!(
            catalogue(Lang::Vi, &scales())["values"]["level"]["political_theory/intermediate"],
            "trung cấp"
        );
    }
}
