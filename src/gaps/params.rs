//! The query parameters of the gap reports: one struct that Rocket reads (`?<q..>`) and the
//! OpenAPI document describes, and the one place their raw values become typed values (a 422
//! naming the parameter at fault).
//!
//! Each operation reads only its own parameters: its [`Args`] type lists them, parses them, and
//! is what its `#[utoipa::path]` names, so the document shows exactly those. Any other name (one
//! another report takes, a typo), a name given twice, or nested (`unit[a]=`), has been refused
//! by the authentication guard before (`api::query::single_values`, which reads the names from
//! the document).

use chrono::NaiveDate;
use rocket::FromForm;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::Required;
use utoipa::IntoParams;

use super::reasons::Lang;
use super::report::Grouping;
use super::store::Population;
use crate::api::{parse_opt, PageParams};
use crate::error::{AppError, AppResult};
use crate::shared::download::{parse_format, ExportFormat};
use crate::standards::domain::Organisation;

/// The query parameters of the gap reports, as sent (each operation reads some of them).
#[derive(Debug, Default, FromForm, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams<'r> {
    /// csv or xlsx
    format: Option<&'r str>,
    /// The file's language: vi (default; Vietnamese headers, reasons and words) or en (the
    /// English headers and reasons the API writes)
    lang: Option<&'r str>,
    /// Root unit: its code, or `*` for the whole tree (default: your unit, or the only root)
    unit: Option<&'r str>,
    /// YYYY-MM-DD (default today)
    as_of: Option<&'r str>,
    /// First date (YYYY-MM-DD)
    from: Option<&'r str>,
    /// Second date (YYYY-MM-DD)
    to: Option<&'r str>,
    /// incumbent (default), planned or both
    population: Option<&'r str>,
    /// Only this title code
    title: Option<&'r str>,
    /// Only titles of this organisation kind
    org_kind: Option<&'r str>,
    /// Only those short of this requirement key (e.g. `module:DV-03`)
    requirement: Option<&'r str>,
    /// short (default), meeting, no_standard or all
    status: Option<&'r str>,
    /// Only those counted in this row of the report on `unit` (a child's code, the unit's own code, or UNPLACED)
    row: Option<&'r str>,
    /// children (default) or lowest (for the cadres behind a cell: the grouping `row` refers to)
    group: Option<&'r str>,
    /// 1–500 (default 50)
    #[param(value_type = Option<i64>)]
    limit: Option<&'r str>,
    /// Rows to skip
    #[param(value_type = Option<i64>)]
    offset: Option<&'r str>,
}

/// The unit a report is on, as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitChoice {
    /// None named: the caller's unit (or, for the whole tree's users, the only top-level unit).
    Default,
    /// `*`: the whole tree.
    Whole,
    /// A unit's code (resolved on the report's day by the service).
    Code(String),
}

/// Whom a report counts, under which unit.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The root unit.
    pub unit: UnitChoice,
    /// Holders, planned successors or both.
    pub population: Population,
    /// Only this title (upper case).
    pub title: Option<String>,
    /// Only titles of this organisation kind.
    pub org_kind: Option<Organisation>,
}

/// A report on one day: the gap report, training demand.
#[derive(Debug, Clone)]
pub struct OnDay {
    /// Whom it counts.
    pub selection: Selection,
    /// The day (default: today).
    pub as_of: Option<NaiveDate>,
    /// How rows are grouped.
    pub grouping: Grouping,
}

/// Which of the cadres behind a cell are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Short of at least one requirement (the default).
    Short,
    /// Meeting every requirement.
    Meeting,
    /// Holding a title with no standard in force.
    NoStandard,
    /// All of them.
    All,
}

/// The cadres behind a cell of a report.
#[derive(Debug, Clone)]
pub struct Drill {
    /// The report (its `grouping` is the one `row` refers to).
    pub report: OnDay,
    /// Only those short of this requirement key.
    pub requirement: Option<String>,
    /// Only those with this standing.
    pub status: Status,
    /// Only those counted in this row.
    pub row: Option<String>,
}

/// Two days compared.
#[derive(Debug, Clone)]
pub struct Between {
    /// Whom it counts.
    pub selection: Selection,
    /// The first day.
    pub from: NaiveDate,
    /// The second day.
    pub to: NaiveDate,
    /// How rows are grouped.
    pub grouping: Grouping,
}

/// A day, for one cadre's gaps.
#[derive(Debug, Clone, Copy)]
pub struct AsOf(pub Option<NaiveDate>);

/// An operation's parameters as a file (`format`, required; `lang`).
#[derive(Debug, Clone)]
pub struct File<T> {
    /// CSV or XLSX.
    pub format: ExportFormat,
    /// The language of its headers, reasons and words.
    pub lang: Lang,
    /// The rest.
    pub of: T,
}

/// An operation's parameters with a page (`limit`, `offset`).
#[derive(Debug, Clone)]
pub struct Paged<T> {
    /// The page.
    pub page: PageParams,
    /// The rest.
    pub of: T,
}

/// The gap report or training demand as a file.
pub type OnDayFile = File<OnDay>;
/// A page of the cadres behind a cell.
pub type DrillPage = Paged<Drill>;
/// The cadres behind a cell as a file.
pub type DrillFile = File<Drill>;
/// Two days compared, as a file.
pub type BetweenFile = File<Between>;

/// The typed parameters of an operation.
pub trait Args: Sized {
    /// The names it reads, in the document's order, each with whether it is required.
    fn names() -> Vec<(&'static str, bool)>;
    /// Reads them (422 naming the first at fault).
    fn parse(q: &ReportParams<'_>) -> AppResult<Self>;
}

impl ReportParams<'_> {
    /// The typed parameters of an operation.
    pub fn parse<T: Args>(&self) -> AppResult<T> {
        T::parse(self)
    }

    fn selection(&self) -> AppResult<Selection> {
        let population = match given("population", self.population)? {
            None => Population::Incumbent,
            Some(p) => Population::parse(p).ok_or_else(|| {
                AppError::invalid(
                    "population",
                    crate::msg!(
                        OneOf,
                        field = "population",
                        values = "incumbent, planned, both"
                    ),
                )
            })?,
        };
        let org_kind = match given("org_kind", self.org_kind)? {
            None => None,
            Some(o) => Some(Organisation::parse(o).ok_or_else(|| {
                AppError::invalid("org_kind", crate::msg!(UnknownOrgKind, value = o))
            })?),
        };
        let unit = match given("unit", self.unit)? {
            None => UnitChoice::Default,
            Some("*") => UnitChoice::Whole,
            Some(code) => UnitChoice::Code(crate::units::domain::parse_code("unit", code)?),
        };
        Ok(Selection {
            unit,
            population,
            title: given("title", self.title)?.map(str::to_uppercase),
            org_kind,
        })
    }

    fn grouping(&self) -> AppResult<Grouping> {
        match given("group", self.group)? {
            None | Some("children") => Ok(Grouping::Children),
            Some("lowest") => Ok(Grouping::Lowest),
            Some(_) => Err(AppError::invalid(
                "group",
                crate::msg!(OneOf, field = "group", values = "children, lowest"),
            )),
        }
    }

    fn as_of(&self) -> AppResult<Option<NaiveDate>> {
        parse_opt::<NaiveDate>("as_of", self.as_of)
    }

    fn day(name: &str, raw: Option<&str>) -> AppResult<NaiveDate> {
        parse_opt::<NaiveDate>(name, raw)?
            .ok_or_else(|| AppError::invalid(name, crate::msg!(Required, field = name)))
    }
}

/// A value given and not blank, trimmed, checked as every text a client sends is (no NUL
/// character, which PostgreSQL cannot take: `api::text`).
fn given<'a>(name: &str, raw: Option<&'a str>) -> AppResult<Option<&'a str>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            crate::api::text::check(name, s)?;
            Ok(Some(s))
        }
    }
}

const SELECTION: [&str; 4] = ["population", "title", "org_kind", "group"];

impl Args for OnDay {
    fn names() -> Vec<(&'static str, bool)> {
        ["unit", "as_of"]
            .into_iter()
            .chain(SELECTION)
            .map(|n| (n, false))
            .collect()
    }

    fn parse(q: &ReportParams<'_>) -> AppResult<Self> {
        let grouping = q.grouping()?;
        let as_of = q.as_of()?;
        Ok(OnDay {
            selection: q.selection()?,
            as_of,
            grouping,
        })
    }
}

impl Args for Drill {
    fn names() -> Vec<(&'static str, bool)> {
        [
            "unit",
            "as_of",
            "population",
            "title",
            "org_kind",
            "requirement",
            "status",
            "row",
            "group",
        ]
        .into_iter()
        .map(|n| (n, false))
        .collect()
    }

    fn parse(q: &ReportParams<'_>) -> AppResult<Self> {
        let as_of = q.as_of()?;
        let selection = q.selection()?;
        let grouping = q.grouping()?;
        let status = match given("status", q.status)? {
            None | Some("short") => Status::Short,
            Some("meeting") => Status::Meeting,
            Some("no_standard") => Status::NoStandard,
            Some("all") => Status::All,
            Some(_) => {
                return Err(AppError::invalid(
                    "status",
                    crate::msg!(
                        OneOf,
                        field = "status",
                        values = "short, meeting, no_standard, all"
                    ),
                ))
            }
        };
        Ok(Drill {
            report: OnDay {
                selection,
                as_of,
                grouping,
            },
            requirement: given("requirement", q.requirement)?.map(str::to_string),
            status,
            row: given("row", q.row)?.map(str::to_string),
        })
    }
}

impl Args for Between {
    fn names() -> Vec<(&'static str, bool)> {
        [("unit", false), ("from", true), ("to", true)]
            .into_iter()
            .chain(SELECTION.map(|n| (n, false)))
            .collect()
    }

    fn parse(q: &ReportParams<'_>) -> AppResult<Self> {
        let grouping = q.grouping()?;
        let from = ReportParams::day("from", q.from)?;
        let to = ReportParams::day("to", q.to)?;
        Ok(Between {
            selection: q.selection()?,
            from,
            to,
            grouping,
        })
    }
}

impl Args for AsOf {
    fn names() -> Vec<(&'static str, bool)> {
        vec![("as_of", false)]
    }

    fn parse(q: &ReportParams<'_>) -> AppResult<Self> {
        Ok(AsOf(q.as_of()?))
    }
}

impl<T: Args> Args for File<T> {
    fn names() -> Vec<(&'static str, bool)> {
        [("format", true), ("lang", false)]
            .into_iter()
            .chain(T::names())
            .collect()
    }

    fn parse(q: &ReportParams<'_>) -> AppResult<Self> {
        let format = parse_format(q.format)?;
        // Named when given: a blank value is refused, as any other that is not vi or en.
        let lang = Lang::from_query(q.lang)?;
        Ok(File {
            format,
            lang,
            of: T::parse(q)?,
        })
    }
}

impl<T: Args> Args for Paged<T> {
    fn names() -> Vec<(&'static str, bool)> {
        T::names()
            .into_iter()
            .chain([("limit", false), ("offset", false)])
            .collect()
    }

    fn parse(q: &ReportParams<'_>) -> AppResult<Self> {
        let page = PageParams::parse(q.limit, q.offset)?;
        Ok(Paged {
            page,
            of: T::parse(q)?,
        })
    }
}

/// The document's parameters of an operation: the fields of [`ReportParams`] it reads, each
/// described once there.
fn described<T: Args>() -> Vec<Parameter> {
    let all = ReportParams::into_params(|| Some(ParameterIn::Query));
    T::names()
        .into_iter()
        .map(|(name, required)| {
            let mut p = all
                .iter()
                .find(|p| p.name == name)
                .unwrap_or_else(|| panic!("ReportParams has no field {name}"))
                .clone();
            if required {
                p.required = Required::True;
            }
            p
        })
        .collect()
}

macro_rules! documented {
    ($($t:ident $(<$g:ident>)?),*) => {$(
        impl$(<$g: Args>)? IntoParams for $t$(<$g>)? {
            fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                described::<Self>()
            }
        }
    )*};
}

documented!(OnDay, Drill, Between, AsOf, File<T>, Paged<T>);

#[cfg(test)]
mod tests {
    use super::*;

    /// The parameter a 422 names.
    fn field(e: &AppError) -> Option<&str> {
        match e {
            AppError::Validation { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// A value each parameter refuses (free text: one with a NUL character).
    fn bad(name: &str) -> &'static str {
        match name {
            "unit" | "title" | "requirement" | "row" => "a\0",
            "limit" => "0",
            _ => "nonsense",
        }
    }

    fn set<'r>(q: &mut ReportParams<'r>, name: &str, v: &'r str) {
        let field = match name {
            "format" => &mut q.format,
            "lang" => &mut q.lang,
            "unit" => &mut q.unit,
            "as_of" => &mut q.as_of,
            "from" => &mut q.from,
            "to" => &mut q.to,
            "population" => &mut q.population,
            "title" => &mut q.title,
            "org_kind" => &mut q.org_kind,
            "requirement" => &mut q.requirement,
            "status" => &mut q.status,
            "row" => &mut q.row,
            "group" => &mut q.group,
            "limit" => &mut q.limit,
            "offset" => &mut q.offset,
            _ => panic!("no field {name}"),
        };
        *field = Some(v);
    }

    const ALL: [&str; 15] = [
        "format",
        "lang",
        "unit",
        "as_of",
        "from",
        "to",
        "population",
        "title",
        "org_kind",
        "requirement",
        "status",
        "row",
        "group",
        "limit",
        "offset",
    ];

    /// An operation reads exactly the parameters its document lists: a bad value of any other is
    /// ignored, a bad value of one of them is refused naming it, a required one is required.
    fn reads_what_it_documents<T: Args + IntoParams>() {
        let names = T::names();
        let valid = |q: &mut ReportParams<'static>| {
            for (name, required) in &names {
                if *required {
                    set(
                        q,
                        name,
                        if *name == "format" {
                            "csv"
                        } else {
                            "2020-01-01"
                        },
                    );
                }
            }
        };
        let mut q = ReportParams::default();
        valid(&mut q);
        for name in ALL
            .into_iter()
            .filter(|n| !names.iter().any(|(m, _)| m == n))
        {
            set(&mut q, name, bad(name));
        }
        assert!(q.parse::<T>().is_ok(), "{names:?}: {q:?}");
        for (name, required) in &names {
            let mut q = ReportParams::default();
            valid(&mut q);
            set(&mut q, name, bad(name));
            let e = q.parse::<T>().err().expect(name);
            assert_eq!(field(&e), Some(*name), "{e:?}");
            if *required {
                let mut q = ReportParams::default();
                valid(&mut q);
                let value = match *name {
                    "format" => &mut q.format,
                    "from" => &mut q.from,
                    _ => &mut q.to,
                };
                *value = None;
                let e = q.parse::<T>().err().expect(name);
                assert_eq!(field(&e), Some(*name), "{e:?}");
            }
        }
        let documented: Vec<String> = T::into_params(|| None)
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(
            documented,
            names.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn every_operation_reads_what_it_documents() {
        reads_what_it_documents::<OnDay>();
        reads_what_it_documents::<OnDayFile>();
        reads_what_it_documents::<Drill>();
        reads_what_it_documents::<DrillPage>();
        reads_what_it_documents::<DrillFile>();
        reads_what_it_documents::<Between>();
        reads_what_it_documents::<BetweenFile>();
        reads_what_it_documents::<AsOf>();
    }

    #[test]
    fn values_are_trimmed_and_defaulted() {
        let q = ReportParams {
            unit: Some(" * "),
            title: Some(" ff-chair-commune "),
            org_kind: Some(" youth_union"),
            group: Some(" lowest "),
            population: Some(""),
            ..Default::default()
        };
        let d: OnDay = q.parse().unwrap();
        assert_eq!(d.selection.unit, UnitChoice::Whole);
        assert_eq!(d.selection.title.as_deref(), Some("FF-CHAIR-COMMUNE"));
        assert_eq!(d.selection.org_kind, Some(Organisation::YouthUnion));
        assert_eq!(d.selection.population, Population::Incumbent);
        assert_eq!(d.grouping, Grouping::Lowest);
        assert_eq!(d.as_of, None);
        let q = ReportParams {
            unit: Some(" 760 "),
            status: Some(" all"),
            ..Default::default()
        };
        let d: Drill = q.parse().unwrap();
        assert_eq!(d.report.selection.unit, UnitChoice::Code("760".into()));
        assert_eq!(d.status, Status::All);
        let d: Drill = ReportParams::default().parse().unwrap();
        assert_eq!(d.report.selection.unit, UnitChoice::Default);
        assert_eq!(d.status, Status::Short);
    }
}
