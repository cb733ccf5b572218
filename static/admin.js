// Unit officer: roster (diacritics-insensitive search), add/edit cadres, nominate.
// Administrator: accounts, unit import, successor import (check, then import), audit-log viewer.
import { t, tOr, lang, num, date, dateTime, parseDate, addDays } from "./i18n.js";
import { h, api, qs, field, dateInput, readDate, onSubmit, table, notice, session, showError, ApiError, pager, reveal, takesEnrolments } from "./core.js";
import { exportButtons, problems } from "./transfer.js";

const ORGS = {
  fatherland_front: ["Mặt trận Tổ quốc", "Fatherland Front"],
  youth_union: ["Đoàn TNCS Hồ Chí Minh", "Youth Union"],
  womens_union: ["Hội Liên hiệp Phụ nữ", "Women's Union"],
  farmers_association: ["Hội Nông dân", "Farmers' Association"],
  veterans_association: ["Hội Cựu chiến binh", "Veterans' Association"],
  labour_federation: ["Liên đoàn Lao động", "Labour Federation"],
  mass_mobilisation_commission: ["Ban Dân vận", "Mass Mobilisation Commission"],
  government: ["Chính quyền (CBCCVC)", "Government (civil servants)"],
  armed_forces: ["Lực lượng vũ trang", "Armed forces"],
};
export const orgName = (o) => (ORGS[o] || [o, o])[lang() === "en" ? 1 : 0];

function cadreForm(c, onDone) {
  const v = c || {};
  const name = h("input", { value: v.full_name || "", required: true, autocomplete: "off" });
  const gender = h("select", {}, ["female", "male", "other"].map((g) => h("option", { value: g, text: t("g_" + g), selected: v.gender === g })));
  const birth = dateInput(v.birth_date);
  const eth = h("input", { value: v.ethnicity || "Kinh" });
  const party = dateInput(v.party_joined_on);
  const pid = h("input", { value: v.personal_id || "", inputmode: "numeric" });
  const unit = h("input", { value: v.unit_code || session.account.unit_code || "" });
  const org = h("select", {}, Object.keys(ORGS).map((o) => h("option", { value: o, text: orgName(o), selected: v.organisation === o })));
  const phone = h("input", { value: v.phone || "", type: "tel" });
  // In service: cleared when the cadre leaves the work (their titles must have ended by today).
  const inService = c ? h("input", { type: "checkbox", checked: v.active !== false }) : null;
  const form = h("form", { class: "card", id: "cadre-form", novalidate: true },
    h("h2", { text: c ? `${t("edit")}: ${c.full_name}` : t("add_cadre") }),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "grid2" }, field(t("name"), name, "full_name"), field(t("gender"), gender, "gender"), field(t("birth_date"), birth, "birth_date", t("date_hint")),
      field(t("ethnicity"), eth, "ethnicity"), field(t("party_joined"), party, "party_joined_on", t("date_hint")), field(t("personal_id"), pid, "personal_id"),
      field(t("unit_code"), unit, "unit_code"), field(t("organisation"), org, "organisation"), field(t("phone"), phone, "phone"),
      inService ? field(t("in_service"), inService, "active", t("in_service_hint")) : null),
    h("button", { type: "submit", class: "primary", text: t("save") }));
  onSubmit(form, async () => {
    const body = { full_name: name.value, gender: gender.value, birth_date: readDate(birth, "birth_date"), ethnicity: eth.value,
      party_joined_on: readDate(party, "party_joined_on", true), personal_id: pid.value.trim(), unit_code: unit.value.trim(), organisation: org.value,
      phone: phone.value.trim() || null };
    if (inService) body.active = inService.checked;
    const saved = c ? await api("PATCH", "/api/cadres/" + c.id, body) : await api("POST", "/api/cadres", body);
    onDone(saved);
  });
  return form;
}

/** Roster of the officer's subtree with search; add/edit; nominate for an open class. */
export async function rosterView(q, homeKey) {
  const query = q.get("q") || "";
  const unitCode = q.get("unit") || "";
  // In service or not: "" every cadre, "true" those in service, "false" those who have left.
  const active = ["true", "false"].includes(q.get("active")) ? q.get("active") : "";
  const offset = Number(q.get("offset") || 0);
  let list = { items: [], total: 0 };
  let listError = null;
  try {
    list = await api("GET", "/api/cadres" + qs({ q: query, unit: unitCode, active, limit: 50, offset }));
  } catch (e) {
    if (!(e instanceof ApiError) || e.field !== "unit") throw e;
    listError = e;
  }
  const route = homeKey ? "#/home" : "#/roster";
  const search = h("input", { type: "search", value: query, autocomplete: "off" });
  const unitIn = h("input", { value: unitCode, autocomplete: "off", inputmode: "numeric", class: "unit-code" });
  const activeIn = h("select", {}, [["", "service_all"], ["true", "in_service"], ["false", "not_in_service"]]
    .map(([v, k]) => h("option", { value: v, text: t(k), selected: v === active })));
  const form = h("form", { class: "filters", role: "search", id: "roster-search", novalidate: true },
    field(t("find_cadre"), search, "q"), field(t("unit_code"), unitIn, "unit", t("unit_filter_hint")),
    field(t("service_filter"), activeIn, "active"),
    h("button", { type: "submit", class: "primary", text: t("search") }));
  onSubmit(form, async () => { location.hash = route + qs({ q: search.value.trim(), unit: unitIn.value.trim(), active: activeIn.value }); });
  if (listError) {
    const err = form.querySelector("[data-field=unit] .field-error");
    err.textContent = listError.message;
    unitIn.setAttribute("aria-invalid", "true");
  }
  // The export is the whole roster in scope (the unit filter applies; the name search does not).
  const exports = h("p", { class: "actions" }, h("span", { text: t("export_roster") + ":" }),
    exportButtons("/api/exports/cadres", listError ? {} : { unit: unitCode }, "cadres", "export-roster"));
  const editor = h("div", { id: "cadre-editor" });
  const msg = h("div", { "aria-live": "polite" });
  const done = (c) => { location.hash = route + qs({ q: c.full_name, saved: Date.now() }); };
  let classes = null;
  const nominate = async (c, cell) => {
    classes = classes || (await api("GET", "/api/classes?status=open&limit=500")).items.filter(takesEnrolments);
    const sel = h("select", { "aria-label": t("class") }, classes.map((x) => h("option", { value: x.code, text: `${x.code} — ${x.title} (${t("seats_left")}: ${num(x.seats_left)})` })));
    const f = h("form", { class: "inline", novalidate: true }, h("span", { "data-field": "cadre_id" }, sel, h("span", { class: "field-error", role: "alert" })), h("button", { type: "submit", class: "small primary", text: t("nominate") }));
    onSubmit(f, async () => {
      const e = await api("POST", `/api/classes/${encodeURIComponent(sel.value)}/enrolments`, { cadre_id: c.id });
      msg.replaceChildren(notice(`${c.full_name}: ` + (e.status === "waitlisted" ? t("waitlisted_ok", sel.value, e.position) : t("enrolled_ok", sel.value))));
      f.remove();
    });
    cell.append(f);
  };
  const rows = list.items.map((c) => {
    const act = h("td", {});
    act.append(h("button", { type: "button", class: "small edit", text: t("edit"), onclick: () => { const f = cadreForm(c, done); editor.replaceChildren(f); reveal(f); } }));
    // Only a cadre in service is nominated for a class (the enrolment refuses the others).
    if (c.active !== false) {
      act.append(" ", h("button", { type: "button", class: "small nominate", text: t("nominate"), onclick: (ev) => { ev.currentTarget.disabled = true; nominate(c, act).catch((e) => msg.replaceChildren(notice(e.message, "err"))); } }));
    }
    const left = c.active === false ? [" ", h("span", { class: "badge left-service", text: t("not_in_service") })] : [];
    return h("tr", { "data-cadre": c.id }, h("td", {}, h("a", { href: "#/cadre/" + c.id, class: "record-link", text: c.full_name }), ...left), h("td", { text: c.unit_name }), h("td", { text: orgName(c.organisation) }), h("td", { text: date(c.birth_date) }), act);
  });
  const more = list.total > offset + list.items.length ? h("a", { href: route + qs({ q: query, unit: unitCode, active, offset: offset + 50 }), text: t("more") }) : null;
  return h("div", { "data-home": homeKey ? "officer" : null, id: "roster" },
    h("h1", { id: "home-title", text: homeKey ? t(homeKey) : t("roster") }), form, exports, msg,
    h("p", {}, h("button", { type: "button", id: "add-cadre", text: t("add_cadre"), onclick: () => { const f = cadreForm(null, done); editor.replaceChildren(f); reveal(f); } }),
      " ", t("shown_of", num(list.items.length), num(list.total))),
    table([t("name"), t("unit"), t("organisation"), t("birth_date"), ""], rows, { id: "roster-table" }), more, editor);
}

/** Accounts: list, create, deactivate/activate, reset password; unit import. */
export async function accountsView() {
  const list = await api("GET", "/api/accounts?limit=200");
  const msg = h("div", { "aria-live": "polite" });
  const reload = () => { location.hash = "#/accounts?t=" + Date.now(); };
  const rows = list.items.map((a) => {
    const pw = h("input", { type: "password", autocomplete: "new-password", "aria-label": t("new_password"), placeholder: t("new_password") });
    const f = h("form", { class: "inline", novalidate: true }, h("span", { "data-field": "new_password" }, pw, h("span", { class: "field-error", role: "alert" })), h("button", { type: "submit", class: "small", text: t("reset_password") }));
    onSubmit(f, async () => { await api("POST", `/api/accounts/${a.id}/password`, { new_password: pw.value }); pw.value = ""; msg.replaceChildren(notice(t("saved"))); });
    return h("tr", { "data-account": a.username }, h("td", { text: a.username }), h("td", { text: t("role_" + a.role) }), h("td", { text: a.unit_name || "—" }),
      h("td", { text: a.active ? "✓" : "—" }),
      h("td", {}, h("button", { type: "button", class: "small toggle-active", text: a.active ? t("deactivate") : t("activate"), onclick: async () => {
        try { await api("PATCH", `/api/accounts/${a.id}`, { active: !a.active }); reload(); } catch (e) { msg.replaceChildren(notice(e.message, "err")); }
      } })), h("td", {}, f));
  });
  const user = h("input", { autocomplete: "off" }), pass = h("input", { type: "password", autocomplete: "new-password" });
  const role = h("select", {}, ["cadre", "officer", "school", "commission", "admin"].map((r) => h("option", { value: r, text: t("role_" + r) })));
  const unit = h("input", {}), cadre = h("input", { inputmode: "numeric" });
  const create = h("form", { class: "card", id: "account-form", novalidate: true }, h("h2", { text: t("create_account") }),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "grid2" }, field(t("username"), user, "username"), field(t("password"), pass, "password"), field(t("role"), role, "role"),
      field(t("unit_code"), unit, "unit_code"), field(t("cadre_id"), cadre, "cadre_id")),
    h("button", { type: "submit", class: "primary", text: t("create_account") }));
  onSubmit(create, async () => {
    await api("POST", "/api/accounts", { username: user.value.trim(), password: pass.value, role: role.value, unit_code: unit.value.trim() || null, cadre_id: cadre.value ? Number(cadre.value) : null });
    reload();
  });
  const file = h("input", { type: "file", accept: ".csv,text/csv" }), root = h("input", { value: "79" });
  const retire = h("input", { type: "checkbox" }), effective = dateInput("");
  const imp = h("form", { class: "card", id: "import-form", novalidate: true }, h("h2", { text: t("import_units") }),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    field(t("file"), file, "file"), field(t("unit_code"), root, "root"),
    field(t("retire_missing"), retire, "retire_missing", t("retire_missing_hint")),
    field(t("effective_date"), effective, "effective", t("effective_hint")),
    h("button", { type: "submit", class: "primary", text: t("import") }));
  onSubmit(imp, async () => {
    const params = { root: root.value.trim(), retire_missing: retire.checked ? "true" : "false", effective: readDate(effective, "effective", true) };
    imp.querySelector("#unit-import-problems")?.remove();
    let r;
    try {
      r = await api("POST", "/api/units/import" + qs(params), file.files[0] || "");
    } catch (e) {
      // Each problem of the file by line, told from its code in the page's language.
      if (e instanceof ApiError && e.status === 422 && e.details && e.details.length) imp.append(h("div", { id: "unit-import-problems" }, problems(e)));
      throw e;
    }
    imp.querySelector("#import-result")?.remove();
    imp.append(h("dl", { class: "facts", id: "import-result" }, ["rows", "created", "updated", "unchanged", "moved", "retired", "skipped"].map((k) =>
      [h("dt", { text: t("imp_" + k) }), h("dd", { "data-count": k, text: num(r[k] || 0) })])));
  });
  return h("div", { id: "accounts" }, h("h1", { text: t("accounts") }), msg,
    table([t("username"), t("role"), t("unit"), t("active"), "", t("reset_password")], rows, { id: "accounts-table" }), create, imp, successorForm());
}

const MOVED_SHOWN = 500;

/** What a successor import did (or would do): counts, the records moved, the title clashes. */
function successorReport(r) {
  const counts = [["rows", r.rows], ["skipped", r.skipped], ["created", r.created], ["updated", r.updated], ["unchanged", r.unchanged],
    ["successors_set", r.successors_set], ["retired", r.retired.length], ["moved", r.moved.length], ["clashes", r.clashes.length]];
  const moved = r.moved.slice(0, MOVED_SHOWN);
  return [
    h("dl", { class: "facts", id: "successor-counts", "data-dry-run": r.dry_run ? "true" : "false" },
      counts.map(([k, v]) => [h("dt", { text: t("succ_" + k) }), h("dd", { "data-count": k, text: num(v) })])),
    r.retired.length ? h("p", { id: "successor-retired" }, h("strong", { text: t(r.dry_run ? "succ_retired_would" : "succ_retired_done") + ": " }), r.retired.join(", ")) : null,
    r.clashes.length ? h("div", { class: "notice warn", id: "successor-clashes", role: "alert" },
      h("p", {}, h("strong", { text: t("succ_clashes_title", num(r.clashes.length)) })),
      table([t("unit_code"), t("title"), t("date"), t("succ_holders")], r.clashes.map((c) => h("tr", { "data-unit": c.unit_code },
        h("td", { text: c.unit_code }), h("td", { text: c.title_code }), h("td", { text: date(c.on) }), h("td", { text: c.cadre_ids.join(", ") }))),
      { id: "successor-clashes-table" })) : null,
    r.moved.length ? h("section", {}, h("h3", { text: t(r.dry_run ? "succ_moved_would" : "succ_moved_done") }),
      table([t("succ_kind"), t("succ_record"), t("cadre_id"), t("succ_from_to"), t("date")], moved.map((m) => h("tr", { "data-kind": m.kind },
        h("td", { text: tOr("succ_kind_", m.kind) }), h("td", { class: "num", text: String(m.id) }), h("td", { class: "num", text: m.cadre_id ?? "—" }),
        h("td", { text: `${m.from_unit} → ${m.to_unit}` }), h("td", { text: date(m.on) }))), { id: "successor-moved" }),
      r.moved.length > moved.length ? h("p", { text: t("shown_of", num(moved.length), num(r.moved.length)) }) : null) : null,
  ].filter(Boolean);
}

/** The succession table (old unit → new units): check (dry run) with a preview, then import. */
function successorForm() {
  const file = h("input", { type: "file", accept: ".csv,text/csv" });
  const checkBtn = h("button", { type: "submit", class: "primary", id: "successor-check", text: t("imp_check") });
  const commitBtn = h("button", { type: "button", id: "successor-commit", disabled: true, text: t("import"), "aria-describedby": "successor-commit-hint" });
  const out = h("div", { id: "successor-out", tabindex: "-1", "aria-live": "polite" });
  // The bytes of the last clean check: the import sends exactly those.
  let checked = null;
  let busy = false;
  const reset = () => { checked = null; commitBtn.disabled = true; out.replaceChildren(); };
  file.addEventListener("change", reset);
  const show = (...nodes) => { out.replaceChildren(...nodes); out.scrollIntoView({ block: "nearest" }); };
  const fail = (e) => {
    if (e instanceof ApiError && e.status === 422 && e.details && e.details.length) show(problems(e));
    else show(notice(e.message, "err"));
  };
  const send = (bytes, dryRun) => api("POST", "/api/units/successors/import" + qs({ dry_run: dryRun ? "true" : "false" }), new Blob([bytes], { type: "text/csv" }));
  const form = h("form", { class: "card", id: "successor-form", novalidate: true },
    h("h2", { text: t("succ_import") }),
    h("p", { class: "hint", text: t("succ_hint") }),
    field(t("file"), file, "file"),
    h("p", { class: "actions" }, checkBtn, " ", commitBtn, " ", h("span", { class: "hint", id: "successor-commit-hint", text: t("imp_commit_hint") })),
    out);
  const busyWhile = async (fn) => {
    busy = true;
    form.setAttribute("aria-busy", "true");
    try { await fn(); } finally { busy = false; form.removeAttribute("aria-busy"); }
  };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (busy) return;
    const f = file.files[0];
    reset();
    if (!f) { show(notice(t("imp_choose_file"), "err")); file.focus(); return; }
    await busyWhile(async () => {
      try {
        const bytes = new Uint8Array(await f.arrayBuffer());
        const r = await send(bytes, true);
        checked = { bytes, name: f.name };
        commitBtn.disabled = false;
        show(notice(t("succ_clean", num(r.rows)), "ok"), ...successorReport(r));
      } catch (e) { fail(e); }
    });
  });
  commitBtn.addEventListener("click", async () => {
    if (!checked || busy) return;
    const c = checked;
    await busyWhile(async () => {
      try {
        const r = await send(c.bytes, false);
        checked = null;
        commitBtn.disabled = true;
        show(notice(t("imp_done", c.name), "ok"), ...successorReport(r));
        out.focus();
      } catch (e) {
        if (e instanceof ApiError && e.status === 422) { checked = null; commitBtn.disabled = true; }
        fail(e);
      }
    });
  });
  return form;
}

/** Audit log with filters. */
export async function auditView(q) {
  const f = { entity: q.get("entity") || "", entity_id: q.get("entity_id") || "", actor: q.get("actor") || "", from: q.get("from") || "", to: q.get("to") || "" };
  const form = h("form", { class: "filters", id: "audit-filters", novalidate: true });
  let list = { items: [], total: 0 };
  let listError = null;
  // "To" is inclusive on screen; the API's bound is exclusive.
  const before = f.to && parseDate(f.to) ? addDays(parseDate(f.to), 1) : f.to;
  const limit = Math.min(Math.max(Number(q.get("limit")) || 50, 1), 500);
  const offset = Math.max(Number(q.get("offset")) || 0, 0);
  try { list = await api("GET", "/api/audit" + qs({ ...f, to: before, limit, offset })); } catch (e) { if (!(e instanceof ApiError) || !e.field) throw e; listError = e; }
  const entity = h("input", { value: f.entity, list: "audit-entities", autocomplete: "off" }), entityId = h("input", { value: f.entity_id, autocomplete: "off" });
  const actor = h("input", { value: f.actor, autocomplete: "off" }), from = dateInput(f.from), to = dateInput(f.to);
  const kinds = ["account", "cadre", "class", "enrolment", "attendance", "certificate", "module", "programme", "standard", "title", "unit", "unit_import", "import", "session", "dataset"];
  form.append(field(t("entity"), entity, "entity"), h("datalist", { id: "audit-entities" }, kinds.map((k) => h("option", { value: k, label: tOr("ent_", k) }))),
    field(t("entity_id"), entityId, "entity_id"), field(t("actor"), actor, "actor"),
    field(t("from"), from, "from", t("date_hint")), field(t("to"), to, "to", t("date_hint")),
    h("button", { type: "submit", class: "primary", text: t("filter") }),
    h("a", { href: "#/audit", text: t("clear_filters") }));
  onSubmit(form, async () => {
    location.hash = "#/audit" + qs({ entity: entity.value.trim(), entity_id: entityId.value.trim(), actor: actor.value.trim(), from: readDate(from, "from", true), to: readDate(to, "to", true) });
  });
  if (listError) showError(form, listError);
  const pages = listError ? null : pager(list, list.items.length, (o) => { location.hash = "#/audit" + qs({ ...f, limit: q.get("limit"), offset: o || null }); }, "audit-pager");
  return h("div", { id: "audit" }, h("h1", { text: t("audit") }), form, pages,
    table([t("at"), t("actor"), t("action"), t("entity"), ""], list.items.map((e) => h("tr", {},
      h("td", { text: dateTime(e.at) }), h("td", { text: e.actor }), h("td", { "data-action": e.action, text: tOr("act_", e.action) }), h("td", { "data-entity": e.entity, text: `${tOr("ent_", e.entity)} ${e.entity_id}` }),
      h("td", {}, h("details", {}, h("summary", { text: "JSON" }), h("pre", { text: JSON.stringify({ before: e.before, after: e.after }, null, 1) }))))), { id: "audit-table" }),
    pages && list.items.length > 10 ? pager(list, list.items.length, (o) => { location.hash = "#/audit" + qs({ ...f, limit: q.get("limit"), offset: o || null }); }, "audit-pager-end") : null);
}
