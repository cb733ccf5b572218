// Training going stale soon (school, admin, officers): completions whose validity ends within N
// days, filtered by unit and module, each with "nominate to an open class of that module".
import { t, lang, num, date } from "./i18n.js";
import { h, api, qs, field, onSubmit, table, notice, session, showError, ApiError, takesEnrolments } from "./core.js";

const EDITORS = ["admin", "school", "officer"];

/** The expiring-soon list: `?unit=&module=&days=` (default 90 days). */
export async function expiringView(q) {
  const unit = q.get("unit") || "";
  const module = q.get("module") || "";
  const days = q.get("days") || "90";
  const mods = await api("GET", "/api/modules?active=true");
  const modules = mods.items || mods;
  const unitIn = h("input", { value: unit, autocomplete: "off", inputmode: "numeric", class: "unit-code" });
  const modSel = h("select", {}, h("option", { value: "", text: t("all_modules") }),
    modules.map((m) => h("option", { value: m.code, text: `${m.code} — ${lang() === "en" ? m.title_en : m.title_vi}`, selected: m.code === module })));
  const daysIn = h("input", { type: "number", min: 1, max: 3650, value: days, inputmode: "numeric" });
  const form = h("form", { class: "filters", id: "expiring-filters", role: "search", novalidate: true },
    field(t("unit_code"), unitIn, "unit", t("unit_filter_hint")), field(t("module"), modSel, "module"), field(t("within_days"), daysIn, "days"),
    h("button", { type: "submit", class: "primary", text: t("search") }));
  onSubmit(form, async () => {
    location.hash = "#/expiring" + qs({ unit: unitIn.value.trim(), module: modSel.value, days: daysIn.value.trim() });
  });
  const root = h("div", { id: "expiring" }, h("h1", { text: t("nav_expiring") }), form);
  let list;
  try {
    list = await api("GET", "/api/completions/stale-soon" + qs({ unit, module, days }));
  } catch (e) {
    if (!(e instanceof ApiError) || !e.field) throw e;
    showError(form, e);
    return root;
  }
  const msg = h("div", { "aria-live": "polite", id: "expiring-msg" });
  const openClasses = {};
  const nominate = async (x, cell) => {
    openClasses[x.module_code] = openClasses[x.module_code] || (await api("GET", "/api/classes" + qs({ status: "open", module: x.module_code }))).items.filter(takesEnrolments);
    const classes = openClasses[x.module_code];
    if (!classes.length) { cell.append(h("span", { class: "hint", text: t("no_open_class") })); return; }
    const sel = h("select", { "aria-label": `${t("class")}: ${x.full_name}` },
      classes.map((c) => h("option", { value: c.code, text: `${c.code} — ${c.title} (${t("seats_left")}: ${num(c.seats_left)})` })));
    const f = h("form", { class: "inline", novalidate: true }, h("span", { "data-field": "cadre_id" }, sel, h("span", { class: "field-error", role: "alert" })),
      h("button", { type: "submit", class: "small primary", text: t("nominate") }));
    onSubmit(f, async () => {
      const e = await api("POST", `/api/classes/${encodeURIComponent(sel.value)}/enrolments`, { cadre_id: x.cadre_id });
      msg.replaceChildren(notice(`${x.full_name}: ` + (e.status === "waitlisted" ? t("waitlisted_ok", sel.value, e.position) : t("enrolled_ok", sel.value))));
      f.remove();
    });
    cell.append(f);
  };
  const canEdit = EDITORS.includes(session.account.role);
  const rows = list.items.map((x) => {
    const act = h("td", {});
    if (canEdit) {
      act.append(h("button", { type: "button", class: "small nominate", text: t("nominate"), "aria-label": `${t("nominate")}: ${x.full_name}, ${x.module_code}`,
        onclick: (ev) => { ev.currentTarget.disabled = true; nominate(x, act).catch((e) => msg.replaceChildren(notice(e.message, "err"))); } }));
    }
    return h("tr", { "data-cadre": x.cadre_id, "data-module": x.module_code },
      h("td", {}, canEdit ? h("a", { href: "#/cadre/" + x.cadre_id, text: x.full_name }) : x.full_name),
      h("td", { text: x.unit_name, title: x.unit_code }),
      h("td", { text: `${x.module_code} — ${lang() === "en" ? x.module_title_en : x.module_title_vi}` }),
      h("td", { text: date(x.completed_on) }), h("td", { text: date(x.valid_until) }), act);
  });
  root.append(msg, h("p", { text: t("expiring_count", num(list.items.length), num(list.days)) }),
    table([t("name"), t("unit"), t("module"), t("completed_on"), t("valid_until"), ""], rows, { id: "expiring-table" }));
  return root;
}
