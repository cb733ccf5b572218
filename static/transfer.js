// Bulk import from CSV/XLSX (template, dry-run check, all-or-nothing import) and the export
// buttons other pages share.
import { t, lang, num, apiText } from "./i18n.js";
import { h, api, qs, field, table, notice, download, session, ApiError } from "./core.js";

/** Which import kinds a role may use. */
export function importKinds(role) {
  if (role === "officer") return ["cadres", "qualifications"];
  if (role === "admin" || role === "school") return ["cadres", "qualifications", "completions"];
  return [];
}

/** "Xuất CSV" and "Xuất XLSX" buttons for an export route; `params` may be a function. */
export function exportButtons(path, params, stem, id) {
  const msg = h("span", { class: "export-msg", role: "status" });
  const go = (format) => async (ev) => {
    const btn = ev.currentTarget;
    btn.disabled = true;
    msg.textContent = "";
    try {
      const p = typeof params === "function" ? params() : params;
      const name = await download(path + qs({ format, ...p }), `${stem}.${format}`);
      msg.textContent = t("downloaded", name);
    } catch (e) {
      msg.textContent = e.message;
    } finally { btn.disabled = false; }
  };
  return h("span", { class: "export-buttons", id },
    h("button", { type: "button", id: id + "-csv", onclick: go("csv"), text: t("export_to_csv") }), " ",
    h("button", { type: "button", id: id + "-xlsx", onclick: go("xlsx"), text: t("export_to_xlsx") }), " ", msg);
}

const isXlsx = (bytes) => bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

/** Sends a file's bytes to the import route of `kind`. */
async function send(kind, bytes, name, dryRun) {
  const type = isXlsx(bytes) ? "application/octet-stream" : "text/csv";
  return api("POST", `/api/imports/${kind}` + qs({ dry_run: dryRun ? "true" : "false", file_name: name }), new Blob([bytes], { type }));
}

function counts(r, dryRun) {
  const keys = dryRun ? [["rows", "imp_rows"], ["created", "imp_would_create"], ["updated", "imp_would_update"], ["unchanged", "imp_unchanged"]]
    : [["rows", "imp_rows"], ["created", "imp_created"], ["updated", "imp_updated"], ["unchanged", "imp_unchanged"]];
  return h("dl", { class: "facts", id: "import-counts", "data-dry-run": dryRun ? "true" : "false" },
    keys.map(([k, label]) => [h("dt", { text: t(label) }), h("dd", { "data-count": k, text: num(r[k] || 0) })]));
}

/** The problem codes' catalogue in the page's language (`/api/imports/messages`), loaded once
 * per language before a page shows problems. */
let catalogue = null;
export async function loadProblemMessages() {
  if (catalogue && catalogue.lang === lang()) return;
  try { catalogue = await api("GET", "/api/imports/messages" + qs({ lang: lang() })); } catch (e) { catalogue = null; }
}

/** A problem's reason in the page's language: from its code and parameters by the catalogue;
 * the API's own words (`fallback`) for a problem without a code. */
export function reason(code, params, fallback) {
  const tpl = code && catalogue && catalogue.messages[code];
  if (!tpl) return apiText(fallback);
  if (!params) return /\{\w+\}/.test(tpl) ? apiText(fallback) : tpl;
  return tpl.replace(/\{(\w+)\}/g, (_, k) => {
    const v = params[k] === undefined || params[k] === null ? "" : String(params[k]);
    const words = catalogue.values[k];
    if (words && words[v] !== undefined) return words[v];
    if (k === "date" && lang() === "vi" && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v.split("-").reverse().join("/");
    return v;
  });
}

/** The problems of a refused file (422 with `details`): the first 1,000 by row (row, column,
 * value, reason), how many there are in all and, for many, their counts by column and reason.
 * `all`, when given, downloads every problem as CSV. */
export function problems(err, all) {
  const details = err.details || [];
  const m = /^(?:Có )?(\d+) (?:problem|lỗi)/.exec(err.message || "");
  const n = typeof err.problemsTotal === "number" ? err.problemsTotal : (m ? Number(m[1]) : details.length);
  const counts = err.problemCounts || [];
  const msg = h("span", { class: "export-msg", role: "status" });
  const getAll = async (ev) => {
    const btn = ev.currentTarget;
    btn.disabled = true;
    msg.textContent = "";
    try { msg.textContent = t("downloaded", await all()); } catch (e) { msg.textContent = e.message; } finally { btn.disabled = false; }
  };
  return h("div", { id: "import-problems", "data-total": n },
    h("h2", { text: t("imp_problems", num(n)) }),
    notice(err.message, "err"),
    details.length < n ? h("p", { id: "problems-shown", text: t("imp_problems_shown", num(details.length), num(n)) }) : null,
    all ? h("p", { class: "actions" },
      h("button", { type: "button", id: "problems-csv", onclick: getAll, text: t("imp_problems_csv") }), " ", msg) : null,
    counts.length && (details.length < n || n > 20) ? h("details", { id: "problem-counts-box", open: details.length < n },
      h("summary", { text: t("imp_problem_counts") }),
      table([t("imp_column"), t("imp_reason"), t("imp_count")],
        counts.map((c) => h("tr", {},
          h("td", { text: c.column || "—" }),
          h("td", { text: reason(c.code, null, c.reason) }),
          h("td", { class: "num", text: num(c.count) }))),
        { id: "problem-counts" })) : null,
    details.length ? table([t("imp_row"), t("imp_column"), t("imp_value"), t("imp_reason")],
      details.map((d) => h("tr", { "data-row": d.row ?? "" },
        h("td", { class: "num", text: d.row === null || d.row === undefined ? "—" : num(d.row) }),
        h("td", { text: d.field || "—" }),
        h("td", {}, d.value ? h("code", { text: d.value }) : "—"),
        h("td", { "data-code": d.code || "", text: reason(d.code, d.params, d.message) }))),
      { id: "problems-table" }) : null);
}

/** The import page: kind, template, file, check (dry run), then import. */
export async function importView(q) {
  await loadProblemMessages();
  const kinds = importKinds(session.account.role);
  if (!kinds.length) return h("div", {}, h("h1", { text: t("import_page") }), notice(t("import_not_allowed"), "warn"));
  const pre = kinds.includes(q.get("kind")) ? q.get("kind") : kinds[0];
  const kind = h("select", {}, kinds.map((k) => h("option", { value: k, text: t("imp_kind_" + k), selected: k === pre })));
  const hint = h("p", { class: "hint", id: "kind-hint" });
  const tplMsg = h("span", { class: "export-msg", role: "status" });
  const template = (format) => async (ev) => {
    const btn = ev.currentTarget;
    btn.disabled = true;
    tplMsg.textContent = "";
    try {
      const name = await download(`/api/imports/${kind.value}/template` + qs({ format, lang: lang() }), `template-${kind.value}.${format}`);
      tplMsg.textContent = t("downloaded", name);
    } catch (e) { tplMsg.textContent = e.message; } finally { btn.disabled = false; }
  };
  const file = h("input", { type: "file", accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
  const checkBtn = h("button", { type: "submit", class: "primary", id: "import-check", text: t("imp_check") });
  const commitBtn = h("button", { type: "button", id: "import-commit", disabled: true, text: t("import"), "aria-describedby": "import-commit-hint" });
  const commitHint = h("span", { class: "hint", id: "import-commit-hint", text: t("imp_commit_hint") });
  const out = h("div", { id: "import-out", tabindex: "-1", "aria-live": "polite" });
  // What the last clean check was for: the import sends exactly those bytes.
  let checked = null;
  const reset = () => {
    checked = null;
    commitBtn.disabled = true;
    out.replaceChildren();
    hint.textContent = t("imp_hint_" + kind.value);
  };
  kind.addEventListener("change", reset);
  file.addEventListener("change", reset);
  reset();
  // The result shows below the form: bring it into view (on a phone it is below the fold).
  const show = (...nodes) => { out.replaceChildren(...nodes); out.scrollIntoView({ block: "nearest" }); };
  // Every problem of the file last sent, as CSV (the answer lists the first 1,000).
  const allProblems = (k, bytes) => () => download(`/api/imports/${k}/problems` + qs({ lang: lang() }), `problems-${k}.csv`,
    new Blob([bytes], { type: isXlsx(bytes) ? "application/octet-stream" : "text/csv" }));
  const fail = (e, sent) => {
    if (e instanceof ApiError && e.status === 422 && e.details && e.details.length) show(problems(e, sent && allProblems(sent.kind, sent.bytes)));
    else show(notice(e.message, "err"));
  };
  const form = h("form", { class: "card", id: "import-file-form", novalidate: true },
    h("h2", { text: t("imp_step_file") }),
    field(t("imp_kind"), kind, "kind"), hint,
    h("p", { class: "actions" }, t("imp_template") + ": ",
      h("button", { type: "button", id: "template-csv", onclick: template("csv"), text: t("template_csv") }),
      h("button", { type: "button", id: "template-xlsx", onclick: template("xlsx"), text: t("template_xlsx") }), tplMsg),
    field(t("imp_file"), file, "file", t("imp_file_hint")),
    h("p", { class: "actions" }, checkBtn, commitBtn, commitHint));
  // The buttons stay enabled while busy (a disabled button would drop the keyboard focus).
  let busy = false;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (busy) return;
    const f = file.files[0];
    reset();
    if (!f) { show(notice(t("imp_choose_file"), "err")); file.focus(); return; }
    busy = true;
    form.setAttribute("aria-busy", "true");
    let sent = null;
    try {
      const bytes = new Uint8Array(await f.arrayBuffer());
      sent = { kind: kind.value, bytes };
      const r = await send(kind.value, bytes, f.name, true);
      checked = { kind: kind.value, bytes, name: f.name };
      commitBtn.disabled = false;
      show(notice(t("imp_clean", num(r.rows)), "ok"), counts(r, true));
    } catch (e) { fail(e, sent); } finally { busy = false; form.removeAttribute("aria-busy"); }
  });
  commitBtn.addEventListener("click", async () => {
    if (!checked || busy) return;
    busy = true;
    form.setAttribute("aria-busy", "true");
    const c = checked;
    try {
      const r = await send(c.kind, c.bytes, c.name, false);
      checked = null;
      commitBtn.disabled = true;
      show(notice(t("imp_done", c.name), "ok"), counts(r, false));
      out.focus(); // the Import button is disabled again: the keyboard focus goes to the result
    } catch (e) {
      // The data changed since the check: the file must be checked again.
      if (e instanceof ApiError && e.status === 422) { checked = null; commitBtn.disabled = true; }
      fail(e, c);
    } finally { busy = false; form.removeAttribute("aria-busy"); }
  });
  const role = session.account.role;
  const exports = h("section", { class: "card", id: "exports" }, h("h2", { text: t("exports") }),
    h("p", {}, h("strong", { text: t("imp_kind_cadres") + ": " }), exportButtons("/api/exports/cadres", {}, "cadres", "export-cadres")),
    h("p", {}, h("strong", { text: t("imp_kind_completions") + ": " }), exportButtons("/api/exports/completions", {}, "completions", "export-completions")),
    role !== "officer" ? h("p", {}, h("strong", { text: t("classes_enrolments") + ": " }), exportButtons("/api/exports/classes", { lang: lang() }, "classes", "export-classes")) : null,
    h("p", { class: "hint", text: t("exports_hint") }));
  return h("div", { id: "import-page" },
    h("h1", { text: t("import_page") }),
    h("p", { text: t("import_intro") }),
    form, out, exports);
}
