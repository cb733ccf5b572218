// Training school: classes (list, month calendar), new class with sessions, class page
// (enrolments, waitlist, attendance, results, completions), training demand, curriculum.
import { t, lang, num, date, dateTime, time, cityDay, today, addDays, parseDate } from "./i18n.js";
import { h, api, qs, field, dateInput, readDate, onSubmit, table, statusBadge, section, notice, clearErrors, showError, session, ApiError, verifyHref, pager, pdfLink } from "./core.js";
import { exportButtons } from "./transfer.js";
import { NEXT, statusActions, detailsSection, scheduleSection, cancelledNote } from "./classedit.js";

const modTitle = (m) => (lang() === "en" ? m.module_title_en || m.title_en : m.module_title_vi || m.title_vi);

/** Rows per page of the class list (unless the address asks for another `limit`). */
const PAGE = 50;

/** Class list (paged) with a month or week calendar of every session. */
export async function classesView(q, homeKey) {
  const month = q.get("month") || today().slice(0, 7);
  const route = homeKey ? "#/home" : "#/classes";
  // The list is paged (`offset`, `limit` in the address); the calendar shows every class with a
  // session in the weeks it draws, asked for by date.
  const limit = Math.min(Math.max(Number(q.get("limit")) || PAGE, 1), 500);
  const offset = Math.max(Number(q.get("offset")) || 0, 0);
  const isWeek = q.get("view") === "week";
  const mondayOf = (iso) => addDays(iso, -((new Date(iso + "T00:00:00Z").getUTCDay() + 6) % 7));
  const calFrom = isWeek ? mondayOf(q.get("week") || today()) : mondayOf(month + "-01");
  const calTo = addDays(calFrom, isWeek ? 7 : 42);
  const [list, cal] = await Promise.all([
    api("GET", "/api/classes" + qs({ limit, offset })),
    api("GET", "/api/classes" + qs({ from: calFrom, to: calTo, limit: 500 })),
  ]);
  const items = list.items;
  const canEdit = ["school", "admin"].includes(session.account.role);
  const keep = { month: q.get("month"), view: q.get("view"), week: q.get("week"), limit: q.get("limit") };
  const pages = pager(list, items.length, (o) => { location.hash = route + qs({ ...keep, offset: o || null }); }, "classes-pager");
  const root = h("div", { "data-home": homeKey ? "school" : null, id: "classes" },
    h("h1", { id: "home-title", text: homeKey ? t(homeKey) : t("classes") }),
    canEdit ? h("p", {}, h("a", { href: "#/classes/new", class: "button primary", id: "new-class-link", text: t("nav_new_class") })) : null);
  root.append(section(t("classes"),
    h("p", { class: "actions" }, h("span", { text: t("export_classes") + ":" }), exportButtons("/api/exports/classes", { lang: lang() }, "classes", "export-classes")),
    pages,
    table([t("code"), t("module"), t("status"), t("capacity"), t("enrolled_n"), t("waitlisted_n"), t("sessions")],
    items.map((c) => h("tr", { "data-class": c.code },
      h("td", {}, h("a", { href: "#/class/" + encodeURIComponent(c.code), text: c.code })),
      h("td", { text: `${c.module_code} — ${c.title}` }), h("td", {}, statusBadge(c.status)),
      h("td", { class: "num", text: num(c.capacity) }), h("td", { class: "num", text: num(c.enrolled) }), h("td", { class: "num", text: num(c.waitlisted) }),
      h("td", { text: c.sessions && c.sessions.length ? date(cityDay(c.sessions[0].starts_at)) + (c.sessions.length > 1 ? ` (+${c.sessions.length - 1})` : "") : "—" }))))));

  const byDay = {};
  for (const c of cal.items) for (const s of c.sessions || []) (byDay[cityDay(s.starts_at)] = byDay[cityDay(s.starts_at)] || []).push({ c, s });
  for (const k of Object.keys(byDay)) byDay[k].sort((a, b) => a.s.starts_at.localeCompare(b.s.starts_at));
  const dayNames = lang() === "en" ? ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] : ["T2", "T3", "T4", "T5", "T6", "T7", "CN"];
  const monday = (iso) => addDays(iso, -((new Date(iso + "T00:00:00Z").getUTCDay() + 6) % 7));
  if (q.get("view") === "week") {
    const start = monday(q.get("week") || today());
    const days = [0, 1, 2, 3, 4, 5, 6].map((i) => addDays(start, i));
    root.append(section(`${t("week")} ${date(start)} – ${date(days[6])}`,
      h("p", { class: "actions" }, h("a", { href: route + qs({ view: "week", week: addDays(start, -7) }), text: "← " + t("prev") }),
        h("a", { href: route + qs({ view: "week", week: addDays(start, 7) }), text: t("next") + " →" }),
        h("a", { href: route + qs({ month: start.slice(0, 7) }), text: t("view_month") })),
      h("ol", { class: "week", id: "week-calendar" }, days.map((d, i) => h("li", { "data-day": d },
        h("h3", { text: `${dayNames[i]} ${date(d)}` }),
        (byDay[d] || []).length ? h("ul", {}, byDay[d].map(({ c, s }) => h("li", {},
          h("a", { href: "#/class/" + encodeURIComponent(c.code), text: `${time(s.starts_at)}–${time(s.ends_at)} ${c.code}` }),
          ` ${c.title} · ${s.venue} · ${s.instructor}`))) : h("p", { class: "hint", text: t("none") }))))));
    return root;
  }
  // Month calendar: weeks as rows, Monday first.
  const first = month + "-01";
  let day = monday(first);
  const weeks = [];
  for (let w = 0; w < 6; w++) {
    const cells = [];
    for (let i = 0; i < 7; i++) {
      const ev = byDay[day] || [];
      cells.push(h("td", { class: day.slice(0, 7) === month ? "in" : "out", "data-day": day },
        h("span", { class: "daynum", text: String(+day.slice(8)) }),
        ev.map(({ c, s }) => h("a", { class: "ev", href: "#/class/" + encodeURIComponent(c.code), title: `${c.title} · ${s.venue} · ${s.instructor}` }, `${time(s.starts_at)} ${c.code}`))));
      day = addDays(day, 1);
    }
    weeks.push(h("tr", {}, cells));
    if (day.slice(0, 7) > month) break;
  }
  const [y, m] = month.split("-").map(Number);
  const shift = (n) => { const d = new Date(Date.UTC(y, m - 1 + n, 1)); return d.toISOString().slice(0, 7); };
  root.append(section(`${t("calendar")} ${String(m).padStart(2, "0")}/${y}`,
    h("p", { class: "actions" }, h("a", { href: route + qs({ month: shift(-1) }), text: "← " + t("prev") }), h("a", { href: route + qs({ month: shift(1) }), text: t("next") + " →" }),
      h("a", { href: route + qs({ view: "week", week: Object.keys(byDay).filter((d) => d.startsWith(month)).sort()[0] || first }), text: t("view_week") })),
    h("div", { class: "table-wrap" }, h("table", { class: "month", id: "month-calendar" },
      h("thead", {}, h("tr", {}, dayNames.map((n) => h("th", { scope: "col", text: n })))), h("tbody", {}, weeks)))));
  return root;
}

export function sessionRow(rows, s) {
  const i = rows.children.length;
  const dIn = dateInput(s.date), st = h("input", { value: s.start || "08:00", inputmode: "numeric", class: "time", placeholder: "HH:MM" }),
    en = h("input", { value: s.end || "11:30", inputmode: "numeric", class: "time", placeholder: "HH:MM" }),
    ve = h("input", { value: s.venue || "" }), ins = h("input", { value: s.instructor || "" });
  // An end before the start is on the next day (an evening session past midnight), said beside it.
  const hm = (inp) => (/^\d{1,2}:\d{2}$/.test(inp.value.trim()) ? inp.value.trim().padStart(5, "0") : null);
  const overnight = () => hm(st) !== null && hm(en) !== null && hm(en) < hm(st);
  const nextDay = h("span", { class: "hint next-day", text: t("ends_next_day") });
  const mark = () => { nextDay.hidden = !overnight(); };
  st.addEventListener("input", mark);
  en.addEventListener("input", mark);
  mark();
  const row = h("fieldset", { class: "session-row", "data-field": `sessions[${i}]` },
    h("legend", { text: `${t("sessions")} ${i + 1}` }),
    field(t("date"), dIn, `sessions[${i}].date`), field(t("start"), st, `sessions[${i}].starts_at`), field(t("end"), en, `sessions[${i}].ends_at`), nextDay,
    field(t("venue"), ve, `sessions[${i}].venue`), field(t("instructor"), ins, `sessions[${i}].instructor`),
    h("button", { type: "button", class: "small", text: t("remove"), onclick: () => { row.remove(); renumber(rows); } }),
    h("span", { class: "field-error row-error", role: "alert" }));
  row.read = () => {
    const name = row.dataset.field;
    const d = readDate(dIn, name + ".date");
    const tm = (inp, f) => {
      if (!/^\d{1,2}:\d{2}$/.test(inp.value.trim())) throw new ApiError(422, { error: { message: t("bad_time"), field: `${name}.${f}` } });
      return inp.value.trim().padStart(5, "0");
    };
    const [from, to] = [tm(st, "starts_at"), tm(en, "ends_at")];
    return { starts_at: `${d}T${from}`, ends_at: `${to < from ? addDays(d, 1) : d}T${to}`, venue: ve.value, instructor: ins.value };
  };
  rows.append(row);
}

function renumber(rows) {
  [...rows.children].forEach((row, i) => {
    const old = row.dataset.field;
    row.dataset.field = `sessions[${i}]`;
    row.querySelector("legend").textContent = `${t("sessions")} ${i + 1}`;
    row.querySelectorAll("[data-field]").forEach((f) => { f.dataset.field = f.dataset.field.replace(old, `sessions[${i}]`); });
  });
}

/** A new class with its sessions; `?module=` preselects the module (from training demand). */
export async function newClassView(q) {
  const mods = await api("GET", "/api/modules?active=true");
  const modules = mods.items || mods;
  const pre = q.get("module") || "";
  const code = h("input", { required: true, autocapitalize: "characters" });
  const module = h("select", {}, modules.map((m) => h("option", { value: m.code, text: `${m.code} — ${lang() === "en" ? m.title_en : m.title_vi}`, selected: m.code === pre })));
  const title = h("input", {});
  const organiser = h("input", { value: "Trường Cán bộ thành phố" });
  const capacity = h("input", { type: "number", min: 1, value: q.get("capacity") || 30, inputmode: "numeric" });
  const opens = dateInput(today()), closes = dateInput(addDays(today(), 30));
  const openNow = h("input", { type: "checkbox", checked: true });
  const rows = h("div", { class: "sessions" });
  const start = addDays(today(), 35);
  sessionRow(rows, { date: start });
  const form = h("form", { id: "class-form", class: "card", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "grid2" },
      field(t("code"), code, "code"), field(t("module"), module, "module_code"), field(t("class_title"), title, "title"),
      field(t("organiser"), organiser, "organiser"), field(t("capacity"), capacity, "capacity"),
      field(t("enrol_opens"), opens, "enrol_opens", t("date_hint")), field(t("enrol_closes"), closes, "enrol_closes", t("date_hint"))),
    h("h2", { text: t("sessions") }), rows,
    h("p", {}, h("button", { type: "button", id: "add-session", text: t("add_session"), onclick: () => {
      const last = rows.lastElementChild;
      const prev = last ? parseDate(last.querySelector("input.date").value) : null;
      sessionRow(rows, { date: prev ? addDays(prev, 1) : start });
    } })),
    h("label", { class: "check" }, openNow, " " + t("open_after")),
    h("p", {}, h("button", { type: "submit", class: "primary", text: t("create_class") })));
  onSubmit(form, async () => {
    const body = {
      code: code.value.trim().toUpperCase(), module_code: module.value, organiser: organiser.value,
      capacity: Number(capacity.value), enrol_opens: readDate(opens, "enrol_opens"), enrol_closes: readDate(closes, "enrol_closes"),
      sessions: [...rows.children].map((r) => r.read()),
    };
    if (title.value.trim()) body.title = title.value.trim();
    const c = await api("POST", "/api/classes", body);
    if (openNow.checked) await api("POST", `/api/classes/${encodeURIComponent(c.code)}/status`, { status: "open" });
    location.hash = "#/class/" + encodeURIComponent(c.code) + "?created=1";
  });
  return h("div", { id: "new-class" }, h("h1", { text: t("nav_new_class") }), form);
}


/** One class: sessions, enrolled list and waitlist, enrol/withdraw, attendance, results, certificates. */
export async function classView(q, code) {
  const enc = encodeURIComponent(code);
  const c = await api("GET", "/api/classes/" + enc);
  const staff = ["school", "admin"].includes(session.account.role);
  const capLine = h("dd", { id: "class-capacity" });
  const root = h("div", { id: "class-page", "data-class": c.code },
    h("h1", {}, `${c.code} — ${c.title} `, statusBadge(c.status)));
  const msg = h("div", { id: "class-msg", "aria-live": "polite" });
  if (q.get("created")) msg.append(notice(t("class_created", c.code)));
  root.append(msg);
  root.append(section(t("sessions"), h("dl", { class: "facts" },
    h("dt", { text: t("module") }), h("dd", { text: `${c.module_code} — ${modTitle(c)} (v${c.module_version})` }),
    h("dt", { text: t("organiser") }), h("dd", { text: c.organiser }),
    h("dt", { text: t("capacity") }), capLine,
    h("dt", { text: t("enrol_opens") }), h("dd", { text: `${date(c.enrol_opens)} – ${date(c.enrol_closes)}` }),
    h("dt", { text: t("class_feed") }), h("dd", {}, h("a", { href: `/api/classes/${enc}/calendar.ics`, text: `${location.origin}/api/classes/${enc}/calendar.ics` }))),
  table([t("when"), t("venue"), t("instructor"), ...(staff ? [t("sign_in_sheet")] : [])], c.sessions.map((s) => h("tr", {}, h("td", { text: `${dateTime(s.starts_at)}–${time(s.ends_at)}` }), h("td", { text: s.venue }), h("td", { text: s.instructor }),
    staff ? h("td", {}, pdfLink(`/api/classes/${enc}/sessions/${s.id}/sign-in.pdf`, `${c.code}-sign-in.pdf`, t("sign_in_pdf"),
      { "aria-label": `${t("sign_in_pdf")} ${dateTime(s.starts_at)}`, "data-session": s.id })) : null)))));

  const why = cancelledNote(c);
  if (why) root.append(why);
  if (staff && NEXT[c.status].length) root.append(statusActions(c, enc, msg));
  if (q.get("saved")) msg.append(notice(t("saved")));

  const lists = h("div", { id: "enrolments" });
  // The enrolled list and the waitlist are paged apart (`limit` in the address, default 50), and
  // a name search narrows both.
  const limit = Math.min(Math.max(Number(q.get("limit")) || 50, 1), 500);
  const view = { q: "", enrolled: 0, waitlisted: 0 };
  const listQ = h("input", { type: "search", autocomplete: "off", id: "enrolment-q" });
  const listSearch = h("form", { class: "filters", role: "search", id: "enrolment-search", novalidate: true },
    field(t("find_in_list"), listQ, "q"), h("button", { type: "submit", text: t("search") }));
  // A search is not a write: a new one may be asked while the last is still loading (the latest
  // wins, see `load`), so the button stays enabled.
  listSearch.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearErrors(listSearch);
    view.q = listQ.value.trim(); view.enrolled = 0; view.waitlisted = 0;
    load().catch((e) => showError(listSearch, e));
  });
  const unitCell = (e) => h("td", { title: e.unit_code }, e.unit_name || e.unit_code);
  const draw = (enrolledPage, waitingPage, promotedIds) => {
    const row = (e) => h("tr", { "data-cadre": e.cadre_id, "data-enrolment": e.id, class: promotedIds.includes(e.id) ? "promoted" : null },
      e.position ? h("td", { class: "num", text: num(e.position) }) : null,
      h("td", { text: e.full_name }), unitCell(e), h("td", { text: t("src_" + e.source) }),
      h("td", {}, ["open", "planned", "running"].includes(c.status) && session.account.role !== "commission"
        ? h("button", { type: "button", class: "small withdraw", text: t("withdraw"), "aria-label": `${t("withdraw")} ${e.full_name}`, onclick: () => askWithdraw(e) }) : null));
    const counts = enrolledPage;
    capLine.textContent = `${num(counts.enrolled)} / ${num(counts.capacity)} (${t("waitlisted_n")}: ${num(counts.waitlisted)})`;
    const turn = (key) => (o) => { view[key] = o; load().catch((err) => msg.replaceChildren(notice(err.message, "err"))); };
    lists.replaceChildren(
      h("h3", { text: `${t("enrolled_list")} (${num(counts.enrolled)} / ${num(counts.capacity)})` }),
      table([t("name"), t("unit"), t("source"), t("action")], enrolledPage.items.map(row), { id: "enrolled-table" }),
      pager(enrolledPage, enrolledPage.items.length, turn("enrolled"), "enrolled-pager"),
      h("h3", { text: `${t("waitlist")} (${num(counts.waitlisted)})` }),
      table([t("position"), t("name"), t("unit"), t("source"), t("action")], waitingPage.items.map(row), { id: "waitlist-table" }),
      pager(waitingPage, waitingPage.items.length, turn("waitlisted"), "waitlist-pager"));
  };
  const page = (status) => api("GET", `/api/classes/${enc}/enrolments` + qs({ status, q: view.q, limit, offset: view[status] }));
  // Who the last withdrawal promoted stays highlighted on whatever page shows them.
  let promotedIds = [];
  // Only the latest load draws: an earlier one answered late (a slow search, cleared since) would
  // show a list nobody asks for any more.
  let loads = 0;
  const load = async (promoted) => {
    const mine = ++loads;
    if (promoted) promotedIds = promoted;
    let pages;
    try { pages = await Promise.all([page("enrolled"), page("waitlisted")]); } catch (e) { if (mine === loads) throw e; return; }
    if (mine === loads) draw(pages[0], pages[1], promotedIds);
  };
  const withdraw = async (e, reason) => {
    const after = await api("POST", `/api/classes/${enc}/enrolments/${e.id}/withdraw`, { reason });
    const promoted = after.items.filter((x) => after.promoted.includes(x.id));
    msg.replaceChildren(notice(t("withdrawn_ok", e.full_name)), ...promoted.map((p) => notice(t("promoted", p.full_name))));
    await load(after.promoted);
  };
  // Withdrawing asks first, with the reason (kept in the audit trail).
  const askWithdraw = (e) => {
    const reason = h("textarea", { rows: 2, maxlength: 500, required: true });
    const dlg = h("dialog", { class: "confirm", id: "withdraw-dialog", "aria-labelledby": "withdraw-title" });
    const form = h("form", { novalidate: true },
      h("h2", { id: "withdraw-title", text: t("withdraw_confirm", e.full_name, c.code) }),
      h("p", { class: "form-error", role: "alert", hidden: true }),
      field(t("withdraw_reason"), reason, "reason", t("withdraw_reason_hint")),
      h("p", { class: "actions" },
        h("button", { type: "submit", class: "primary", text: t("withdraw") }),
        h("button", { type: "button", class: "cancel", text: t("cancel"), onclick: () => dlg.close() })));
    onSubmit(form, async () => {
      if (!reason.value.trim()) throw new ApiError(422, { error: { message: t("withdraw_reason_needed"), field: "reason" } });
      await withdraw(e, reason.value.trim());
      dlg.close();
    });
    dlg.append(form);
    dlg.addEventListener("close", () => dlg.remove());
    document.body.append(dlg);
    dlg.showModal();
    reason.focus();
  };

  if (c.status === "open" && session.account.role !== "commission") {
    const search = h("input", { type: "search", autocomplete: "off" });
    const pick = h("select", {}, h("option", { value: "", text: "—" }));
    // The cadres found, 20 at a time: the position shown, "more" adds the next 20 to the choice.
    const foundPos = h("span", { class: "hint", id: "enrol-found", role: "status" });
    const moreBtn = h("button", { type: "button", class: "small", id: "enrol-more", hidden: true, text: t("more") });
    // As for the lists: only the latest search (or "more") fills the choice.
    let finds = 0;
    const found = async (append) => {
      const mine = ++finds;
      const offset = append ? pick.options.length : 0;
      const r = await api("GET", "/api/cadres" + qs({ q: search.value.trim(), limit: 20, offset }));
      if (mine !== finds) return;
      const opts = r.items.map((x) => h("option", { value: x.id, text: `${x.full_name} — ${x.unit_name}` }));
      if (append) pick.append(...opts); else pick.replaceChildren(...opts);
      const shown = pick.options.length;
      foundPos.textContent = shown ? t("page_pos", num(1), num(shown), num(r.total)) : t("none");
      moreBtn.hidden = shown >= r.total;
    };
    moreBtn.addEventListener("click", () => found(true).catch((e) => msg.replaceChildren(notice(e.message, "err"))));
    search.addEventListener("input", () => { clearTimeout(search.timer); search.timer = setTimeout(() => found().catch(() => {}), 250); });
    const form = h("form", { class: "filters", id: "enrol-form", novalidate: true },
      field(t("find_cadre"), search, "q"), field(t("choose_cadre"), pick, "cadre_id"),
      h("button", { type: "submit", class: "primary", text: t("enrol") }), foundPos, moreBtn);
    form.found = found;
    onSubmit(form, async () => {
      const e = await api("POST", `/api/classes/${enc}/enrolments`, { cadre_id: Number(pick.value) });
      msg.replaceChildren(notice(e.status === "waitlisted" ? t("waitlisted_ok", c.code, e.position) : t("enrolled_ok", c.code)));
      await load();
    });
    root.append(section(t("enrol"), form));
  }
  root.append(section(t("enrolled_list"), listSearch, lists));
  await load();

  if (staff && ["planned", "open", "running"].includes(c.status)) root.append(detailsSection(c, enc), scheduleSection(c, enc));
  if (staff && ["running", "finished"].includes(c.status)) root.append(await attendanceSection(c, enc, msg));
  if (staff && c.status === "finished") root.append(await completionsSection(enc));
  return root;
}

async function attendanceSection(c, enc, msg) {
  const grid = await api("GET", `/api/classes/${enc}/attendance`);
  const editable = c.status !== "finished";
  const form = h("form", { id: "attendance-form", novalidate: true });
  const sel = {};
  const head = [t("name"), ...grid.sessions.map((s) => dateTime(s.starts_at).slice(0, 10)), t("score"), t("passed")];
  // Passed but under the class's share of sessions: finishing records no completion (said here).
  const short = (r) => r.passed === true && !r.enough_attendance
    ? [" ", h("span", { class: "badge b-removed att-short", text: t("oc_attendance_short"), title: t("attendance_short_hint", c.min_attendance_pct) })] : null;
  const body = grid.rows.map((r) => h("tr", { "data-enrolment": r.enrolment_id }, h("th", { scope: "row" }, r.full_name, short(r)),
    grid.sessions.map((s) => {
      const v = r.marks[s.id] || "";
      // Attendance is taken once a session has started (the server decides; this only guides).
      const ahead = new Date(s.starts_at) > new Date();
      const select = h("select", { "aria-label": `${r.full_name} ${dateTime(s.starts_at)}`, disabled: !editable || ahead, title: ahead ? t("session_ahead") : null, "data-session": s.id },
        h("option", { value: "", text: "—" }), ["present", "absent", "excused"].map((a) => h("option", { value: a, text: t("a_" + a), selected: v === a })));
      (sel[s.id] = sel[s.id] || []).push([r.enrolment_id, select]);
      return h("td", {}, select);
    }),
    h("td", {}, h("input", { type: "number", min: 0, max: 10, step: "0.1", class: "score", value: r.score ?? "", "aria-label": `${t("score")} ${r.full_name}`, disabled: !editable, "data-enrolment": r.enrolment_id })),
    h("td", {}, h("input", { type: "checkbox", class: "passed", checked: r.passed === true, "aria-label": `${t("passed")} ${r.full_name}`, disabled: !editable, "data-enrolment": r.enrolment_id }))));
  form.append(table(head, body));
  // (Node.append writes a null as the text "null": only an editable grid gets its button.)
  if (editable) form.append(h("p", { class: "actions" }, h("button", { type: "submit", class: "primary", text: t("save_attendance") + " / " + t("save_results") })));
  onSubmit(form, async () => {
    for (const s of grid.sessions) {
      const records = (sel[s.id] || []).filter(([, x]) => x.value).map(([id, x]) => ({ enrolment_id: id, status: x.value }));
      if (records.length) await api("PUT", `/api/classes/${enc}/sessions/${s.id}/attendance`, { records });
    }
    const results = [...form.querySelectorAll("input.passed")].map((cb) => {
      const score = form.querySelector(`input.score[data-enrolment="${cb.dataset.enrolment}"]`).value;
      return { enrolment_id: Number(cb.dataset.enrolment), passed: cb.checked, score: score === "" ? null : Number(score) };
    });
    if (results.length) await api("PUT", `/api/classes/${enc}/results`, { results });
    msg.replaceChildren(notice(t("saved")));
  });
  return section(t("attendance") + " · " + t("results"), form);
}

async function completionsSection(enc) {
  const list = await api("GET", `/api/classes/${enc}/completions`);
  const items = list.items || list;
  const all = items.some((x) => x.certificate_no)
    ? h("p", { class: "actions" }, pdfLink(`/api/classes/${enc}/certificates.pdf`, `${decodeURIComponent(enc)}-certificates.pdf`, t("certs_pdf_all"), { id: "certs-pdf-all" }))
    : null;
  return section(t("certificates"), all, table([t("name"), t("certificate_no"), t("certificate_code"), t("completed_on"), t("status"), t("cert_pdf"), ""], items.map((x) => {
    const reason = h("input", { "aria-label": t("revoke_reason"), placeholder: t("revoke_reason") });
    const cell = h("td", {});
    if (x.status !== "revoked" && x.certificate_no) {
      const f = h("form", { class: "inline", novalidate: true }, h("span", { "data-field": "reason" }, reason, h("span", { class: "field-error", role: "alert" })),
        h("button", { type: "submit", class: "small", text: t("revoke") }));
      onSubmit(f, async () => { await api("POST", `/api/certificates/${encodeURIComponent(x.certificate_no)}/revoke`, { reason: reason.value }); location.hash = `#/class/${enc}?r=${x.id}`; });
      cell.append(f);
    }
    return h("tr", {}, h("td", { text: x.full_name }), h("td", {}, x.certificate_no ? h("a", { href: verifyHref(x.certificate_no, x.certificate_code), text: x.certificate_no }) : "—"),
      h("td", { class: "cert-code", text: x.certificate_code || "—" }),
      h("td", { text: date(x.completed_on) }), h("td", {}, statusBadge(x.status)),
      h("td", {}, x.certificate_no ? pdfLink(`/api/certificates/${encodeURIComponent(x.certificate_no)}/pdf`, `${x.certificate_no}.pdf`, "PDF",
        { "aria-label": `PDF ${x.certificate_no}`, "data-cert": x.certificate_no }) : "—"), cell);
  })));
}

/** Training demand from the gap reports, with "schedule a class for this module". */
export async function demandView(q) {
  const unit = q.get("unit") || "";
  const [d, mods] = await Promise.all([api("GET", "/api/reports/training-demand" + qs({ unit })), api("GET", "/api/modules")]);
  const titles = Object.fromEntries((mods.items || mods).map((m) => [m.code, lang() === "en" ? m.title_en : m.title_vi]));
  const staff = ["school", "admin"].includes(session.account.role);
  return h("div", { id: "demand" }, h("h1", { text: t("demand") + ` (${date(d.as_of)})` }),
    h("p", { class: "hint", text: t("demand_hint") }),
    h("p", { class: "actions" }, h("span", { text: t("nav_demand") + ":" }), exportButtons("/api/reports/training-demand/export", { unit, lang: lang() }, "training-demand", "export-demand")),
    table([t("module"), t("needed"), t("seats_planned"), t("enrolled_needing"), t("seats_free"), t("remaining"), ""], d.modules.map((m) => h("tr", { "data-module": m.module_code },
      h("td", {}, `${m.module_code} — ${titles[m.module_code] || m.module_title_vi}`,
        m.by_unit && m.by_unit.length ? h("details", { class: "by-unit" }, h("summary", { text: t("by_unit") }),
          h("ul", {}, m.by_unit.map((u) => h("li", { text: `${u.unit_name || u.unit_code}: ${num(u.needed)}` })))) : null),
      h("td", { class: "num", text: num(m.needed) }),
      h("td", { class: "num", text: num(m.seats_planned) }), h("td", { class: "num", text: num(m.enrolled) }),
      h("td", { class: "num", text: num(m.seats_free) }), h("td", { class: "num", text: num(m.remaining) }),
      h("td", {}, staff && m.remaining > 0 ? h("a", { class: "button small", href: "#/classes/new" + qs({ module: m.module_code, capacity: Math.min(m.remaining, 60) }), text: t("schedule_class") }) : null)))));
}

const AUDIENCES = {
  mass_mobilisation_staff: ["Cán bộ dân vận", "Mass-mobilisation staff"],
  front_and_organisations: ["Cán bộ Mặt trận, đoàn thể", "Front and organisation cadres"],
  civil_servants: ["CBCCVC", "Civil servants"],
  armed_forces: ["Lực lượng vũ trang", "Armed forces"],
};

/** A module form: new (m = null) or an edit of m (its code fixed). */
function moduleForm(m, done, modules) {
  const v = m || { title_vi: "", title_en: "", periods: 4, description: "", audiences: ["mass_mobilisation_staff"], prerequisites: [], validity_years: null, awards: null, active: true };
  const code = h("input", { value: m ? m.code : "", disabled: !!m, autocapitalize: "characters" });
  const tv = h("input", { value: v.title_vi }), te = h("input", { value: v.title_en }), p = h("input", { type: "number", min: 1, value: v.periods });
  const desc = h("textarea", { rows: 2 }, v.description);
  const vy = h("input", { type: "number", min: 1, value: v.validity_years ?? "" }), act = h("input", { type: "checkbox", checked: v.active });
  const aud = Object.keys(AUDIENCES).map((k) => [k, h("input", { type: "checkbox", checked: v.audiences.includes(k), value: k })]);
  // Prerequisites: any other module (a cycle is refused by the API, naming the prerequisite).
  const pre = (modules || []).filter((x) => !m || x.code !== m.code)
    .map((x) => [x.code, h("input", { type: "checkbox", checked: v.prerequisites.includes(x.code), value: x.code }), lang() === "en" ? x.title_en : x.title_vi]);
  const form = h("form", { class: "card", id: "module-form", novalidate: true }, h("h2", { text: m ? `${t("edit")} ${m.code} (v${m.version})` : t("new_module") }),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "grid2" }, field(t("code"), code, "code"), field(t("periods"), p, "periods"), field(t("title_vi"), tv, "title_vi"), field(t("title_en"), te, "title_en"),
      field(t("description"), desc, "description"), field(t("valid_years"), vy, "validity_years")),
    h("fieldset", { "data-field": "audiences" }, h("legend", { text: t("audiences") }),
      aud.map(([k, cb]) => h("label", { class: "check" }, cb, " " + AUDIENCES[k][lang() === "en" ? 1 : 0])), h("span", { class: "field-error", role: "alert" })),
    h("fieldset", { "data-field": "prerequisites", class: "prerequisites" }, h("legend", { text: t("prerequisites") }),
      pre.map(([k, cb, title]) => h("label", { class: "check" }, cb, ` ${k} — ${title}`)), h("span", { class: "field-error", role: "alert" })),
    h("label", { class: "check" }, act, " " + t("active")),
    h("p", {}, h("button", { type: "submit", class: "primary", text: t("save") })));
  onSubmit(form, async () => {
    const body = { title_vi: tv.value, title_en: te.value, periods: Number(p.value), description: desc.value, audiences: aud.filter(([, cb]) => cb.checked).map(([k]) => k),
      prerequisites: pre.filter(([, cb]) => cb.checked).map(([k]) => k), validity_years: vy.value === "" ? null : Number(vy.value), awards: v.awards, active: act.checked };
    if (m) await api("PUT", "/api/modules/" + encodeURIComponent(m.code), body);
    else await api("POST", "/api/modules", { ...body, code: code.value.trim().toUpperCase() || null });
    done();
  });
  return form;
}

/** A programme form: new (pr = null; a code not yet used) or an edit of pr (its code fixed). */
function programmeForm(pr, modules, existing, done) {
  const v = pr || { code: "", name_vi: "", name_en: "", description: "", modules: [], active: true };
  const code = h("input", { value: v.code, disabled: !!pr, autocapitalize: "characters" });
  const nv = h("input", { value: v.name_vi }), ne = h("input", { value: v.name_en }), desc = h("textarea", { rows: 2 }, v.description || "");
  const act = h("input", { type: "checkbox", checked: v.active });
  const boxes = modules.map((m) => [m.code, h("input", { type: "checkbox", value: m.code, checked: v.modules.includes(m.code) })]);
  const form = h("form", { class: "card", id: "programme-form", novalidate: true }, h("h2", { text: pr ? `${t("edit")} ${pr.code}` : t("new_programme") }),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "grid2" }, field(t("code"), code, "code"), field(t("title_vi"), nv, "name_vi"), field(t("title_en"), ne, "name_en"), field(t("description"), desc, "description")),
    h("fieldset", { "data-field": "modules", class: "mod-boxes" }, h("legend", { text: t("modules") }),
      boxes.map(([c, cb]) => h("label", { class: "check" }, cb, " " + c)), h("span", { class: "field-error", role: "alert" })),
    h("label", { class: "check" }, act, " " + t("active")),
    h("p", {}, h("button", { type: "submit", class: "primary", text: t("save") })));
  onSubmit(form, async () => {
    const c = pr ? pr.code : code.value.trim().toUpperCase();
    if (!c) throw new ApiError(422, { error: { message: t("required"), field: "code" } });
    // PUT creates or replaces: a new programme must not silently replace an existing one.
    if (!pr && existing.includes(c)) throw new ApiError(409, { error: { message: t("code_taken", c), field: "code" } });
    await api("PUT", "/api/programmes/" + encodeURIComponent(c), { name_vi: nv.value, name_en: ne.value, description: desc.value,
      modules: boxes.filter(([, cb]) => cb.checked).map(([m]) => m), active: act.checked });
    done();
  });
  return form;
}

/** Curriculum: modules (create, edit) and programmes (edit). */
export async function modulesView(q) {
  const [mods, progs] = await Promise.all([api("GET", "/api/modules"), api("GET", "/api/programmes")]);
  const modules = mods.items || mods;
  const programmes = progs.items || progs;
  const staff = ["school", "admin"].includes(session.account.role);
  const root = h("div", { id: "modules" }, h("h1", { text: t("nav_modules") }), h("div", { id: "modules-msg", "aria-live": "polite" }, q && q.get("saved") ? notice(t("saved")) : null));
  const editor = h("div", { id: "module-editor" });
  const done = () => { location.hash = "#/modules?saved=" + Date.now(); };
  const open = (form) => { editor.replaceChildren(form); form.querySelector("input:not([disabled])").focus(); };
  if (staff) root.append(h("p", {}, h("button", { type: "button", id: "new-module", class: "primary", text: t("new_module"), onclick: () => open(moduleForm(null, done, modules)) })));
  root.append(section(t("modules"), table([t("code"), t("module"), t("periods"), t("valid_years"), t("active"), ""], modules.map((m) => h("tr", { "data-module": m.code },
    h("td", { text: m.code }), h("td", { text: lang() === "en" ? m.title_en : m.title_vi }), h("td", { class: "num", text: num(m.periods) }),
    h("td", { class: "num", text: m.validity_years ? num(m.validity_years) : "—" }), h("td", { text: m.active ? "✓" : "—" }),
    h("td", {}, staff ? h("button", { type: "button", class: "small edit", "aria-label": `${t("edit")} ${m.code}`, text: t("edit"), onclick: () => open(moduleForm(m, done, modules)) }) : null))))));
  const codes = programmes.map((pr) => pr.code);
  root.append(section(t("programmes"),
    staff ? h("p", {}, h("button", { type: "button", id: "new-programme", class: "primary", text: t("new_programme"), onclick: () => open(programmeForm(null, modules, codes, done)) })) : null,
    table([t("code"), t("programmes"), t("modules"), t("periods"), t("active"), ""], programmes.map((pr) => h("tr", { "data-programme": pr.code },
      h("td", { text: pr.code }), h("td", { text: lang() === "en" ? pr.name_en : pr.name_vi }), h("td", { text: pr.modules.join(", ") }), h("td", { class: "num", text: num(pr.periods) }),
      h("td", { text: pr.active ? "✓" : "—" }),
      h("td", {}, staff ? h("button", { type: "button", class: "small edit", "aria-label": `${t("edit")} ${pr.code}`, text: t("edit"), onclick: () => open(programmeForm(pr, modules, codes, done)) }) : null))))));
  root.append(editor);
  return root;
}

export { showError };
