//! The curriculum a new database starts with: qualification scales, the twelve `DV-` modules of
//! deliverable 9.7 (DOMAIN.md) and the political-theory programmes. Written once, on the first
//! start of a database without modules; edited through the API afterwards.

use chrono::Utc;

use super::store::{self, LevelRef, ModuleWrite};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};

/// (scale code, Vietnamese name, English name, levels: (code, Vietnamese, English) in rank order).
type Scale = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, &'static str)],
);

const SCALES: &[Scale] = &[
    (
        "political_theory",
        "Lý luận chính trị",
        "Political theory",
        &[
            ("elementary", "Sơ cấp", "Elementary"),
            ("intermediate", "Trung cấp", "Intermediate"),
            ("advanced", "Cao cấp", "Advanced"),
            ("bachelor", "Cử nhân", "Bachelor"),
        ],
    ),
    (
        "professional_education",
        "Trình độ chuyên môn",
        "Professional education",
        &[
            ("vocational", "Trung cấp", "Vocational"),
            ("college", "Cao đẳng", "College"),
            ("bachelor", "Đại học", "Bachelor"),
            ("master", "Thạc sĩ", "Master"),
            ("doctorate", "Tiến sĩ", "Doctorate"),
        ],
    ),
    (
        "state_management",
        "Quản lý nhà nước",
        "State management",
        &[
            ("officer", "Chuyên viên", "Officer"),
            (
                "principal_officer",
                "Chuyên viên chính",
                "Principal officer",
            ),
            ("senior_officer", "Chuyên viên cao cấp", "Senior officer"),
        ],
    ),
    (
        "it",
        "Tin học",
        "Information technology",
        &[
            ("basic", "Cơ bản", "Basic"),
            ("advanced", "Nâng cao", "Advanced"),
        ],
    ),
    (
        "foreign_language",
        "Ngoại ngữ",
        "Foreign language",
        &[
            ("a1", "Bậc 1 (A1)", "Level 1 (A1)"),
            ("a2", "Bậc 2 (A2)", "Level 2 (A2)"),
            ("b1", "Bậc 3 (B1)", "Level 3 (B1)"),
            ("b2", "Bậc 4 (B2)", "Level 4 (B2)"),
            ("c1", "Bậc 5 (C1)", "Level 5 (C1)"),
            ("c2", "Bậc 6 (C2)", "Level 6 (C2)"),
        ],
    ),
];

const ALL: &str = "civil_servants,front_and_organisations,mass_mobilisation_staff";

/// (code, Vietnamese title, English title, periods, audiences, validity years, awards (scale, level), prerequisites).
type Module = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
    Option<i64>,
    Option<(&'static str, &'static str)>,
    &'static [&'static str],
);

const MODULES: &[Module] = &[
    (
        "DV-01",
        "Quan điểm của Đảng, tư tưởng Hồ Chí Minh về công tác dân vận",
        "Party views and Ho Chi Minh's thought on mass mobilisation",
        8,
        "armed_forces,civil_servants,front_and_organisations,mass_mobilisation_staff",
        None,
        None,
        &[],
    ),
    (
        "DV-02",
        "Nghị quyết 25-NQ/TW và Chương trình hành động của Thành ủy",
        "Resolution 25-NQ/TW and the city's action programme",
        4,
        "armed_forces,civil_servants,front_and_organisations,mass_mobilisation_staff",
        None,
        None,
        &[],
    ),
    (
        "DV-03",
        "Kỹ năng vận động quần chúng",
        "Skills of mobilising the people",
        12,
        ALL,
        Some(5),
        None,
        &[],
    ),
    (
        "DV-04",
        "Tiếp công dân, đối thoại, giải quyết khiếu nại, tố cáo",
        "Receiving citizens, dialogue, handling complaints and denunciations",
        8,
        ALL,
        None,
        None,
        &[],
    ),
    (
        "DV-05",
        "Quy chế dân chủ ở cơ sở",
        "Grassroots democracy regulations",
        8,
        ALL,
        None,
        None,
        &[],
    ),
    (
        "DV-06",
        "Giám sát và phản biện xã hội của Mặt trận và các đoàn thể",
        "Social supervision and critique by the Front and the organisations",
        8,
        "front_and_organisations,mass_mobilisation_staff",
        Some(5),
        None,
        &[],
    ),
    (
        "DV-07",
        "Công tác dân tộc, tôn giáo",
        "Ethnic and religious affairs",
        8,
        ALL,
        None,
        None,
        &[],
    ),
    (
        "DV-08",
        "Công tác dân vận của chính quyền",
        "Mass mobilisation by government bodies",
        8,
        "civil_servants,mass_mobilisation_staff",
        None,
        None,
        &[],
    ),
    (
        "DV-09",
        "Công tác dân vận trong lực lượng vũ trang",
        "Mass mobilisation in the armed forces",
        8,
        "armed_forces",
        None,
        None,
        &[],
    ),
    (
        "DV-10",
        "Phong trào thi đua \"Dân vận khéo\"",
        "The \"Dân vận khéo\" (skilful mobilisation) emulation movement",
        4,
        ALL,
        None,
        None,
        &["DV-03"],
    ),
    (
        "DV-11",
        "Nắm bắt dư luận xã hội; truyền thông trên mạng xã hội",
        "Reading public opinion; communication on social media",
        8,
        ALL,
        Some(3),
        None,
        &[],
    ),
    (
        "DV-12",
        "Công tác với người có uy tín trong cộng đồng",
        "Working with reputable persons in the community",
        4,
        ALL,
        None,
        None,
        &[],
    ),
    (
        "LLCT-SC",
        "Sơ cấp lý luận chính trị",
        "Elementary political theory",
        160,
        "armed_forces,civil_servants,front_and_organisations,mass_mobilisation_staff",
        None,
        Some(("political_theory", "elementary")),
        &[],
    ),
    (
        "LLCT-TC",
        "Trung cấp lý luận chính trị",
        "Intermediate political theory",
        1100,
        "armed_forces,civil_servants,front_and_organisations,mass_mobilisation_staff",
        None,
        Some(("political_theory", "intermediate")),
        &[],
    ),
    (
        "LLCT-CC",
        "Cao cấp lý luận chính trị",
        "Advanced political theory",
        1600,
        "armed_forces,civil_servants,front_and_organisations,mass_mobilisation_staff",
        None,
        Some(("political_theory", "advanced")),
        &[],
    ),
];

/// (code, Vietnamese name, English name, description, module codes in order).
type Programme = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const PROGRAMMES: &[Programme] = &[
    (
        "CT-DV-97",
        "Chương trình bồi dưỡng cán bộ làm công tác dân vận",
        "Training programme for mass-mobilisation cadres",
        "Nhiệm vụ 9.7, Chương trình hành động thực hiện Nghị quyết 25-NQ/TW",
        &[
            "DV-01", "DV-02", "DV-03", "DV-04", "DV-05", "DV-06", "DV-07", "DV-08", "DV-09",
            "DV-10", "DV-11", "DV-12",
        ],
    ),
    (
        "CT-LLCT-SC",
        "Chương trình sơ cấp lý luận chính trị",
        "Elementary political theory programme",
        "",
        &["LLCT-SC"],
    ),
    (
        "CT-LLCT-TC",
        "Chương trình trung cấp lý luận chính trị",
        "Intermediate political theory programme",
        "",
        &["LLCT-TC"],
    ),
    (
        "CT-LLCT-CC",
        "Chương trình cao cấp lý luận chính trị",
        "Advanced political theory programme",
        "",
        &["LLCT-CC"],
    ),
];

/// Writes the starting curriculum if the database has no module yet (idempotent; safe when
/// several instances start at once).
pub async fn seed_if_empty(db: &Db) -> Result<(), String> {
    let fail = |e: AppError| format!("seeding the curriculum failed: {e}");
    let mut tx = db.begin().await.map_err(fail)?;
    if store::module_count(&mut tx).await.map_err(fail)? > 0 {
        return Ok(());
    }
    match insert_all(&mut tx).await {
        Ok(()) => tx.commit().await.map_err(fail),
        // Another instance seeded first.
        Err(AppError::Conflict { .. }) => Ok(()),
        Err(other) => Err(fail(other)),
    }
}

/// Inserts the whole starting curriculum.
async fn insert_all(tx: &mut Tx) -> AppResult<()> {
    let now = Utc::now();
    for (code, vi, en, levels) in SCALES {
        store::seed_scale(tx, code, vi, en, levels).await?;
    }
    for (code, vi, en, periods, aud, validity, awards, _) in MODULES {
        let awards = awards.map(|(scale, level)| LevelRef {
            scale: scale.into(),
            level: level.into(),
        });
        let module = ModuleWrite {
            code,
            title_vi: vi,
            title_en: en,
            periods: *periods,
            description: "",
            audiences: aud,
            validity_years: *validity,
            awards: awards.as_ref(),
            active: true,
        };
        store::insert_module(tx, &module, now).await?;
    }
    for (code, _, _, _, _, _, _, prereqs) in MODULES {
        for p in *prereqs {
            store::seed_prerequisite(tx, code, p).await?;
        }
    }
    for (code, vi, en, desc, modules) in PROGRAMMES {
        store::seed_programme(tx, code, vi, en, desc, modules, now).await?;
    }
    Ok(())
}
