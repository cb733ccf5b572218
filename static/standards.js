// Title standards (9.2): the versions of a title's standard, and publishing a new version
// (commission and admin). Earlier versions never change.
import { t, lang, date, num } from "./i18n.js";
import { h, api, qs, field, dateInput, readDate, onSubmit, section, session } from "./core.js";
import { titleNames } from "./report.js";

const KINDS = ["min_level", "module", "max_age", "min_party_years"];

function describe(r, scales) {
  const en = lang() === "en";
  if (r.kind === "min_level") {
    const sc = scales.find((s) => s.code === r.scale);
    const lv = sc && sc.levels.find((l) => l.code === r.level);
    return `${sc ? (en ? sc.name_en : sc.name_vi) : r.scale} ≥ ${lv ? (en ? lv.name_en : lv.name_vi) : r.level}`;
  }
  if (r.kind === "module") return r.within_years ? t("req_module_within", r.module, num(r.within_years)) : t("req_module", r.module);
  if (r.kind === "max_age") return t("req_max_age", num(r.years));
  return t("req_party", num(r.years));
}

function requirementRow(rows, r, scales, modules) {
  const i = rows.children.length;
  const name = `requirements[${i}]`;
  const kind = h("select", {}, KINDS.map((k) => h("option", { value: k, text: t("kind_" + k), selected: r.kind === k })));
  const scale = h("select", {}, scales.map((s) => h("option", { value: s.code, text: lang() === "en" ? s.name_en : s.name_vi, selected: s.code === r.scale })));
  const level = h("select", {});
  const fillLevels = () => {
    const sc = scales.find((s) => s.code === scale.value);
    level.replaceChildren(...(sc ? sc.levels : []).map((l) => h("option", { value: l.code, text: lang() === "en" ? l.name_en : l.name_vi, selected: l.code === r.level })));
  };
  fillLevels();
  scale.addEventListener("change", fillLevels);
  const module = h("select", {}, modules.filter((m) => m.active || m.code === r.module).map((m) => h("option", { value: m.code, text: m.code, selected: m.code === r.module })));
  const within = h("input", { type: "number", min: 1, value: r.within_years ?? "", inputmode: "numeric" });
  const years = h("input", { type: "number", min: 0, value: r.years ?? "", inputmode: "numeric" });
  const yearsField = field(t("years"), years, `${name}.years`);
  const parts = {
    min_level: [field(t("scale"), scale, `${name}.scale`), field(t("level"), level, `${name}.level`)],
    module: [field(t("module"), module, `${name}.module`), field(t("within_years"), within, `${name}.within_years`)],
    max_age: [yearsField],
    min_party_years: [yearsField],
  };
  const box = h("div", { class: "req-fields" });
  const show = () => { box.replaceChildren(...parts[kind.value]); };
  show();
  kind.addEventListener("change", show);
  const row = h("fieldset", { class: "req-row", "data-field": name }, h("legend", { text: `${t("requirement")} ${i + 1}` }),
    field(t("kind"), kind, `${name}.kind`), box,
    h("button", { type: "button", class: "small", text: t("remove"), onclick: () => row.remove() }),
    h("span", { class: "field-error", role: "alert" }));
  row.read = () => {
    const k = kind.value;
    if (k === "min_level") return { kind: k, scale: scale.value, level: level.value };
    if (k === "module") return { kind: k, module: module.value, within_years: within.value === "" ? null : Number(within.value) };
    return { kind: k, years: Number(years.value) };
  };
  rows.append(row);
}

/** Title standards: pick a title, see its versions, publish a new one. */
export async function standardsView(q) {
  const names = await titleNames();
  const code = q.get("title") || Object.keys(names)[0];
  const [versions, scales, mods] = await Promise.all([
    api("GET", `/api/titles/${encodeURIComponent(code)}/standards`),
    api("GET", "/api/scales"),
    api("GET", "/api/modules"),
  ]);
  const pick = h("select", { onchange: (ev) => { location.hash = "#/standards" + qs({ title: ev.currentTarget.value }); } },
    Object.entries(names).map(([c, n]) => h("option", { value: c, text: n, selected: c === code })));
  const root = h("div", { id: "standards" }, h("h1", { text: t("nav_standards") }),
    h("div", { class: "filters" }, field(t("title"), pick, "title")));
  const list = versions.items || versions;
  for (const v of [...list].reverse()) {
    root.append(section(`${t("version")} ${v.version} — ${t("effective_from")} ${date(v.effective_from)}`,
      v.note ? h("p", { class: "hint", text: v.note }) : null,
      h("ul", { class: "std-reqs" }, v.requirements.map((r) => h("li", { text: describe(r, scales.items) })))));
  }
  if (!["commission", "admin"].includes(session.account.role)) return root;
  const latest = list[list.length - 1];
  const rows = h("div", { class: "reqs" });
  for (const r of latest ? latest.requirements : [{ kind: "module" }]) requirementRow(rows, r, scales.items, mods.items || mods);
  const eff = dateInput(""), note = h("input", {}), retro = h("input", { type: "checkbox" });
  const form = h("form", { class: "card", id: "publish-form", novalidate: true }, h("h2", { text: t("publish_version") }),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "grid2" }, field(t("effective_from"), eff, "effective_from", t("date_hint")), field(t("note"), note, "note")),
    // A first day before today changes reports already made: the server asks for this confirmation.
    field(t("retroactive"), retro, "retroactive", t("retroactive_hint")),
    h("div", { "data-field": "requirements" }, rows, h("span", { class: "field-error", role: "alert" })),
    h("p", {}, h("button", { type: "button", text: t("add_requirement"), onclick: () => requirementRow(rows, { kind: "module" }, scales.items, mods.items || mods) })),
    h("button", { type: "submit", class: "primary", text: t("publish_version") }));
  onSubmit(form, async () => {
    await api("POST", `/api/titles/${encodeURIComponent(code)}/standards`, {
      effective_from: readDate(eff, "effective_from"), note: note.value, retroactive: retro.checked, requirements: [...rows.children].map((r) => r.read()),
    });
    location.hash = "#/standards" + qs({ title: code, v: Date.now() });
  });
  root.append(form);
  return root;
}
