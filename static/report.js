// Organisation commission: gap dashboard (breadcrumb drill-down, filters, bar chart, heat map,
// cadres behind a number, exports) and the comparison of two dates.
import { splitSections } from "./splits.js";
import { t, lang, num, pct, date, today, gapReason } from "./i18n.js";
import { h, api, qs, field, dateInput, readDate, onSubmit, table, download, notice, section, showError } from "./core.js";
import { exportButtons } from "./transfer.js";

const SCALES = {
  political_theory: ["Lý luận chính trị", "Political theory"],
  professional_education: ["Chuyên môn", "Education"],
  state_management: ["Quản lý nhà nước", "State management"],
};

/** A short label for a requirement key ("module:DV-03", "min_level:education", "max_age"). */
export function reqLabel(key) {
  const en = lang() === "en" ? 1 : 0;
  const [kind, arg] = key.split(":");
  if (kind === "module") return arg;
  if (kind === "min_level") return (SCALES[arg] || [arg, arg])[en];
  if (kind === "max_age") return ["Tuổi", "Age"][en];
  if (kind === "min_party_years") return ["Tuổi Đảng", "Party years"][en];
  return key;
}

/** A report row's name in the page's language: the API names the UNPLACED row in Vietnamese. */
function rowName(r) {
  return r.unit_code === "UNPLACED" ? t("unplaced_row") : r.unit_name;
}

function heatClass(share) {
  if (share === null) return "heat-na";
  if (share === 0) return "heat-0";
  return "heat-" + Math.min(5, 1 + Math.floor(share * 5));
}

function barColour(p) {
  if (p === null || p === undefined) return "#bbb";
  if (p < 50) return "#b2182b";
  if (p < 80) return "#ef8a62";
  return "#2166ac";
}

/** Horizontal bar chart (SVG): one bar per item, value 0–100 (or −100…100 when `signed`). */
export function barChart(items, { signed, label, onPick, id }) {
  // On a phone the chart is drawn narrower so that its text stays legible once scaled down.
  const narrow = window.innerWidth < 600;
  const rowH = 22, labelW = narrow ? 130 : 170, chartW = narrow ? 170 : 420, pad = 4;
  const height = items.length * rowH + 24;
  const svg = h("svg:svg", { viewBox: `0 0 ${labelW + chartW + 60} ${height}`, class: "chart", role: onPick ? "group" : "img", "aria-label": label, id });
  const x0 = signed ? labelW + chartW / 2 : labelW;
  // A signed chart is scaled to its largest change (at least ±10 points, in steps of 10).
  const maxAbs = signed ? Math.max(10, Math.ceil(Math.max(0, ...items.map((i) => Math.abs(i.value || 0))) / 10) * 10) : 100;
  const scale = signed ? chartW / (2 * maxAbs) : chartW / 100;
  svg.append(h("svg:line", { x1: x0, x2: x0, y1: 0, y2: height - 20, stroke: "#555" }));
  for (const lab of signed ? [-maxAbs, 0, maxAbs] : [0, 50, 100]) {
    svg.append(h("svg:text", { x: x0 + lab * scale, y: height - 6, "text-anchor": "middle", class: "axis" }, num(lab) + (signed ? "" : " %")));
  }
  items.forEach((it, i) => {
    const y = i * rowH + pad;
    const v = it.value;
    const w = v === null ? 0 : Math.abs(v) * scale;
    const x = signed && v < 0 ? x0 - w : x0;
    const g = h("svg:g", { class: "bar", tabindex: onPick ? 0 : null, role: onPick ? "button" : null, "data-unit": it.key, "data-value": v === null ? "" : v,
      "aria-label": `${it.name}: ${v === null ? "—" : signed ? num(v, 1) : pct(v)}` });
    g.append(h("svg:title", {}, `${it.name}: ${v === null ? "—" : signed ? num(v, 1) : pct(v)}`));
    // The texts are drawn beside the bar's group, not in it (the group's name says them already),
    // and after it, so that its background does not hide them.
    const texts = [h("svg:text", { x: labelW - 6, y: y + rowH / 2 + 4, "text-anchor": "end", class: "lbl" }, it.name.length > (narrow ? 20 : 26) ? it.name.slice(0, narrow ? 19 : 25) + "…" : it.name)];
    if (!signed) g.append(h("svg:rect", { x: x0, y, width: chartW, height: rowH - 6, fill: "#eef1f4" }));
    g.append(h("svg:rect", { x, y, width: Math.max(w, v === null ? 0 : 1), height: rowH - 6, fill: signed ? (v < 0 ? "#b2182b" : "#2166ac") : barColour(v) }));
    texts.push(h("svg:text", { x: (signed && v < 0 ? x : x + w) + (signed && v < 0 ? -4 : 4), y: y + rowH / 2 + 4, "text-anchor": signed && v < 0 ? "end" : "start", class: "val" },
      v === null ? "—" : signed ? num(v, 1) : pct(v)));
    if (onPick) {
      g.addEventListener("click", () => onPick(it));
      g.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); onPick(it); } });
    }
    svg.append(g, ...texts);
  });
  return svg;
}

function filtersFrom(q) {
  return {
    unit: q.get("unit") || "",
    as_of: q.get("as_of") || "",
    population: q.get("population") || "",
    title: q.get("title") || "",
  };
}

function breadcrumb(detail, route, params) {
  const nav = h("nav", { class: "crumbs", "aria-label": t("unit") });
  const ol = h("ol", {});
  for (const a of detail.ancestors) {
    ol.append(h("li", {}, h("a", { href: route + qs({ ...params, unit: a.code }), text: a.name })));
  }
  ol.append(h("li", { "aria-current": "page", text: (detail.unit || detail).name }));
  nav.append(ol);
  return nav;
}

let levelCache = null;

/** "scale/level" → the level's names [vi, en] (the scales are loaded once). */
export async function levelNames() {
  if (!levelCache) {
    const sc = await api("GET", "/api/scales");
    levelCache = {};
    for (const s of sc.items || sc) for (const l of s.levels) levelCache[s.code + "/" + l.code] = [l.name_vi, l.name_en];
  }
  return levelCache;
}

const reasonCache = {};

/** The catalogue of gap reasons in the current language (loaded once per language). */
export async function reasonCatalogue() {
  const l = lang();
  if (!reasonCache[l]) reasonCache[l] = await api("GET", "/api/gaps/reasons" + qs({ lang: l }));
  return reasonCache[l];
}

let titleCache = null;

/** Title code → name in the current language (the list is loaded once). */
export async function titleNames() {
  if (!titleCache) {
    const list = await api("GET", "/api/titles");
    titleCache = list.items || list;
  }
  const map = {};
  for (const ti of titleCache) map[ti.code] = lang() === "en" ? ti.name_en : ti.name_vi;
  return map;
}

async function titlesSelect(value, names) {
  const sel = h("select", {}, h("option", { value: "", text: t("all_titles") }));
  for (const [code, name] of Object.entries(names)) sel.append(h("option", { value: code, text: name, selected: code === value }));
  return sel;
}

function populationSelect(value) {
  return h("select", {}, ["incumbent", "planned", "both"].map((p) => h("option", { value: p, text: t("pop_" + p), selected: (value || "incumbent") === p })));
}

/** The gap dashboard. */
export async function reportView(q, homeKey) {
  const f = filtersFrom(q);
  const report = await api("GET", "/api/reports/gaps" + qs(f));
  // The unit as it stood on the report's day: that day's name, ancestors and children.
  const detail = await api("GET", "/api/units/" + encodeURIComponent(report.unit_code) + qs({ as_of: report.as_of }));
  const route = homeKey ? "#/home" : "#/report";
  const params = { ...f, unit: report.unit_code };

  const asOf = dateInput(report.as_of);
  const pop = populationSelect(report.population);
  const [names, reasons] = await Promise.all([titleNames(), reasonCatalogue()]);
  const title = await titlesSelect(f.title, names);
  // The review dates of the programme (mid-term 2015, final 2020) and today, one click away.
  const preset = (iso, label) => h("button", { type: "button", class: "small preset", "data-date": iso, text: label, onclick: () => { asOf.value = date(iso); form.requestSubmit(); } });
  const form = h("form", { class: "filters", id: "report-filters", novalidate: true },
    field(t("as_of"), asOf, "as_of", t("date_hint")),
    h("div", { class: "presets", role: "group", "aria-label": t("as_of") }, preset("2015-12-31", "31/12/2015"), preset("2020-12-31", "31/12/2020"), preset(today(), t("today"))),
    field(t("population"), pop, "population"), field(t("title"), title, "title"),
    h("button", { type: "submit", class: "primary", text: t("show") }));
  onSubmit(form, async () => {
    const d = readDate(asOf, "as_of");
    location.hash = route + qs({ unit: report.unit_code, as_of: d, population: pop.value, title: title.value });
  });

  const panel = h("div", { id: "cadres-panel", "aria-live": "polite" });
  const openCadres = async (unitCode, unitName, requirement) => {
    panel.replaceChildren(h("p", { class: "loading", text: t("loading") }));
    try {
      // The cadres counted in this row of this report (the unit's own row holds only those placed
      // at the unit itself; UNPLACED those whose unit was retired with no successor or is not in
      // that day's tree).
      const sel = { ...params, unit: report.unit_code, row: unitCode, as_of: report.as_of, population: report.population, requirement, status: "short" };
      const list = await api("GET", "/api/reports/gaps/cadres" + qs({ ...sel, limit: 200 }));
      // The file in the page's language.
      sel.lang = lang();
      const heading = requirement ? t("cadres_behind", unitName, reqLabel(requirement)) : t("cadres_short_unit", unitName);
      panel.replaceChildren(section(heading + ` (${num(list.total)})`,
        h("p", { class: "actions" }, exportButtons("/api/reports/gaps/cadres/export", sel, `cadres-${unitCode}`, "export-cadres")),
        table([t("name"), t("title"), t("unit"), t("reasons")], list.items.map((a) => h("tr", {},
          h("td", { text: a.full_name }), h("td", { text: names[a.title_code] || a.title_code }), h("td", { text: a.unit_code }),
          h("td", {}, h("ul", { class: "reasons" }, a.checks.filter((c) => !c.met).map((c) => h("li", { "data-code": c.code, text: gapReason(c, reasons) })))))), { id: "cadres-table" }),
        list.total > list.items.length ? h("p", { text: t("shown_of", num(list.items.length), num(list.total)) }) : null));
      panel.scrollIntoView({ block: "nearest" });
    } catch (e) { panel.replaceChildren(notice(e.message, "err")); }
  };

  const exportMsg = h("span", { class: "export-msg", role: "status" });
  const exp = (format) => async (ev) => {
    const btn = ev.currentTarget;
    btn.disabled = true;
    try {
      const name = await download("/api/reports/gaps/export" + qs({ format, ...params, as_of: report.as_of, population: report.population, lang: lang() }), `gaps-${report.unit_code}.${format}`);
      exportMsg.textContent = t("downloaded", name);
    } catch (e) { exportMsg.textContent = e.message; } finally { btn.disabled = false; }
  };

  const rows = report.rows;
  const root = h("div", { "data-home": homeKey ? "commission" : null, id: "report" },
    h("h1", { id: "home-title", text: homeKey ? t(homeKey) : t("nav_report") }),
    breadcrumb(detail, route, params), form);
  const tot = report.totals;
  root.append(h("div", { class: "kpis" },
    h("div", { class: "kpi" }, h("span", { text: t("assessed") }), h("strong", { id: "kpi-assessed", text: num(tot.assessed) })),
    h("div", { class: "kpi" }, h("span", { text: t("meeting") }), h("strong", { text: num(tot.meeting) })),
    h("div", { class: "kpi" }, h("span", { text: t("short") }), h("strong", { text: num(tot.short) })),
    h("div", { class: "kpi" }, h("span", { text: t("compliance") }), h("strong", { id: "kpi-compliance", text: pct(tot.compliance_pct) }))));
  root.append(h("div", { class: "actions" },
    h("button", { type: "button", id: "export-csv", onclick: exp("csv"), text: t("export_csv") }),
    h("button", { type: "button", id: "export-xlsx", onclick: exp("xlsx"), text: t("export_xlsx") }), exportMsg,
    h("a", { href: "#/compare" + qs({ unit: report.unit_code }), text: t("nav_compare") })));

  if (!rows.length) {
    root.append(notice(t("no_rows"), "warn"), panel);
    if (tot.short > 0) openCadres(report.unit_code, report.unit_name, null);
    return root;
  }
  const drillable = detail.child_count > 0;
  const sorted = rows.map((r) => ({ key: r.unit_code, name: rowName(r), value: r.compliance_pct }))
    .sort((a, b) => (a.value === null) - (b.value === null) || a.value - b.value || a.name.localeCompare(b.name, "vi"));
  root.append(section(t("chart_compliance"), barChart(sorted, {
    label: t("chart_compliance"), id: "bar-chart",
    onPick: (it) => openCadres(it.key, it.name, null),
  })));
  root.append(...await splitSections(report, f));

  // Heat map: units × requirements, colour by share of the assessed falling short.
  const keys = report.requirement_keys;
  const heat = h("table", { class: "heat", id: "heatmap" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("unit") }), h("th", { scope: "col", text: t("compliance") }),
      keys.map((k) => h("th", { scope: "col", title: k }, h("span", { text: reqLabel(k) }))))),
    h("tbody", {}, rows.map((r) => h("tr", { "data-unit": r.unit_code },
      h("th", { scope: "row" }, drillable && r.unit_code !== report.unit_code && r.unit_code !== "UNPLACED"
        ? h("a", { href: route + qs({ ...params, unit: r.unit_code }), class: "drill", text: r.unit_name })
        : rowName(r)),
      h("td", { class: "num", text: pct(r.compliance_pct) }),
      keys.map((k) => {
        const n = r.short_by_requirement[k] || 0;
        const share = r.assessed ? n / r.assessed : null;
        return h("td", { class: "cell " + heatClass(share) },
          n > 0 ? h("button", { type: "button", class: "heat-btn", "data-req": k, "aria-label": `${rowName(r)}, ${reqLabel(k)}: ${num(n)}`,
            onclick: () => openCadres(r.unit_code, rowName(r), k), text: num(n) }) : h("span", { text: r.assessed ? "0" : "" }));
      })))),
    h("tfoot", {}, h("tr", {}, h("th", { scope: "row", text: t("total") }), h("td", { class: "num", text: pct(tot.compliance_pct) }),
      keys.map((k) => h("td", { class: "num", text: num(tot.short_by_requirement[k] || 0) })))));
  root.append(section(t("heatmap"), h("p", { class: "hint", text: t("heatmap_hint") + " " + (drillable ? t("drill_hint") : "") }),
    h("div", { class: "legend", "aria-hidden": "true" }, [0, 1, 2, 3, 4, 5].map((i) => h("span", { class: "sw heat-" + i, text: i === 0 ? "0 %" : `≤ ${i * 20} %` }))),
    h("div", { class: "table-wrap", tabindex: "0" }, heat)));
  root.append(panel);
  return root;
}

/** Two dates compared: change in compliance per unit. */
export async function compareView(q) {
  const from = q.get("from") || "2015-12-31";
  const to = q.get("to") || "2020-12-31";
  const unit = q.get("unit") || "";
  const fromIn = dateInput(from), toIn = dateInput(to);
  const form = h("form", { class: "filters", id: "compare-filters", novalidate: true },
    field(t("date_from"), fromIn, "from"), field(t("date_to"), toIn, "to"),
    h("button", { type: "submit", class: "primary", text: t("show") }));
  onSubmit(form, async () => {
    location.hash = "#/compare" + qs({ unit, from: readDate(fromIn, "from"), to: readDate(toIn, "to") });
  });
  const root = h("div", { id: "compare" }, h("h1", { text: t("nav_compare") }), form);
  let c;
  try { c = await api("GET", "/api/reports/gaps/compare" + qs({ unit, from, to })); } catch (e) { showError(form, e); return root; }
  root.append(section(t("compare_chart") + ` (${date(c.from)} → ${date(c.to)})`,
    barChart(c.rows.filter((r) => r.change_pct !== null).map((r) => ({ key: r.unit_code, name: rowName(r), value: r.change_pct }))
      .sort((a, b) => a.value - b.value), { signed: true, label: t("compare_chart"), id: "compare-chart" })));
  root.append(section(t("total"), table([t("unit"), `${t("compliance")} ${date(c.from)}`, `${t("compliance")} ${date(c.to)}`, t("change")],
    [...c.rows, c.totals].map((r, i) => h("tr", { class: i === c.rows.length ? "total" : null },
      // A row opens that unit's own comparison; the unit itself and UNPLACED (no unit of the
      // day) have none, as on the report.
      h("td", {}, i === c.rows.length ? t("total") : r.unit_code === c.unit_code || r.unit_code === "UNPLACED"
        ? rowName(r) : h("a", { href: "#/compare" + qs({ unit: r.unit_code, from, to }), text: r.unit_name })),
      h("td", { class: "num", text: pct(r.from.compliance_pct) }), h("td", { class: "num", text: pct(r.to.compliance_pct) }),
      h("td", { class: "num", text: r.change_pct === null ? "—" : num(r.change_pct, 1) })))),
  h("p", { class: "actions" }, exportButtons("/api/reports/gaps/compare/export", { unit, from, to, lang: lang() }, "compare", "export-compare"))));
  return root;
}

export { today };
