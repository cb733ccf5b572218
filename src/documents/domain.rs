//! What a certificate and a sign-in sheet show, and their pages (pure: plain data in, laid-out
//! pages and PDF bytes out; unit-tested without a database).
//!
//! - A **certificate** is one A4 landscape page: the issuing school, "GIẤY CHỨNG NHẬN", the
//!   holder and their unit, the module (Vietnamese title), the class and its dates, the day
//!   completed, the score and the validity, the number and verification code, and a QR code
//!   of the public check's address. A revoked certificate carries "ĐÃ THU HỒI" with the day and
//!   the reason in red.
//! - A **sign-in sheet** is A4 portrait pages for one session: the class, module, session day,
//!   times (city time) and venue repeated at the top of every page, then the enrolled cadres
//!   (number, name, unit) with an empty signature column.
//!
//! Labels are Vietnamese, or English on request ([`Lang`]). Every text is fitted to its box
//! ([`pdf::fit`]): long names shrink, then wrap, and are never drawn past their column.

use chrono::{Datelike, NaiveDate, Weekday};

use super::pdf::{self, Ink, Page, Weight, A4_LONG, A4_SHORT};
use crate::reasons::Lang;

/// A revocation, as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Revocation {
    /// From which day.
    pub on: NaiveDate,
    /// Why.
    pub reason: String,
}

/// What a certificate shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Certificate {
    /// Certificate number (`TCB-2026-000123`).
    pub number: String,
    /// Verification code (10 letters).
    pub code: String,
    /// The public check's address with the code (what the QR code holds).
    pub verify_url: String,
    /// Holder's full name.
    pub holder: String,
    /// Holder's unit (name).
    pub unit_name: String,
    /// Module code.
    pub module_code: String,
    /// Module title (Vietnamese).
    pub module_title_vi: String,
    /// Module title (English).
    pub module_title_en: String,
    /// Class code.
    pub class_code: Option<String>,
    /// Class title.
    pub class_title: Option<String>,
    /// Who organised the class (the issuing school).
    pub organiser: String,
    /// First and last day of the class's sessions (city days).
    pub class_days: Option<(NaiveDate, NaiveDate)>,
    /// Day completed.
    pub completed_on: NaiveDate,
    /// Score (0–10).
    pub score: Option<f64>,
    /// Last day it counts, if the module goes stale.
    pub valid_until: Option<NaiveDate>,
    /// Revoked: when and why.
    pub revoked: Option<Revocation>,
}

/// One line of a sign-in sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Signer {
    /// Full name.
    pub full_name: String,
    /// The unit's name.
    pub unit_name: String,
}

/// What a sign-in sheet shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SignInSheet {
    /// Class code.
    pub class_code: String,
    /// Class title.
    pub class_title: String,
    /// Organiser.
    pub organiser: String,
    /// Module code.
    pub module_code: String,
    /// Module title (in the sheet's language).
    pub module_title: String,
    /// Which session (1-based) of how many.
    pub session_no: usize,
    /// Sessions of the class.
    pub sessions: usize,
    /// Session day (city).
    pub day: NaiveDate,
    /// Start time `HH:MM` (city).
    pub starts: String,
    /// End time `HH:MM` (city).
    pub ends: String,
    /// Venue.
    pub venue: String,
    /// Instructor.
    pub instructor: String,
    /// The enrolled cadres, in the order printed.
    pub signers: Vec<Signer>,
    /// Whether the list holds only the cadres the reader may see (an officer's unit, a cadre's
    /// own record): an empty one then says none of those is enrolled.
    pub scoped: bool,
}

/// The words of the documents in one language.
struct Labels {
    city: &'static str,
    nation: &'static str,
    motto: &'static str,
    certificate: &'static str,
    certifies: &'static str,
    unit: &'static str,
    completed: &'static str,
    class: &'static str,
    from_to: (&'static str, &'static str),
    completed_on: &'static str,
    score: &'static str,
    valid_until: &'static str,
    number: &'static str,
    code: &'static str,
    scan: &'static str,
    revoked: &'static str,
    revoked_from: &'static str,
    reason: &'static str,
    sign_in: &'static str,
    module: &'static str,
    session: &'static str,
    city_time: &'static str,
    venue: &'static str,
    instructor: &'static str,
    page: &'static str,
    columns: [&'static str; 4],
    total: &'static str,
    nobody: &'static str,
    nobody_yours: &'static str,
}

const VI: Labels = Labels {
    city: "THÀNH PHỐ HỒ CHÍ MINH",
    nation: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    motto: "Độc lập - Tự do - Hạnh phúc",
    certificate: "GIẤY CHỨNG NHẬN",
    certifies: "Chứng nhận đồng chí",
    unit: "Đơn vị",
    completed: "đã hoàn thành chương trình bồi dưỡng học phần",
    class: "Lớp",
    from_to: ("Thời gian học: từ ngày", "đến ngày"),
    completed_on: "Ngày hoàn thành",
    score: "Điểm",
    valid_until: "Giá trị đến ngày",
    number: "Số",
    code: "Mã xác thực",
    scan: "Quét mã để kiểm tra",
    revoked: "ĐÃ THU HỒI",
    revoked_from: "Thu hồi từ ngày",
    reason: "Lý do",
    sign_in: "DANH SÁCH KÝ TÊN",
    module: "Học phần",
    session: "Buổi",
    city_time: "giờ TP. Hồ Chí Minh",
    venue: "Địa điểm",
    instructor: "Giảng viên",
    page: "Trang",
    columns: ["STT", "Họ và tên", "Đơn vị", "Ký tên"],
    total: "Tổng số",
    nobody: "Chưa có cán bộ nào ghi danh vào lớp.",
    nobody_yours: "Không có cán bộ nào bạn được xem ghi danh vào lớp.",
};

const EN: Labels = Labels {
    city: "HO CHI MINH CITY",
    nation: "SOCIALIST REPUBLIC OF VIET NAM",
    motto: "Independence - Freedom - Happiness",
    certificate: "CERTIFICATE",
    certifies: "This certifies that",
    unit: "Unit",
    completed: "has completed the training module",
    class: "Class",
    from_to: ("Attended from", "to"),
    completed_on: "Completed on",
    score: "Score",
    valid_until: "Valid until",
    number: "No.",
    code: "Verification code",
    scan: "Scan to check",
    revoked: "REVOKED",
    revoked_from: "Revoked from",
    reason: "Reason",
    sign_in: "SIGN-IN SHEET",
    module: "Module",
    session: "Session",
    city_time: "Ho Chi Minh City time",
    venue: "Venue",
    instructor: "Instructor",
    page: "Page",
    columns: ["No.", "Full name", "Unit", "Signature"],
    total: "Total",
    nobody: "No cadre is enrolled in the class.",
    nobody_yours: "None of the cadres you may see is enrolled in the class.",
};

fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// A day as printed: `dd/mm/yyyy`.
pub fn day(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A score as printed: one decimal, with a decimal comma in Vietnamese.
fn score(s: f64, lang: Lang) -> String {
    let t = format!("{s:.1}");
    match lang {
        Lang::Vi => t.replace('.', ","),
        Lang::En => t,
    }
}

fn weekday(d: NaiveDate, lang: Lang) -> &'static str {
    match (d.weekday(), lang) {
        (Weekday::Mon, Lang::Vi) => "Thứ Hai",
        (Weekday::Tue, Lang::Vi) => "Thứ Ba",
        (Weekday::Wed, Lang::Vi) => "Thứ Tư",
        (Weekday::Thu, Lang::Vi) => "Thứ Năm",
        (Weekday::Fri, Lang::Vi) => "Thứ Sáu",
        (Weekday::Sat, Lang::Vi) => "Thứ Bảy",
        (Weekday::Sun, Lang::Vi) => "Chủ nhật",
        (Weekday::Mon, Lang::En) => "Monday",
        (Weekday::Tue, Lang::En) => "Tuesday",
        (Weekday::Wed, Lang::En) => "Wednesday",
        (Weekday::Thu, Lang::En) => "Thursday",
        (Weekday::Fri, Lang::En) => "Friday",
        (Weekday::Sat, Lang::En) => "Saturday",
        (Weekday::Sun, Lang::En) => "Sunday",
    }
}

/// Draws `text` fitted into a box (`x`, top `y`, `w` × `h`): shrunk through `sizes`, wrapped,
/// each line centred when `centre`; returns the baseline of the last line.
#[allow(clippy::too_many_arguments)]
fn boxed(
    page: &mut Page,
    text: &str,
    weight: Weight,
    ink: Ink,
    sizes: &[f32],
    (x, y, w, h): (f32, f32, f32, f32),
    centre: bool,
) -> f32 {
    let f = pdf::fit(text, weight, sizes, w, h);
    let mut base = y + f.size;
    for (i, line) in f.lines.iter().enumerate() {
        base = y + f.size + i as f32 * f.leading;
        if centre {
            page.centred(x + w / 2.0, base, f.size, weight, ink, line);
        } else {
            page.text(x, base, f.size, weight, ink, line);
        }
    }
    base
}

/// The page of one certificate (A4 landscape).
pub fn certificate_page(c: &Certificate, lang: Lang) -> Page {
    let l = labels(lang);
    let (w, h) = (A4_LONG, A4_SHORT);
    let mut p = Page::new(w, h);
    p.frame(18.0, 18.0, w - 36.0, h - 36.0, 3.0, Ink::Navy);
    p.frame(26.0, 26.0, w - 52.0, h - 52.0, 0.8, Ink::Navy);
    let cx = w / 2.0;
    let body_w = w - 160.0;

    // Header: the city and the school on the left, the nation and motto on the right.
    let (lx, rx) = (220.0, w - 220.0);
    p.centred(lx, 62.0, 10.5, Weight::Regular, Ink::Black, l.city);
    boxed(
        &mut p,
        &c.organiser.to_uppercase(),
        Weight::Bold,
        Ink::Black,
        &[11.0, 10.0, 9.0, 8.0],
        (lx - 170.0, 67.0, 340.0, 28.0),
        true,
    );
    p.centred(rx, 62.0, 11.0, Weight::Bold, Ink::Black, l.nation);
    p.centred(rx, 78.0, 10.5, Weight::Bold, Ink::Black, l.motto);
    p.rect(rx - 80.0, 83.0, 160.0, 0.6, Ink::Black);

    p.centred(cx, 140.0, 34.0, Weight::Bold, Ink::Navy, l.certificate);
    p.centred(cx, 168.0, 13.0, Weight::Regular, Ink::Black, l.certifies);
    boxed(
        &mut p,
        &c.holder,
        Weight::Bold,
        Ink::Navy,
        &[26.0, 24.0, 22.0, 20.0, 18.0, 16.0, 14.0],
        (80.0, 176.0, body_w, 34.0),
        true,
    );
    boxed(
        &mut p,
        &format!("{}: {}", l.unit, c.unit_name),
        Weight::Regular,
        Ink::Black,
        &[12.0, 11.0, 10.0, 9.0],
        (80.0, 214.0, body_w, 15.0),
        true,
    );
    p.centred(cx, 250.0, 13.0, Weight::Regular, Ink::Black, l.completed);
    let title = match lang {
        Lang::Vi => &c.module_title_vi,
        Lang::En => &c.module_title_en,
    };
    let last = boxed(
        &mut p,
        &format!("{} ({})", title, c.module_code),
        Weight::Bold,
        Ink::Black,
        &[18.0, 16.0, 14.0, 12.0, 11.0],
        (80.0, 258.0, body_w, 44.0),
        true,
    );
    let mut y = last.max(276.0) + 26.0;
    let mut line = |p: &mut Page, text: &str| {
        boxed(
            p,
            text,
            Weight::Regular,
            Ink::Black,
            &[12.0, 11.0, 10.0, 9.0],
            (80.0, y - 12.0, body_w, 15.0),
            true,
        );
        y += 18.0;
    };
    if let Some(code) = &c.class_code {
        let t = match &c.class_title {
            Some(t) if !t.trim().is_empty() => format!("{}: {code} — {t}", l.class),
            _ => format!("{}: {code}", l.class),
        };
        line(&mut p, &t);
    }
    if let Some((first, last)) = c.class_days {
        line(
            &mut p,
            &format!(
                "{} {} {} {}",
                l.from_to.0,
                day(first),
                l.from_to.1,
                day(last)
            ),
        );
    }
    let mut facts = vec![format!("{}: {}", l.completed_on, day(c.completed_on))];
    if let Some(s) = c.score {
        facts.push(format!("{}: {}", l.score, score(s, lang)));
    }
    if let Some(v) = c.valid_until {
        facts.push(format!("{}: {}", l.valid_until, day(v)));
    }
    line(&mut p, &facts.join("   ·   "));

    // A revoked certificate says so, in red, above the number and the QR code.
    if let Some(r) = &c.revoked {
        let (bx, bw) = (cx - 290.0, 580.0);
        p.frame(bx, 384.0, bw, 50.0, 2.0, Ink::Red);
        p.centred(cx, 407.0, 20.0, Weight::Bold, Ink::Red, l.revoked);
        boxed(
            &mut p,
            &format!(
                "{} {}. {}: {}",
                l.revoked_from,
                day(r.on),
                l.reason,
                r.reason
            ),
            Weight::Regular,
            Ink::Red,
            &[10.5, 9.5, 8.5, 7.5],
            (bx + 10.0, 413.0, bw - 20.0, 19.0),
            true,
        );
    }

    // Bottom left: the QR code, the number, the code and the address; bottom right: the place,
    // the day and the school.
    let (qx, qy, side) = (52.0, 446.0, 104.0);
    if let Some(items) = pdf::qr_items(&c.verify_url, qx, qy, side) {
        p.items.extend(items);
    }
    let tx = qx + side + 10.0;
    p.text(
        tx,
        468.0,
        12.0,
        Weight::Bold,
        Ink::Black,
        &format!("{}: {}", l.number, c.number),
    );
    p.text(
        tx,
        488.0,
        12.0,
        Weight::Regular,
        Ink::Black,
        &format!("{}: {}", l.code, c.code),
    );
    p.text(
        tx,
        506.0,
        9.0,
        Weight::Regular,
        Ink::Grey,
        &format!("{}:", l.scan),
    );
    boxed(
        &mut p,
        &c.verify_url,
        Weight::Regular,
        Ink::Grey,
        &[8.0, 7.0, 6.5],
        (tx, 510.0, 320.0, 36.0),
        false,
    );
    let sx = w - 200.0;
    let when = match lang {
        Lang::Vi => format!(
            "TP. Hồ Chí Minh, ngày {} tháng {} năm {}",
            c.completed_on.day(),
            c.completed_on.month(),
            c.completed_on.year()
        ),
        Lang::En => format!("Ho Chi Minh City, {}", day(c.completed_on)),
    };
    p.centred(sx, 468.0, 11.0, Weight::Regular, Ink::Black, &when);
    boxed(
        &mut p,
        &c.organiser.to_uppercase(),
        Weight::Bold,
        Ink::Black,
        &[11.0, 10.0, 9.0, 8.0],
        (sx - 140.0, 474.0, 280.0, 28.0),
        true,
    );
    p
}

/// One PDF with a page per certificate.
pub fn certificates_pdf(certs: &[Certificate], lang: Lang) -> Result<Vec<u8>, String> {
    let pages: Vec<Page> = certs.iter().map(|c| certificate_page(c, lang)).collect();
    let title = match certs {
        [one] => format!("{} {}", labels(lang).certificate, one.number),
        _ => labels(lang).certificate.to_string(),
    };
    pdf::render(&pages, &title, lang_tag(lang))
}

fn lang_tag(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    }
}

/// The sign-in table's columns: left edges and widths (A4 portrait, 40 pt margins).
const COLS: [(f32, f32); 4] = [(40.0, 32.0), (72.0, 170.0), (242.0, 178.0), (420.0, 135.28)];
/// Top of the table's header row.
const TABLE_TOP: f32 = 172.0;
/// Height of the header row.
const HEAD_H: f32 = 22.0;
/// Height of a cadre's row.
pub const ROW_H: f32 = 26.0;
/// Lowest a row may end.
const TABLE_BOTTOM: f32 = A4_LONG - 56.0;
/// Cadres per page of a sign-in sheet.
pub const ROWS_PER_PAGE: usize = ((TABLE_BOTTOM - TABLE_TOP - HEAD_H) / ROW_H) as usize;

/// The pages of a sign-in sheet (A4 portrait): [`ROWS_PER_PAGE`] cadres a page, the header on
/// every page, the total after the last row.
pub fn sign_in_pages(s: &SignInSheet, lang: Lang) -> Vec<Page> {
    let l = labels(lang);
    let chunks: Vec<&[Signer]> = if s.signers.is_empty() {
        vec![&[]]
    } else {
        s.signers.chunks(ROWS_PER_PAGE).collect()
    };
    let total_pages = chunks.len();
    let (w, h) = (A4_SHORT, A4_LONG);
    let content_w = w - 80.0;
    let mut pages = Vec::with_capacity(total_pages);
    for (n, rows) in chunks.iter().enumerate() {
        let mut p = Page::new(w, h);
        boxed(
            &mut p,
            &s.organiser.to_uppercase(),
            Weight::Bold,
            Ink::Black,
            &[10.0, 9.0, 8.0],
            (40.0, 38.0, 380.0, 14.0),
            false,
        );
        p.right(
            w - 40.0,
            48.0,
            9.0,
            Weight::Regular,
            Ink::Grey,
            &format!("{} {}/{}", l.page, n + 1, total_pages),
        );
        p.centred(w / 2.0, 84.0, 18.0, Weight::Bold, Ink::Navy, l.sign_in);
        let head = |p: &mut Page, text: &str, top: f32, weight: Weight| {
            boxed(
                p,
                text,
                weight,
                Ink::Black,
                &[10.5, 9.5, 8.5, 7.5],
                (40.0, top, content_w, 13.0),
                true,
            );
        };
        head(
            &mut p,
            &format!("{} {} — {}", l.class, s.class_code, s.class_title),
            92.0,
            Weight::Bold,
        );
        head(
            &mut p,
            &format!("{}: {} — {}", l.module, s.module_code, s.module_title),
            108.0,
            Weight::Regular,
        );
        head(
            &mut p,
            &format!(
                "{} {}/{}: {}, {}, {}–{} ({})",
                l.session,
                s.session_no,
                s.sessions,
                weekday(s.day, lang),
                day(s.day),
                s.starts,
                s.ends,
                l.city_time
            ),
            124.0,
            Weight::Bold,
        );
        head(
            &mut p,
            &format!(
                "{}: {}   ·   {}: {}",
                l.venue, s.venue, l.instructor, s.instructor
            ),
            140.0,
            Weight::Regular,
        );
        // The table: header row, then the cadres.
        let table_w = COLS[3].0 + COLS[3].1 - COLS[0].0;
        p.rect(COLS[0].0, TABLE_TOP, table_w, HEAD_H, Ink::Navy);
        for (i, (x, cw)) in COLS.iter().enumerate() {
            boxed(
                &mut p,
                l.columns[i],
                Weight::Bold,
                Ink::White,
                &[9.5, 8.5, 7.5],
                (x + 3.0, TABLE_TOP + 4.0, cw - 6.0, HEAD_H - 6.0),
                true,
            );
        }
        let first = n * ROWS_PER_PAGE;
        let mut y = TABLE_TOP + HEAD_H;
        for (i, r) in rows.iter().enumerate() {
            let cells = [
                (first + i + 1).to_string(),
                r.full_name.clone(),
                r.unit_name.clone(),
            ];
            for (c, text) in cells.iter().enumerate() {
                let (x, cw) = COLS[c];
                let f = pdf::fit(
                    text,
                    Weight::Regular,
                    &[10.0, 9.0, 8.0, 7.0, 6.5],
                    cw - 8.0,
                    ROW_H - 6.0,
                );
                // Centred vertically in the row.
                let block = f.size + (f.lines.len() as f32 - 1.0) * f.leading;
                let top = y + (ROW_H - block) / 2.0 - 1.0;
                for (k, line) in f.lines.iter().enumerate() {
                    let base = top + f.size + k as f32 * f.leading - 1.5;
                    if c == 0 {
                        p.centred(
                            x + cw / 2.0,
                            base,
                            f.size,
                            Weight::Regular,
                            Ink::Black,
                            line,
                        );
                    } else {
                        p.text(x + 4.0, base, f.size, Weight::Regular, Ink::Black, line);
                    }
                }
            }
            y += ROW_H;
            p.rect(COLS[0].0, y - 0.4, table_w, 0.4, Ink::Grey);
        }
        if rows.is_empty() {
            p.text(
                COLS[0].0 + 4.0,
                y + 18.0,
                10.0,
                Weight::Regular,
                Ink::Grey,
                if s.scoped { l.nobody_yours } else { l.nobody },
            );
            y += ROW_H;
        }
        // Column rules down to the last row.
        for (x, _) in COLS.iter().skip(1) {
            p.rect(
                *x - 0.2,
                TABLE_TOP + HEAD_H,
                0.4,
                y - TABLE_TOP - HEAD_H,
                Ink::Grey,
            );
        }
        p.rect(
            COLS[0].0,
            TABLE_TOP + HEAD_H,
            0.6,
            y - TABLE_TOP - HEAD_H,
            Ink::Grey,
        );
        p.rect(
            COLS[0].0 + table_w - 0.6,
            TABLE_TOP + HEAD_H,
            0.6,
            y - TABLE_TOP - HEAD_H,
            Ink::Grey,
        );
        if n + 1 == total_pages {
            p.text(
                COLS[0].0,
                y + 20.0,
                10.0,
                Weight::Bold,
                Ink::Black,
                &format!("{}: {}", l.total, s.signers.len()),
            );
        }
        pages.push(p);
    }
    pages
}

/// A sign-in sheet as one PDF.
pub fn sign_in_pdf(s: &SignInSheet, lang: Lang) -> Result<Vec<u8>, String> {
    let title = format!("{} {}", labels(lang).sign_in, s.class_code);
    pdf::render(&sign_in_pages(s, lang), &title, lang_tag(lang))
}

/// Sample data for the tests and the benchmark: a certificate of a long-named cadre, and a
/// class of `n` cadres.
pub mod sample {
    use super::*;

    const FAMILY: [&str; 8] = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng",
    ];
    const MIDDLE: [&str; 6] = ["Thị", "Văn", "Ngọc", "Minh", "Hữu", "Thị Thanh"];
    const GIVEN: [&str; 9] = [
        "Hoa",
        "Bình",
        "Dũng",
        "Phượng",
        "Khánh",
        "Tường Vi",
        "Quốc",
        "Yến",
        "Đức",
    ];
    const UNITS: [&str; 5] = [
        "Phường Bến Nghé",
        "Phường Tân Định",
        "Xã Bình Hưng",
        "Phường Sài Gòn",
        "Ủy ban Mặt trận Tổ quốc Việt Nam phường Võ Thị Sáu",
    ];

    /// The `i`-th sample name.
    pub fn name(i: usize) -> String {
        format!(
            "{} {} {}",
            FAMILY[i % FAMILY.len()],
            MIDDLE[(i / 8) % MIDDLE.len()],
            GIVEN[(i / 3) % GIVEN.len()]
        )
    }

    /// A certificate.
    pub fn certificate(i: usize) -> Certificate {
        let number = format!("TCB-2026-{:06}", i + 1);
        Certificate {
            verify_url: format!("http://127.0.0.1:8000/#/verify/{number}?code=ABCDEFGHJK"),
            number,
            code: "ABCDEFGHJK".into(),
            holder: name(i),
            unit_name: UNITS[i % UNITS.len()].into(),
            module_code: "DV-03".into(),
            module_title_vi: "Kỹ năng vận động quần chúng nhân dân".into(),
            module_title_en: "Skills of mobilising the people".into(),
            class_code: Some("DV03-2026-01".into()),
            class_title: Some("Lớp bồi dưỡng kỹ năng dân vận khóa 1".into()),
            organiser: "Trường Cán bộ thành phố".into(),
            class_days: NaiveDate::from_ymd_opt(2026, 8, 3)
                .zip(NaiveDate::from_ymd_opt(2026, 8, 7)),
            completed_on: NaiveDate::from_ymd_opt(2026, 8, 7).expect("a day"),
            score: Some(8.5),
            valid_until: NaiveDate::from_ymd_opt(2031, 8, 6),
            revoked: None,
        }
    }

    /// A sign-in sheet of `n` cadres.
    pub fn sheet(n: usize) -> SignInSheet {
        SignInSheet {
            class_code: "DV03-2026-01".into(),
            class_title: "Lớp bồi dưỡng kỹ năng dân vận khóa 1".into(),
            organiser: "Trường Cán bộ thành phố".into(),
            module_code: "DV-03".into(),
            module_title: "Kỹ năng vận động quần chúng nhân dân".into(),
            session_no: 2,
            sessions: 5,
            day: NaiveDate::from_ymd_opt(2026, 8, 4).expect("a day"),
            starts: "08:00".into(),
            ends: "11:30".into(),
            venue: "Hội trường A, 1 Lê Duẩn".into(),
            instructor: "TS. Võ Văn Kiệt".into(),
            signers: (0..n)
                .map(|i| Signer {
                    full_name: name(i),
                    unit_name: UNITS[i % UNITS.len()].into(),
                })
                .collect(),
            scoped: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pdf::Item;
    use super::*;

    /// Every text item lies inside the page (and, for the table, inside its column).
    fn inside(p: &Page) {
        for i in &p.items {
            if let Item::Text {
                x,
                size,
                weight,
                text,
                ..
            } = i
            {
                let w = pdf::width(text, *weight, *size);
                assert!(
                    *x >= 30.0 && x + w <= p.width - 30.0,
                    "{text:?} at {x} ({w} wide)"
                );
            }
        }
    }

    #[test]
    fn a_certificate_shows_what_it_certifies() {
        let c = sample::certificate(0);
        let p = certificate_page(&c, Lang::Vi);
        let all: Vec<&str> = p.texts().collect();
        for want in [
            "GIẤY CHỨNG NHẬN",
            "Nguyễn Thị Hoa",
            "Đơn vị: Phường Bến Nghé",
            "Kỹ năng vận động quần chúng nhân dân (DV-03)",
            "Số: TCB-2026-000001",
            "Mã xác thực: ABCDEFGHJK",
            "Thời gian học: từ ngày 03/08/2026 đến ngày 07/08/2026",
            "TP. Hồ Chí Minh, ngày 7 tháng 8 năm 2026",
        ] {
            assert!(
                all.iter().any(|t| t.contains(want)),
                "{want:?} not in {all:?}"
            );
        }
        assert!(!all.iter().any(|t| t.contains("THU HỒI")));
        inside(&p);
        let en = certificate_page(&c, Lang::En);
        assert!(en.texts().any(|t| t == "CERTIFICATE"));
        assert!(en
            .texts()
            .any(|t| t.contains("Skills of mobilising the people")));
    }

    #[test]
    fn a_revoked_certificate_says_so() {
        let mut c = sample::certificate(1);
        c.revoked = Some(Revocation {
            on: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            reason: "Hồ sơ không hợp lệ".into(),
        });
        let p = certificate_page(&c, Lang::Vi);
        assert!(p.texts().any(|t| t == "ĐÃ THU HỒI"));
        assert!(p
            .texts()
            .any(|t| t == "Thu hồi từ ngày 01/09/2026. Lý do: Hồ sơ không hợp lệ"));
        inside(&p);
    }

    #[test]
    fn long_names_and_titles_stay_on_the_page() {
        let mut c = sample::certificate(2);
        c.holder =
            "Tôn Nữ Thị Hoàng Phương Thảo Nguyên Khánh Ngọc Bảo Châu Huyền Trân Diễm Kiều".into();
        c.module_title_vi = "Công tác dân vận của cơ quan nhà nước, chính quyền các cấp trong tình hình mới; \
            kỹ năng tiếp công dân, đối thoại, giải quyết khiếu nại, tố cáo và phản ánh, kiến nghị của nhân dân"
            .into();
        c.unit_name =
            "Ủy ban Mặt trận Tổ quốc Việt Nam phường Võ Thị Sáu, Thành phố Hồ Chí Minh".repeat(3);
        c.revoked = Some(Revocation {
            on: c.completed_on,
            reason: "Lý do rất dài ".repeat(40),
        });
        inside(&certificate_page(&c, Lang::Vi));
        let mut s = sample::sheet(3);
        s.signers[0].full_name = c.holder.clone();
        s.signers[1].unit_name = c.unit_name.clone();
        s.venue = "Hội trường ".repeat(30);
        let pages = sign_in_pages(&s, Lang::Vi);
        assert_eq!(pages.len(), 1);
        inside(&pages[0]);
        // The long name is wrapped (or shrunk) within its column.
        for i in &pages[0].items {
            if let Item::Text {
                x,
                size,
                weight,
                text,
                ..
            } = i
            {
                if c.holder.contains(text.as_str()) && text.len() > 10 {
                    let (cx, cw) = COLS[1];
                    assert!(
                        *x >= cx && x + pdf::width(text, *weight, *size) <= cx + cw,
                        "{text}"
                    );
                }
            }
        }
    }

    #[test]
    fn sixty_cadres_fill_three_pages_each_with_the_header() {
        let s = sample::sheet(60);
        let pages = sign_in_pages(&s, Lang::Vi);
        assert_eq!(pages.len(), 60usize.div_ceil(ROWS_PER_PAGE));
        assert!(pages.len() >= 2);
        let mut listed = Vec::new();
        for (n, p) in pages.iter().enumerate() {
            let texts: Vec<&str> = p.texts().collect();
            assert!(texts.contains(&"DANH SÁCH KÝ TÊN"), "page {n}");
            assert!(texts.contains(&"Lớp DV03-2026-01 — Lớp bồi dưỡng kỹ năng dân vận khóa 1"));
            assert!(texts
                .iter()
                .any(|t| t.starts_with("Buổi 2/5: Thứ Ba, 04/08/2026, 08:00–11:30")));
            assert!(texts
                .iter()
                .any(|t| t.starts_with("Địa điểm: Hội trường A")));
            assert!(texts.contains(&"Ký tên"));
            assert!(texts.contains(&format!("Trang {}/{}", n + 1, pages.len()).as_str()));
            listed.extend(
                texts
                    .iter()
                    .filter(|t| s.signers.iter().any(|r| r.full_name == **t))
                    .map(|t| t.to_string()),
            );
            inside(p);
        }
        let names: Vec<String> = s.signers.iter().map(|r| r.full_name.clone()).collect();
        assert_eq!(listed, names);
        assert!(pages.last().unwrap().texts().any(|t| t == "Tổng số: 60"));
        let bytes = sign_in_pdf(&s, Lang::Vi).unwrap();
        assert!(bytes.starts_with(b"%PDF"));
    }

    #[test]
    fn an_empty_sheet_is_one_page() {
        let pages = sign_in_pages(&sample::sheet(0), Lang::En);
        assert_eq!(pages.len(), 1);
        assert!(pages[0].texts().any(|t| t == "SIGN-IN SHEET"));
        assert!(pages[0].texts().any(|t| t == "Total: 0"));
    }

    #[test]
    fn a_batch_shares_its_fonts() {
        let one = certificates_pdf(&[sample::certificate(0)], Lang::Vi).unwrap();
        let certs: Vec<Certificate> = (0..3).map(sample::certificate).collect();
        let three = certificates_pdf(&certs, Lang::Vi).unwrap();
        assert!(three.starts_with(b"%PDF"));
        // The fonts are embedded once: three pages cost far less than three documents.
        assert!(
            three.len() < 2 * one.len(),
            "{} vs {}",
            three.len(),
            one.len()
        );
    }
}
