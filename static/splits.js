// The commission's dashboard, by group: compliance by gender, age band and ethnic minority (a chart
// each), and the share of women, young (under 35) and minority cadres among the incumbents and
// the planned successors of each unit — the groups the action programme asks attention for.
import { t, num, pct } from "./i18n.js";
import { h, api, qs, table, section } from "./core.js";
import { barChart } from "./report.js";

// Each split's groups; a group marked `?` is charted only when someone is in it (the third gender).
const SPLITS = [
  ["by_gender", "split_gender", ["female", "male", "other?"], (k) => t("g_" + k)],
  ["by_age_band", "split_age", ["under_35", "35_44", "45_54", "55_plus"], (k) => t("age_" + k)],
  ["by_minority", "split_minority", ["minority", "majority"], (k) => t("grp_" + k)],
];

/** Share of `part` in `whole`, in percent with one decimal; null when `whole` is 0. */
export function share(part, whole) {
  return whole ? Math.round((1000 * part) / whole) / 10 : null;
}

/** The group sections of a report: a chart per split, then the shares per unit. */
export async function splitSections(report, filters) {
  const tot = report.totals;
  const charts = SPLITS.map(([field, label, keys, name]) => {
    const groups = tot[field] || {};
    const shown = keys.filter((k) => !k.endsWith("?") || (groups[k.slice(0, -1)] || {}).assessed > 0).map((k) => k.replace("?", ""));
    const items = shown.map((k) => {
      const c = groups[k] || { assessed: 0, meeting: 0 };
      return { key: k, name: `${name(k)} (${num(c.assessed)})`, value: share(c.meeting, c.assessed) };
    });
    return h("div", { class: "split", id: "split-" + field.replace("by_", "") },
      h("h3", { text: t(label) }), barChart(items, { label: `${t("chart_compliance")}: ${t(label)}`, id: "chart-" + field.replace("by_", "") }));
  });
  // The same report for the incumbents and for the planned successors (the shown one reused).
  const pops = await Promise.all(["incumbent", "planned"].map((p) => (report.population === p ? report
    : api("GET", "/api/reports/gaps" + qs({ unit: report.unit_code, as_of: report.as_of, title: filters.title, population: p })))));
  const rowsOf = (r) => [r.totals, ...r.rows.filter((x) => x.unit_code !== r.totals.unit_code)];
  const units = new Map();
  pops.forEach((r, i) => {
    for (const row of rowsOf(r)) {
      const u = units.get(row.unit_code) || { name: row.unit_code === r.totals.unit_code ? t("total") : row.unit_name, pops: [null, null] };
      u.pops[i] = row;
      units.set(row.unit_code, u);
    }
  });
  const cells = (row, pop) => {
    const n = row ? row.assessed : 0;
    const women = row ? share((row.by_gender.female || {}).assessed || 0, n) : null;
    const young = row ? share((row.by_age_band.under_35 || {}).assessed || 0, n) : null;
    const minority = row ? share((row.by_minority.minority || {}).assessed || 0, n) : null;
    const td = (what, v) => h("td", { class: "num", "data-share": `${pop}-${what}`, "data-value": v === null ? "" : v, text: v === null ? "—" : pct(v) });
    return [h("td", { class: "num", "data-share": `${pop}-n`, "data-value": n, text: num(n) }), td("women", women), td("young", young), td("minority", minority)];
  };
  const head = [t("unit"), ...["pop_incumbent", "pop_planned"].flatMap((p) => [`${t(p)}: ${t("assessed")}`, `${t(p)}: ${t("share_women")}`, `${t(p)}: ${t("share_young")}`, `${t(p)}: ${t("share_minority")}`])];
  const rows = [...units.entries()].map(([code, u]) => h("tr", { "data-unit": code }, h("th", { scope: "row", text: u.name }), ...cells(u.pops[0], "incumbent"), ...cells(u.pops[1], "planned")));
  return [
    section(t("by_group"), h("p", { class: "hint", text: t("by_group_hint") }), h("div", { class: "splits" }, charts)),
    section(t("shares_title"), h("p", { class: "hint", text: t("shares_hint") }), table(head, rows, { id: "shares-table" })),
  ];
}
