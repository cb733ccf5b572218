// A cadre's record (officer, school, admin; the commission reads it): the units over time, the
// titles held and planned — add one, set or change its last day — and the qualifications — add
// one, edit its provenance, revoke it with a reason or reinstate it.
import { t, lang, date, unitThen } from "./i18n.js";
import { h, api, field, dateInput, readDate, onSubmit, table, section, notice, session } from "./core.js";
import { orgName } from "./admin.js";

const EDITORS = ["admin", "school", "officer"];

/** The record page of cadre `id`. */
export async function cadreRecordView(q, id) {
  const root = h("div", { id: "cadre-record" });
  const msg = h("div", { "aria-live": "polite", id: "record-msg" });
  const [titles, scales] = await Promise.all([api("GET", "/api/titles"), api("GET", "/api/scales")]);
  const ctx = { id, root, msg, titles: titles.items || titles, scales: scales.items || scales, edit: EDITORS.includes(session.account.role) };
  await draw(ctx);
  return root;
}

/** Reloads the record and redraws the page; `said` is shown above it. */
async function draw(ctx, said) {
  const c = await api("GET", "/api/cadres/" + encodeURIComponent(ctx.id));
  const qs = (await api("GET", `/api/cadres/${encodeURIComponent(ctx.id)}/qualifications`)).items;
  ctx.msg.replaceChildren(...(said ? [notice(said)] : []));
  const redraw = (what) => draw(ctx, what || t("saved"));
  ctx.root.replaceChildren(
    h("p", {}, h("a", { href: "#/roster", text: "← " + t("roster") })),
    h("h1", { text: c.full_name }),
    ctx.msg,
    h("p", { class: "summary" }, `${t("unit")}: ${c.unit_name} · ${t("organisation")}: ${orgName(c.organisation)} · ${t("birth_date")}: ${date(c.birth_date)}`),
    periods(ctx, c, "titles", redraw),
    periods(ctx, c, "plans", redraw),
    qualifications(ctx, qs, redraw),
    section(t("units_history"), table([t("unit"), t("from"), t("to")],
      c.units.map((u) => h("tr", {}, h("td", { text: unitThen(u) }), h("td", { text: date(u.from_date) }), h("td", { text: u.to_date ? date(u.to_date) : "—" }))))));
  const h1 = ctx.root.querySelector("h1");
  if (said && h1) h1.focus?.();
}

const titleName = (p) => (lang() === "en" ? p.title_name_en : p.title_name_vi);

/** Titles held (`list` = "titles") or planned ("plans"): the table, a last-day form per row, an add form. */
function periods(ctx, c, list, redraw) {
  const base = `/api/cadres/${encodeURIComponent(ctx.id)}/${list}`;
  const rows = c[list].map((p) => {
    const act = h("td", {});
    if (ctx.edit) {
      act.append(h("button", { type: "button", class: "small end-period", text: p.to_date ? t("change_end") : t("end"),
        "aria-label": `${p.to_date ? t("change_end") : t("end")}: ${titleName(p)}`,
        onclick: (ev) => { ev.currentTarget.hidden = true; act.append(endForm(base + "/" + p.id, p, redraw)); act.querySelector("input").focus(); } }));
    }
    return h("tr", { "data-period": p.id }, h("td", { text: titleName(p) }), h("td", { text: unitThen(p) }),
      h("td", { text: date(p.from_date) }), h("td", { text: p.to_date ? date(p.to_date) : "—" }), act);
  });
  const parts = [c[list].length ? table([t("title"), t("unit"), t("from"), t("to"), ""], rows, { id: list + "-table" }) : h("p", { class: "hint", text: t("none_recorded") })];
  if (ctx.edit) parts.push(addPeriodForm(ctx, c, list, base, redraw));
  return section(t(list === "titles" ? "titles_held" : "titles_planned"), ...parts);
}

/** Sets (or, left blank, clears) the last day of a period. */
function endForm(url, p, redraw) {
  const to = dateInput(p.to_date);
  const f = h("form", { class: "inline end-form", novalidate: true },
    field(t("last_day"), to, "to_date", t("last_day_hint")),
    h("button", { type: "submit", class: "small primary", text: t("save") }));
  onSubmit(f, async () => {
    await api("PATCH", url, { to_date: readDate(to, "to_date", true) });
    await redraw();
  });
  return f;
}

function addPeriodForm(ctx, c, list, base, redraw) {
  const title = h("select", {}, h("option", { value: "", text: "—" }),
    ctx.titles.filter((x) => x.active !== false).map((x) => h("option", { value: x.code, text: `${lang() === "en" ? x.name_en : x.name_vi} (${t("lvl_" + x.level)})` })));
  const unit = h("input", { value: c.unit_code, autocomplete: "off", inputmode: "numeric", class: "unit-code" });
  const from = dateInput("");
  const to = dateInput("");
  const f = h("form", { class: "card", id: `${list}-form`, novalidate: true },
    h("h3", { text: t(list === "titles" ? "add_title_held" : "add_title_planned") }),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "grid2" }, field(t("title"), title, "title_code"), field(t("unit_code"), unit, "unit_code", t("title_unit_hint")),
      field(t("from"), from, "from_date", t("date_hint")), field(t("to"), to, "to_date", t("optional_date_hint"))),
    h("button", { type: "submit", class: "primary", text: t("add") }));
  onSubmit(f, async () => {
    await api("POST", base, { title_code: title.value, unit_code: unit.value.trim() || null,
      from_date: readDate(from, "from_date"), to_date: readDate(to, "to_date", true) });
    await redraw();
  });
  return f;
}

/** Qualifications: the table with edit / revoke / reinstate per row, and the add form. */
function qualifications(ctx, items, redraw) {
  const base = `/api/cadres/${encodeURIComponent(ctx.id)}/qualifications`;
  const scaleName = (code) => { const s = ctx.scales.find((x) => x.code === code); return s ? (lang() === "en" ? s.name_en : s.name_vi) : code; };
  const levelName = (sc, code) => { const s = ctx.scales.find((x) => x.code === sc); const l = s && s.levels.find((x) => x.code === code); return l ? (lang() === "en" ? l.name_en : l.name_vi) : code; };
  const rows = items.map((q) => {
    const act = h("td", {});
    const label = `${scaleName(q.scale)}: ${levelName(q.scale, q.level)}`;
    if (ctx.edit && q.source !== "completion") {
      const open = (form) => { act.querySelectorAll("button").forEach((b) => { b.hidden = true; }); act.append(form); form.querySelector("input").focus(); };
      act.append(h("button", { type: "button", class: "small edit-qual", text: t("edit"), "aria-label": `${t("edit")}: ${label}`, onclick: () => open(qualEditForm(base + "/" + q.id, q, redraw)) }), " ",
        h("button", { type: "button", class: "small revoke-qual", text: q.revoked_on ? t("reinstate") : t("revoke"), "aria-label": `${q.revoked_on ? t("reinstate") : t("revoke")}: ${label}`,
          onclick: () => open(revokeForm(base + "/" + q.id, q, redraw)) }));
    }
    return h("tr", { "data-qualification": q.id, class: q.revoked_on ? "revoked" : null },
      h("td", { text: scaleName(q.scale) }), h("td", { text: levelName(q.scale, q.level) }), h("td", { text: date(q.obtained_on) }),
      h("td", { text: q.issuer }), h("td", { text: q.evidence }), h("td", { text: t("qsrc_" + q.source) }),
      h("td", { text: q.revoked_on ? `${t("st_revoked")} ${date(q.revoked_on)}` : t("st_valid") }), act);
  });
  const parts = [items.length ? table([t("scale"), t("level"), t("obtained_on"), t("issuer"), t("evidence"), t("source"), t("status"), ""], rows, { id: "qualifications-table" })
    : h("p", { class: "hint", text: t("none_recorded") })];
  if (ctx.edit) parts.push(addQualForm(ctx, base, redraw));
  return section(t("qualifications"), ...parts);
}

function qualEditForm(url, q, redraw) {
  const issuer = h("input", { value: q.issuer, autocomplete: "off" });
  const evidence = h("input", { value: q.evidence, autocomplete: "off" });
  const ref = h("input", { value: q.source_ref, autocomplete: "off" });
  const f = h("form", { class: "inline qual-edit", novalidate: true },
    field(t("issuer"), issuer, "issuer"), field(t("evidence"), evidence, "evidence"), field(t("source_ref"), ref, "source_ref"),
    h("button", { type: "submit", class: "small primary", text: t("save") }));
  onSubmit(f, async () => {
    await api("PATCH", url, { issuer: issuer.value, evidence: evidence.value, source_ref: ref.value });
    await redraw();
  });
  return f;
}

/** Revokes (with its day and reason) or reinstates (with a reason) a qualification. */
function revokeForm(url, q, redraw) {
  const day = dateInput(q.revoked_on ? "" : null);
  const reason = h("input", { autocomplete: "off", maxlength: 500 });
  const f = h("form", { class: "inline qual-revoke", novalidate: true },
    q.revoked_on ? null : field(t("revoked_on"), day, "revoked_on", t("date_hint")),
    field(q.revoked_on ? t("reinstate_reason") : t("revoke_reason"), reason, "reason"),
    h("button", { type: "submit", class: "small primary", text: q.revoked_on ? t("reinstate") : t("revoke") }));
  onSubmit(f, async () => {
    const body = { revoked_on: q.revoked_on ? null : readDate(day, "revoked_on"), reason: reason.value };
    await api("PATCH", url, body);
    await redraw(q.revoked_on ? t("reinstated_ok") : t("revoked_ok"));
  });
  return f;
}

function addQualForm(ctx, base, redraw) {
  const scale = h("select", {}, ctx.scales.map((s) => h("option", { value: s.code, text: lang() === "en" ? s.name_en : s.name_vi })));
  const level = h("select", {});
  const levels = () => {
    const s = ctx.scales.find((x) => x.code === scale.value);
    level.replaceChildren(...(s ? s.levels : []).map((l) => h("option", { value: l.code, text: lang() === "en" ? l.name_en : l.name_vi })));
  };
  scale.addEventListener("change", levels);
  levels();
  const obtained = dateInput("");
  const issuer = h("input", { autocomplete: "off" });
  const evidence = h("input", { autocomplete: "off" });
  const ref = h("input", { autocomplete: "off" });
  const f = h("form", { class: "card", id: "qualification-form", novalidate: true },
    h("h3", { text: t("add_qualification") }),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "grid2" }, field(t("scale"), scale, "scale"), field(t("level"), level, "level"),
      field(t("obtained_on"), obtained, "obtained_on", t("date_hint")), field(t("issuer"), issuer, "issuer"),
      field(t("evidence"), evidence, "evidence"), field(t("source_ref"), ref, "source_ref")),
    h("button", { type: "submit", class: "primary", text: t("add") }));
  onSubmit(f, async () => {
    await api("POST", base, { scale: scale.value, level: level.value, obtained_on: readDate(obtained, "obtained_on"),
      issuer: issuer.value, evidence: evidence.value, source_ref: ref.value });
    await redraw();
  });
  return f;
}
