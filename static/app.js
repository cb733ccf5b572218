// Single-page app: hash routes, a layout per role, Vietnamese first with an English switch.
import { t, lang, setLang, date, dateTime, num, today, gapReason, unitThen } from "./i18n.js";
import { h, api, session, field, onSubmit, table, statusBadge, section, notice, ApiError, verifyHref, pdfLink } from "./core.js";
import { reportView, compareView, reqLabel, levelNames, reasonCatalogue } from "./report.js";
import { classesView, newClassView, classView, demandView, modulesView } from "./school.js";
import { rosterView, accountsView, auditView, orgName } from "./admin.js";
import { standardsView } from "./standards.js";
import { importView } from "./transfer.js";
import { cadreRecordView } from "./record.js";
import { expiringView } from "./expiring.js";
import { noticesView, refreshUnread } from "./notices.js";

const NAV = {
  admin: [["#/home", "nav_home"], ["#/accounts", "nav_accounts"], ["#/audit", "nav_audit"], ["#/report", "nav_report"], ["#/standards", "nav_standards"], ["#/classes", "nav_classes"], ["#/roster", "nav_roster"], ["#/import", "nav_import"]],
  school: [["#/home", "nav_classes"], ["#/classes/new", "nav_new_class"], ["#/demand", "nav_demand"], ["#/modules", "nav_modules"], ["#/expiring", "nav_expiring"], ["#/roster", "nav_roster"], ["#/import", "nav_import"]],
  commission: [["#/home", "nav_report"], ["#/compare", "nav_compare"], ["#/standards", "nav_standards"], ["#/demand", "nav_demand"]],
  officer: [["#/home", "nav_roster"], ["#/import", "nav_import"], ["#/classes", "nav_classes"], ["#/expiring", "nav_expiring"], ["#/report", "nav_report"]],
  cadre: [["#/home", "nav_me"]],
};

const HOMES = {
  admin: adminHome,
  school: (q) => classesView(q, "home_school"),
  commission: (q) => reportView(q, "home_commission"),
  officer: (q) => rosterView(q, "home_officer"),
  cadre: meView,
};

const ROUTES = [
  [/^\/login$/, loginView, true],
  [/^\/verify(?:\/(.+))?$/, verifyView, true],
  [/^\/home$/, (q) => HOMES[session.account.role](q)],
  [/^\/me$/, meView],
  [/^\/report$/, (q) => reportView(q)],
  [/^\/compare$/, compareView],
  [/^\/classes$/, (q) => classesView(q)],
  [/^\/classes\/new$/, newClassView],
  [/^\/class\/([^/]+)$/, classView],
  [/^\/demand$/, demandView],
  [/^\/modules$/, modulesView],
  [/^\/roster$/, (q) => rosterView(q)],
  [/^\/cadre\/(\d+)$/, cadreRecordView],
  [/^\/expiring$/, expiringView],
  [/^\/accounts$/, accountsView],
  [/^\/audit$/, auditView],
  [/^\/standards$/, standardsView],
  [/^\/import$/, importView],
  [/^\/password$/, passwordView],
  [/^\/notices$/, noticesView],
];

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/home";
  const [path, query] = raw.split("?");
  return { path, query: new URLSearchParams(query || "") };
}

function layout() {
  document.documentElement.lang = lang();
  document.title = t("app_long");
  document.getElementById("brand").textContent = t("app_title");
  document.getElementById("skip-link").textContent = t("skip");
  const langBtn = document.getElementById("lang");
  langBtn.textContent = t("lang_switch");
  langBtn.setAttribute("lang", lang() === "vi" ? "en" : "vi");
  document.getElementById("foot-verify").textContent = t("verify");
  const inbox = document.getElementById("inbox-link");
  document.getElementById("inbox-label").textContent = t("notices");
  inbox.hidden = !session.account;
  inbox.setAttribute("aria-current", parseHash().path === "/notices" ? "page" : "false");
  if (session.account) refreshUnread();
  const pw = document.getElementById("password-link");
  pw.textContent = t("change_password");
  pw.hidden = !session.account;
  const out = document.getElementById("logout");
  out.textContent = t("logout");
  out.hidden = !session.account;
  const who = document.getElementById("who");
  who.textContent = session.account ? `${session.account.username} · ${t("role_" + session.account.role)}` : "";
  const nav = document.getElementById("nav");
  nav.replaceChildren();
  if (session.account) {
    const cur = "#" + parseHash().path;
    for (const [href, key] of NAV[session.account.role] || []) {
      nav.append(h("a", { href, text: t(key), "aria-current": href === cur ? "page" : null }));
    }
  }
}

let renderSeq = 0;
let currentHash = null;
let rendered = 0;

async function render() {
  const seq = ++renderSeq;
  const view = document.getElementById("view");
  const { path, query } = parseHash();
  currentHash = location.hash;
  if (session.token && !session.account) {
    try { session.account = await api("GET", "/api/auth/me"); } catch (_) { session.token = null; }
  }
  let match = null;
  for (const [re, fn, pub] of ROUTES) {
    const m = re.exec(path);
    if (m) { match = { fn, pub, args: m.slice(1) }; break; }
  }
  if (!match) match = { fn: () => h("h1", { text: t("not_found") }), pub: true, args: [] };
  if (!match.pub && !session.account) { location.hash = "#/login"; return; }
  if (path === "/login" && session.account) { location.hash = "#/home"; return; }
  layout();
  view.replaceChildren(h("p", { class: "loading", text: t("loading") }));
  let node;
  try {
    node = await match.fn(query, ...match.args.map((a) => a && decodeURIComponent(a)));
  } catch (e) {
    if (!(e instanceof ApiError)) console.error(e);
    node = h("div", {}, h("h1", { text: t("error_generic") }), notice(e.message, "err"));
  }
  if (seq !== renderSeq) return;
  view.replaceChildren(node);
  view.dataset.route = path;
  // After a route change (not the first page), move the keyboard focus to the new page.
  if (rendered++ > 0 && !view.contains(document.activeElement)) view.focus({ preventScroll: true });
  const h1 = view.querySelector("h1");
  if (h1) document.title = h1.textContent + " — " + t("app_title");
}

export function rerender() { render(); }

function loginView() {
  const user = h("input", { autocomplete: "username", required: true, autocapitalize: "none" });
  const pass = h("input", { type: "password", autocomplete: "current-password", required: true });
  const form = h("form", { id: "login-form", class: "narrow card", novalidate: true },
    h("h1", { text: t("login") }),
    h("p", { text: t("login_intro") }),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    field(t("username"), user, "username"),
    field(t("password"), pass, "password"),
    h("button", { type: "submit", class: "primary", text: t("login") }),
    h("p", {}, h("a", { href: "#/verify", text: t("verify") })));
  return onSubmit(form, async () => {
    const res = await api("POST", "/api/auth/login", { username: user.value.trim(), password: pass.value });
    session.token = res.token;
    session.account = res.account;
    location.hash = "#/home";
  });
}

function verifyView(q, no) {
  const input = h("input", { value: no || "", autocomplete: "off", autocapitalize: "characters", required: true });
  const codeInput = h("input", { value: q.get("code") || "", autocomplete: "off", autocapitalize: "characters", spellcheck: "false", maxlength: 16 });
  const out = h("div", { id: "verify-result", "aria-live": "polite" });
  const form = h("form", { id: "verify-form", class: "card narrow", novalidate: true },
    h("h1", { text: t("verify") }),
    h("p", { text: t("verify_intro") }),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    field(t("certificate_no"), input, "certificate_no"),
    field(t("certificate_code"), codeInput, "code", t("certificate_code_hint")),
    h("button", { type: "submit", class: "primary", text: t("check") }));
  const look = async () => {
    const code = codeInput.value.trim();
    const c = await api("GET", "/api/certificates/" + encodeURIComponent(input.value.trim()) + (code ? "?code=" + encodeURIComponent(code) : ""));
    const title = lang() === "en" ? c.module_title_en : c.module_title_vi;
    const holder = c.verified
      ? [h("dt", { text: t("holder") }), h("dd", { id: "verify-holder", "data-verified": "true" }, c.holder_name, h("small", { class: "hint", text: " — " + t("holder_verified_note") })),
        h("dt", { text: t("class") }), h("dd", { text: c.class_code || "—" })]
      : [h("dt", { text: t("holder") }), h("dd", { id: "verify-holder", "data-verified": "false" }, c.holder_name_masked, h("small", { class: "hint", text: " — " + t("holder_masked_note") }))];
    out.replaceChildren(h("dl", { class: "facts card cert-" + c.status },
      h("dt", { text: t("certificate_no") }), h("dd", { text: c.certificate_no }),
      h("dt", { text: t("status") }), h("dd", {}, statusBadge(c.status)),
      ...holder,
      h("dt", { text: t("module") }), h("dd", { text: `${c.module_code} — ${title}` }),
      h("dt", { text: t("completed_on") }), h("dd", { text: date(c.completed_on) }),
      h("dt", { text: t("valid_until") }), h("dd", { text: c.valid_until ? date(c.valid_until) : "—" }),
      ...(c.revoked_on ? [h("dt", { text: t("revoked_on") }), h("dd", { id: "verify-revoked-on", text: date(c.revoked_on) })] : [])));
  };
  onSubmit(form, async () => {
    out.replaceChildren();
    // The code stays out of the address bar (and so out of the browser's history).
    history.replaceState(null, "", "#/verify/" + encodeURIComponent(input.value.trim()));
    await look();
  });
  if (no) look().catch((e) => out.replaceChildren(notice(e.message, "err")));
  if (q.get("code")) history.replaceState(null, "", "#/verify/" + encodeURIComponent(no || ""));
  return h("div", {}, form, out);
}

/** Changing one's own password: the current one, the new one twice; the server's rules on refusal. */
function passwordView() {
  const current = h("input", { type: "password", autocomplete: "current-password", required: true });
  const next = h("input", { type: "password", autocomplete: "new-password", required: true });
  const again = h("input", { type: "password", autocomplete: "new-password", required: true });
  const rules = session.account.role === "cadre" ? t("password_rules_cadre") : t("password_rules_staff");
  const done = h("div", { id: "password-msg", "aria-live": "polite" });
  const form = h("form", { id: "password-form", class: "narrow card", novalidate: true },
    h("h1", { text: t("change_password") }),
    h("p", { class: "hint", id: "password-rules", text: rules }),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    field(t("current_password"), current, "current_password"),
    field(t("new_password"), next, "new_password", rules),
    field(t("new_password_again"), again, "new_password_again"),
    h("button", { type: "submit", class: "primary", text: t("change_password") }));
  onSubmit(form, async () => {
    done.replaceChildren();
    if (!current.value) throw new ApiError(422, { error: { message: t("required"), field: "current_password" } });
    if (next.value !== again.value) throw new ApiError(422, { error: { message: t("passwords_differ"), field: "new_password_again" } });
    const res = await api("POST", "/api/auth/password", { current_password: current.value, new_password: next.value });
    // Every earlier session of the account has ended; this one goes on with the new token.
    session.token = res.token;
    session.account = res.account;
    current.value = next.value = again.value = "";
    done.replaceChildren(notice(t("password_changed")));
  });
  return h("div", { id: "password-page" }, form, done);
}

function adminHome() {
  const cards = [["#/accounts", "nav_accounts"], ["#/audit", "nav_audit"], ["#/report", "nav_report"], ["#/standards", "nav_standards"], ["#/classes", "nav_classes"], ["#/roster", "nav_roster"], ["#/import", "nav_import"], ["#/verify", "verify"], ["#/password", "change_password"]];
  return h("div", { "data-home": "admin" },
    h("h1", { id: "home-title", text: t("home_admin") }),
    h("ul", { class: "tiles" }, cards.map(([href, key]) => h("li", {}, h("a", { href, class: "tile", text: t(key) })))));
}

function titleName(tp) { return lang() === "en" ? tp.title_name_en : tp.title_name_vi; }

/** The cadre's own record: profile, titles, qualifications, completions, gaps with classes. */
async function meView() {
  const [r, levels, reasons] = await Promise.all([api("GET", "/api/me"), levelNames(), reasonCatalogue()]);
  const levelName = (q) => { const l = levels[q.scale + "/" + q.level]; return l ? l[lang() === "en" ? 1 : 0] : q.level_name_vi; };
  const root = h("div", { "data-home": session.account.role === "cadre" ? "cadre" : null, id: "my-record" },
    h("h1", { id: "home-title", text: t("home_cadre") }));
  if (!r.cadre) { root.append(notice(t("no_cadre"), "warn")); return root; }
  const c = r.cadre.cadre || r.cadre;
  const msg = h("div", { "aria-live": "polite", id: "me-msg" });
  root.append(msg);
  root.append(section(t("profile"), h("dl", { class: "facts" },
    h("dt", { text: t("name") }), h("dd", { text: c.full_name, id: "me-name" }),
    h("dt", { text: t("unit") }), h("dd", { text: c.unit_name }),
    h("dt", { text: t("organisation") }), h("dd", { text: orgName(c.organisation) }),
    h("dt", { text: t("gender") }), h("dd", { text: t("g_" + c.gender) }),
    h("dt", { text: t("birth_date") }), h("dd", { text: date(c.birth_date) }),
    h("dt", { text: t("ethnicity") }), h("dd", { text: c.ethnicity }),
    h("dt", { text: t("party_joined") }), h("dd", { text: date(c.party_joined_on) }))));

  // Gaps first: what the cadre lacks and the classes that close it.
  const enrol = async (code, btn) => {
    btn.disabled = true;
    try {
      const e = await api("POST", `/api/classes/${encodeURIComponent(code)}/enrolments`, {});
      msg.replaceChildren(notice(e.status === "waitlisted" ? t("waitlisted_ok", code, e.position) : t("enrolled_ok", code)));
      setTimeout(rerender, 1200);
    } catch (e) {
      msg.replaceChildren(notice(e.message, "err"));
      btn.disabled = false;
    }
  };
  const gaps = h("div", { id: "gaps" });
  // Classes the cadre is already in show their status instead of an enrol button.
  const mine = Object.fromEntries(r.enrolments.map((e) => [e.class_code, e.status]));
  const titleOf = (code) => { const p = r.cadre.titles.concat(r.cadre.plans).find((x) => x.title_code === code); return p ? titleName(p) : code; };
  // Where the cadre stands against each title, then one list of the requirements: each once,
  // saying which titles need it, with its open classes once (a requirement several titles share
  // no longer repeats, nor do its enrol buttons).
  const titleLabel = (g) => `${titleOf(g.title_code)} (${t("pop_" + g.population)})`;
  if (r.gaps.length) {
    gaps.append(h("ul", { class: "title-standing", id: "title-standing" }, r.gaps.map((g) => h("li", { "data-title": g.title_code },
      h("strong", { text: titleLabel(g) + " " }),
      h("span", { class: "badge " + (g.meets ? "b-valid" : "b-revoked"), text: g.meets === null ? t("no_standard") : g.meets ? t("meets") : t("short") }),
      g.standard_version ? h("small", { text: ` (${t("standard_version")} ${g.standard_version})` }) : null))));
  }
  const byKey = new Map();
  for (const g of r.gaps) {
    for (const req of g.requirements) {
      const k = (req.met ? "met:" : "unmet:") + req.key;
      const e = byKey.get(k) || { req, met: req.met, titles: [], reasons: [], classes: new Map() };
      if (!e.titles.includes(titleLabel(g))) e.titles.push(titleLabel(g));
      const why = gapReason(req, reasons);
      if (why && !e.reasons.includes(why)) e.reasons.push(why);
      for (const oc of req.open_classes || []) e.classes.set(oc.class_code, oc);
      byKey.set(k, e);
    }
  }
  const offered = new Set();
  const line = (e) => h("li", { class: e.met ? "met" : "unmet", "data-key": e.req.key },
    h("span", { class: "mark", "aria-hidden": "true", text: e.met ? "✓" : "✗" }),
    h("span", { class: "sr", text: e.met ? t("met") : t("not_met") }),
    " ", h("span", { class: "reason", "data-code": e.req.code, text: e.reasons.join("; ") }),
    h("span", { class: "needed-by", text: t("needed_by", e.titles.join(", ")) }),
    e.classes.size ? h("ul", { class: "suggest" }, [...e.classes.values()].map((oc) => h("li", { class: "suggested-class" },
      `${t("open_classes")}: `, h("strong", { text: oc.class_code }), ` — ${oc.title} (${t("seats_left")}: ${num(oc.seats_left)}) `,
      // A free seat: enrol; a full class: ask for a place on its waitlist.
      mine[oc.class_code] ? statusBadge(mine[oc.class_code])
        // A class closing two requirements keeps one button, on the first of them.
        : offered.has(oc.class_code) ? h("span", { class: "hint", text: t("offered_above") })
        : offered.add(oc.class_code) && h("button", { type: "button", class: "small enrol-btn" + (oc.seats_left > 0 ? "" : " request-btn"), "data-class": oc.class_code,
          text: oc.seats_left > 0 ? t("enrol") : t("request_place"), "aria-label": `${oc.seats_left > 0 ? t("enrol") : t("request_place")} ${oc.class_code}`,
          onclick: (ev) => enrol(oc.class_code, ev.currentTarget) }))))
      : !e.met && /^(module|min_level):/.test(e.req.key) ? h("p", { class: "hint no-class", text: t("no_open_class") }) : null);
  const entries = [...byKey.values()];
  const missing = entries.filter((e) => !e.met), met = entries.filter((e) => e.met);
  if (r.gaps.length) {
    gaps.append(h("h3", { text: t("missing_title") }),
      missing.length ? h("ul", { class: "checks", id: "missing" }, missing.map(line)) : h("p", { id: "missing", text: t("nothing_missing") }));
    if (met.length) gaps.append(h("details", { id: "met" }, h("summary", { text: `${t("met_title")} (${num(met.length)})` }), h("ul", { class: "checks" }, met.map(line))));
  }
  if (!r.gaps.length) gaps.append(h("p", { text: t("none") }));
  root.append(section(t("my_gaps"), gaps));

  // A waitlist ends with its class: still waiting when the class is over or cancelled is "not placed".
  const over = (e) => e.class_status === "finished" || e.class_status === "cancelled";
  const enrolment = (e) => (e.status === "waitlisted" && over(e) ? h("span", { class: "badge b-removed", text: t("not_placed") }) : statusBadge(e.status));
  // A finished class says how the seat ended (passed but too few sessions: no completion).
  root.append(section(t("my_enrolments"), r.enrolments.length ? table([t("class"), t("class_status"), t("status"), t("position"), t("outcome")],
    r.enrolments.map((e) => h("tr", { "data-class": e.class_code }, h("td", { text: e.class_code }), h("td", { class: "class-status" }, statusBadge(e.class_status)),
      h("td", { class: "enrolment-status" }, enrolment(e)), h("td", { text: e.position ? num(e.position) : "—" }),
      h("td", { class: "enrolment-outcome", text: e.outcome ? t("oc_" + e.outcome) : "—" }))), { id: "my-enrolments" }) : h("p", { text: t("none") })));
  root.append(section(t("upcoming"), r.upcoming_sessions.length ? table([t("when"), t("class"), t("venue")],
    r.upcoming_sessions.map((s) => h("tr", { class: s.cancelled ? "cancelled" : null }, h("td", { text: dateTime(s.starts_at) + "–" + dateTime(s.ends_at).slice(11) }), h("td", { text: s.summary }), h("td", { text: s.venue })))) : h("p", { text: t("none") })));

  // The link is shown once, when made: only a hash of its token is kept.
  const feedBox = h("div", { id: "feed" });
  const showFeed = (path) => {
    const url = location.origin + path;
    feedBox.replaceChildren(h("p", { text: t("calendar_hint") }), h("p", {}, h("a", { href: url, text: url, class: "feed-link" })));
  };
  if (r.calendar_feed) feedBox.append(h("p", { text: t("calendar_exists", date(r.calendar_feed.created_at.slice(0, 10))) }));
  feedBox.append(h("button", { type: "button", text: t(r.calendar_feed ? "calendar_remake" : "calendar_make"), onclick: async () => {
    try { const f = await api("POST", "/api/me/calendar-token"); showFeed(f.path); } catch (e) { feedBox.append(notice(e.message, "err")); }
  } }));
  root.append(section(t("calendar_feed"), feedBox));

  const now = today();
  const current = (p) => !p.to_date || p.to_date >= now;
  const periods = (list, cls) => list.length ? h("ul", { class: cls || null }, list.map((p) => h("li", {},
    h("strong", { text: titleName(p) }), ` — ${unitThen(p)} (${t("from")} ${date(p.from_date)}${p.to_date ? " " + t("to").toLowerCase() + " " + date(p.to_date) : ""})`))) : h("p", { text: t("none") });
  const past = r.cadre.titles.filter((p) => !current(p));
  root.append(h("div", { class: "cols" },
    section(t("titles_held"), periods(r.cadre.titles.filter(current))),
    section(t("titles_planned"), periods(r.cadre.plans.filter(current)))));
  if (past.length) root.append(h("details", { class: "card" }, h("summary", { text: `${t("past_titles")} (${num(past.length)})` }), periods(past, "past")));
  root.append(section(t("qualifications"), r.cadre.qualifications.length ? table([t("scale"), t("level"), t("obtained_on")],
    r.cadre.qualifications.map((q) => h("tr", {}, h("td", { text: reqLabel("min_level:" + q.scale) }), h("td", { text: levelName(q) }), h("td", { text: date(q.obtained_on) })))) : h("p", { text: t("none") })));
  root.append(section(t("completions"), r.completions.length ? table([t("module"), t("completed_on"), t("certificate_no"), t("certificate_code"), t("valid_until"), t("status"), t("certificates")],
    r.completions.map((x) => h("tr", {}, h("td", { text: `${x.module_code} — ${lang() === "en" ? x.module_title_en : x.module_title_vi}` }), h("td", { text: date(x.completed_on) }),
      h("td", {}, x.certificate_no ? h("a", { href: verifyHref(x.certificate_no, x.certificate_code), text: x.certificate_no }) : "—"),
      h("td", { class: "cert-code", text: x.certificate_code || "—" }),
      h("td", { text: x.valid_until ? date(x.valid_until) : "—" }), h("td", {}, statusBadge(x.status)),
      h("td", {}, x.certificate_no ? pdfLink(`/api/certificates/${encodeURIComponent(x.certificate_no)}/pdf`, `${x.certificate_no}.pdf`, t("cert_pdf"),
        { "aria-label": `${t("cert_pdf")} ${x.certificate_no}`, "data-cert": x.certificate_no }) : "—")))) : h("p", { text: t("none") })));
  return root;
}

function init() {
  setLang(lang());
  document.getElementById("lang").addEventListener("click", () => {
    setLang(lang() === "vi" ? "en" : "vi");
    render();
  });
  document.getElementById("logout").addEventListener("click", () => {
    session.token = null;
    session.account = null;
    location.hash = "#/login";
  });
  // A hash already being shown is not rendered twice (e.g. a double click on a link).
  window.addEventListener("hashchange", () => { if (location.hash !== currentHash) render(); });
  render();
}

init();
