//! Notices (pure): the kinds of event a cadre and their unit's officers are told of, the
//! parameters each names, and its subject and text in Vietnamese and English. A notice is stored
//! as its kind and parameters; it is rendered in the reader's language when read or mailed.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::reasons::{fill, Lang};

/// What a notice tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// Enrolled in a class (`class`, `title`, `cadre`).
    Enrolled,
    /// Put on a class's waitlist (`class`, `title`, `cadre`, `position`).
    Waitlisted,
    /// Moved from the waitlist into a seat (`class`, `title`, `cadre`).
    Promoted,
    /// A class one is enrolled in got a new schedule (`class`, `title`, `cadre`, and the next
    /// session's `date` and `start`).
    ClassRescheduled,
    /// A class finished with one still on its waitlist: no seat was given (`class`, `title`,
    /// `cadre`).
    NotPlaced,
    /// A class one is enrolled in was cancelled (`class`, `title`, `cadre`, `reason`).
    ClassCancelled,
    /// A class starts in a few days (`class`, `title`, `cadre`, `date`, `start`, `venue`, `days`).
    ClassStartsSoon,
    /// A session of one's class is tomorrow (`class`, `title`, `cadre`, `date`, `start`, `end`,
    /// `venue`).
    SessionTomorrow,
    /// A completion was recorded (`module`, `module_title`, `cadre`, `date`, `certificate`).
    CompletionRecorded,
    /// Passed a class but attended less than its share of sessions: no completion (`class`,
    /// `title`, `cadre`, `attended`, `sessions`, `min_pct`).
    CompletionWithheld,
    /// A certificate was revoked (`certificate`, `module`, `module_title`, `cadre`, `date`,
    /// `reason`).
    CertificateRevoked,
    /// A training goes stale soon (`module`, `module_title`, `cadre`, `date`: its last valid day).
    TrainingStaleSoon,
    /// Taken out of a class by the school or an admin (`class`, `title`, `cadre`, `reason`).
    RemovedFromClass,
    /// A class finished without a pass (`class`, `title`, `cadre`).
    ClassNotPassed,
}

/// One kind's words.
struct Words {
    kind: NoticeKind,
    name: &'static str,
    params: &'static [&'static str],
    subject_vi: &'static str,
    subject_en: &'static str,
    body_vi: &'static str,
    body_en: &'static str,
}

use NoticeKind as K;

const WORDS: &[Words] = &[
    Words {
        kind: K::Enrolled,
        name: "enrolled",
        params: &["class", "title", "cadre"],
        subject_vi: "Đã ghi danh lớp {class}",
        subject_en: "Enrolled in class {class}",
        body_vi: "{cadre} đã được ghi danh vào lớp {class} – {title}.",
        body_en: "{cadre} is enrolled in class {class} – {title}.",
    },
    Words {
        kind: K::Waitlisted,
        name: "waitlisted",
        params: &["class", "title", "cadre", "position"],
        subject_vi: "Danh sách chờ lớp {class}",
        subject_en: "Waitlisted for class {class}",
        body_vi: "Lớp {class} – {title} đã đủ chỗ: {cadre} ở vị trí thứ {position} trong danh sách chờ.",
        body_en: "Class {class} – {title} is full: {cadre} is number {position} on the waitlist.",
    },
    Words {
        kind: K::Promoted,
        name: "promoted",
        params: &["class", "title", "cadre"],
        subject_vi: "Đã có chỗ trong lớp {class}",
        subject_en: "A seat in class {class}",
        body_vi: "{cadre} đã được chuyển từ danh sách chờ vào lớp {class} – {title}.",
        body_en: "{cadre} has moved from the waitlist into class {class} – {title}.",
    },
    Words {
        kind: K::ClassRescheduled,
        name: "class_rescheduled",
        params: &["class", "title", "cadre", "date", "start"],
        subject_vi: "Lớp {class} đổi lịch học",
        subject_en: "Class {class} rescheduled",
        body_vi: "Lớp {class} – {title} của {cadre} có lịch học mới; buổi học tới: {date} lúc {start}.",
        body_en: "Class {class} – {title} of {cadre} has a new schedule; next session: {date} at {start}.",
    },
    Words {
        kind: K::NotPlaced,
        name: "not_placed",
        params: &["class", "title", "cadre"],
        subject_vi: "Không được xếp chỗ lớp {class}",
        subject_en: "No seat in class {class}",
        body_vi: "Lớp {class} – {title} đã kết thúc mà không có chỗ trống: {cadre} không được xếp chỗ (vẫn ở danh sách chờ).",
        body_en: "Class {class} – {title} has finished with no seat free: {cadre} was not placed (still on the waitlist).",
    },
    Words {
        kind: K::ClassCancelled,
        name: "class_cancelled",
        params: &["class", "title", "cadre", "reason"],
        subject_vi: "Lớp {class} bị hủy",
        subject_en: "Class {class} cancelled",
        body_vi: "Lớp {class} – {title} của {cadre} đã bị hủy. Lý do: {reason}.",
        body_en: "Class {class} – {title} of {cadre} is cancelled. Reason: {reason}.",
    },
    Words {
        kind: K::ClassStartsSoon,
        name: "class_starts_soon",
        params: &["class", "title", "cadre", "date", "start", "venue", "days"],
        subject_vi: "Lớp {class} khai giảng sau {days} ngày",
        subject_en: "Class {class} starts in {days} days",
        body_vi: "Nhắc {cadre}: lớp {class} – {title} khai giảng ngày {date} lúc {start} tại {venue}.",
        body_en: "Reminder for {cadre}: class {class} – {title} starts on {date} at {start} at {venue}.",
    },
    Words {
        kind: K::SessionTomorrow,
        name: "session_tomorrow",
        params: &["class", "title", "cadre", "date", "start", "end", "venue"],
        subject_vi: "Ngày mai có buổi học lớp {class}",
        subject_en: "Class {class} meets tomorrow",
        body_vi: "Nhắc {cadre}: lớp {class} – {title} học ngày {date}, {start}–{end}, tại {venue}.",
        body_en: "Reminder for {cadre}: class {class} – {title} meets on {date}, {start}–{end}, at {venue}.",
    },
    Words {
        kind: K::CompletionRecorded,
        name: "completion_recorded",
        params: &["module", "module_title", "cadre", "date", "certificate"],
        subject_vi: "Hoàn thành học phần {module}",
        subject_en: "Module {module} completed",
        body_vi: "{cadre} đã hoàn thành học phần {module} – {module_title} ngày {date}. Giấy chứng nhận: {certificate}.",
        body_en: "{cadre} completed module {module} – {module_title} on {date}. Certificate: {certificate}.",
    },
    Words {
        kind: K::CompletionWithheld,
        name: "completion_withheld",
        params: &["class", "title", "cadre", "attended", "sessions", "min_pct"],
        subject_vi: "Chưa công nhận hoàn thành lớp {class}",
        subject_en: "Class {class} not completed",
        body_vi: "{cadre} đạt kết quả lớp {class} – {title} nhưng chỉ dự {attended}/{sessions} buổi, dưới mức tối thiểu {min_pct}% số buổi: chưa được công nhận hoàn thành, không cấp giấy chứng nhận.",
        body_en: "{cadre} passed class {class} – {title} but attended {attended} of {sessions} sessions, below the required {min_pct}%: no completion or certificate is recorded.",
    },
    Words {
        kind: K::CertificateRevoked,
        name: "certificate_revoked",
        params: &["certificate", "module", "module_title", "cadre", "date", "reason"],
        subject_vi: "Thu hồi giấy chứng nhận {certificate}",
        subject_en: "Certificate {certificate} revoked",
        body_vi: "Giấy chứng nhận {certificate} (học phần {module} – {module_title}) của {cadre} bị thu hồi từ ngày {date}. Lý do: {reason}.",
        body_en: "Certificate {certificate} (module {module} – {module_title}) of {cadre} is revoked from {date}. Reason: {reason}.",
    },
    Words {
        kind: K::TrainingStaleSoon,
        name: "training_stale_soon",
        params: &["module", "module_title", "cadre", "date"],
        subject_vi: "Học phần {module} sắp hết hiệu lực",
        subject_en: "Module {module} goes stale soon",
        body_vi: "Kết quả học phần {module} – {module_title} của {cadre} chỉ còn hiệu lực đến hết ngày {date}: cần học lại.",
        body_en: "{cadre}'s completion of module {module} – {module_title} is valid until {date}: it must be retaken.",
    },
    Words {
        kind: K::RemovedFromClass,
        name: "removed_from_class",
        params: &["class", "title", "cadre", "reason"],
        subject_vi: "Không còn trong lớp {class}",
        subject_en: "Removed from class {class}",
        body_vi: "Nhà trường đã đưa {cadre} ra khỏi lớp {class} – {title}. Lý do: {reason}.",
        body_en: "The school has removed {cadre} from class {class} – {title}. Reason: {reason}.",
    },
    Words {
        kind: K::ClassNotPassed,
        name: "class_not_passed",
        params: &["class", "title", "cadre"],
        subject_vi: "Chưa đạt lớp {class}",
        subject_en: "Class {class} not passed",
        body_vi: "Lớp {class} – {title} đã kết thúc: {cadre} chưa đạt yêu cầu, chưa được công nhận hoàn thành.",
        body_en: "Class {class} – {title} has finished: {cadre} did not pass, so no completion is recorded.",
    },
];

impl NoticeKind {
    /// Every kind.
    pub const ALL: [NoticeKind; 14] = [
        K::Enrolled,
        K::Waitlisted,
        K::Promoted,
        K::NotPlaced,
        K::ClassRescheduled,
        K::ClassCancelled,
        K::ClassStartsSoon,
        K::SessionTomorrow,
        K::CompletionRecorded,
        K::CompletionWithheld,
        K::CertificateRevoked,
        K::TrainingStaleSoon,
        K::RemovedFromClass,
        K::ClassNotPassed,
    ];

    fn words(self) -> &'static Words {
        WORDS
            .iter()
            .find(|w| w.kind == self)
            .expect("every kind has its words (tested)")
    }

    /// The kind as stored and served (`class_cancelled`).
    pub fn as_str(self) -> &'static str {
        self.words().name
    }

    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<NoticeKind> {
        WORDS.iter().find(|w| w.name == s).map(|w| w.kind)
    }

    /// The parameters its words name.
    pub fn params(self) -> &'static [&'static str] {
        self.words().params
    }

    /// Whether a class's calendar (an iCalendar attachment) belongs with it.
    pub fn about_a_class(self) -> bool {
        matches!(
            self,
            K::Enrolled
                | K::Promoted
                | K::ClassRescheduled
                | K::ClassCancelled
                | K::ClassStartsSoon
                | K::SessionTomorrow
        )
    }
}

/// A notice's subject and text in `lang`, from its kind and parameters. A parameter named `date`
/// is an ISO day, written DD/MM/YYYY in Vietnamese; a missing one is written `—`; in English a
/// parameter `x` is taken from `x_en` when the notice has it.
pub fn render(kind: NoticeKind, params: &Map<String, Value>, lang: Lang) -> (String, String) {
    let w = kind.words();
    let value = |name: &str| -> String {
        // An English reader gets a name's English form where the notice has one (`module_title_en`).
        let english = (lang == Lang::En)
            .then(|| params.get(&format!("{name}_en")))
            .flatten()
            .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()));
        match english.or_else(|| params.get(name)) {
            None | Some(Value::Null) => "—".into(),
            Some(Value::String(s)) if s.is_empty() => "—".into(),
            Some(Value::String(s)) if name == "date" && lang == Lang::Vi => {
                match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                    Ok(d) => d.format("%d/%m/%Y").to_string(),
                    Err(_) => s.clone(),
                }
            }
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
        }
    };
    let (subject, body) = match lang {
        Lang::Vi => (w.subject_vi, w.body_vi),
        Lang::En => (w.subject_en, w.body_en),
    };
    (fill(subject, value), fill(body, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_kind_has_its_words_in_both_languages_naming_exactly_its_params() {
        assert_eq!(WORDS.len(), NoticeKind::ALL.len());
        for k in NoticeKind::ALL {
            let w = k.words();
            assert_eq!(NoticeKind::parse(w.name), Some(k));
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                json!(w.name),
                "serde name of {k:?}"
            );
            for text in [w.subject_vi, w.subject_en, w.body_vi, w.body_en] {
                assert!(!text.is_empty());
                let mut named = vec![];
                fill(text, |n| {
                    named.push(n.to_string());
                    String::new()
                });
                for n in &named {
                    assert!(w.params.contains(&n.as_str()), "{k:?}: {n} not declared");
                }
            }
            // Every declared parameter is told in each body.
            for p in w.params {
                for body in [w.body_vi, w.body_en] {
                    assert!(
                        body.contains(&format!("{{{p}}}")) || subject_has(w, p),
                        "{k:?}: {p} unused"
                    );
                }
            }
        }
    }

    fn subject_has(w: &Words, p: &str) -> bool {
        w.subject_vi.contains(&format!("{{{p}}}"))
    }

    #[test]
    fn renders_in_the_readers_language_with_vietnamese_dates() {
        let p = json!({"class": "L1", "title": "Dân vận", "cadre": "Nguyễn Văn A", "reason": "thiếu giảng viên", "date": "2026-12-24"});
        let p = p.as_object().unwrap();
        let (s, b) = render(K::ClassCancelled, p, Lang::Vi);
        assert_eq!(s, "Lớp L1 bị hủy");
        assert_eq!(
            b,
            "Lớp L1 – Dân vận của Nguyễn Văn A đã bị hủy. Lý do: thiếu giảng viên."
        );
        let (s, _) = render(K::ClassCancelled, p, Lang::En);
        assert_eq!(s, "Class L1 cancelled");
        let (_, b) = render(
            K::TrainingStaleSoon,
            json!({"module": "M1", "module_title": "X", "cadre": "B", "date": "2026-12-24"})
                .as_object()
                .unwrap(),
            Lang::Vi,
        );
        assert!(b.contains("24/12/2026"), "{b}");
        let titled =
            json!({"module": "M1", "module_title": "Kỹ năng", "module_title_en": "Skills"});
        let (_, b) = render(K::CompletionRecorded, titled.as_object().unwrap(), Lang::En);
        assert!(b.contains("M1 – Skills"), "{b}");
        let (_, b) = render(K::CompletionRecorded, titled.as_object().unwrap(), Lang::Vi);
        assert!(b.contains("M1 – Kỹ năng"), "{b}");
        let (_, b) = render(K::Waitlisted, &Map::new(), Lang::En);
        assert!(b.contains("number — on"), "{b}");
    }
}
