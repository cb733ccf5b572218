// Shared helpers: DOM building, API calls, session, forms and errors, downloads.
import { t, lang, parseDate, date, num, errorText, loadErrorMessages } from "./i18n.js";

/** Builds an element. `attrs`: class, text, onX handlers, dataset via data-*, others as attributes. */
export function h(tag, attrs, ...children) {
  const ns = tag.startsWith("svg:") ? "http://www.w3.org/2000/svg" : null;
  const el = ns ? document.createElementNS(ns, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") el.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class" && !ns) el.className = v;
    else if (k === "value" && !ns) el.value = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    // The API's errors have a reason (rendered in the page's language); the pages' own checks
    // carry their message already translated.
    super((e.reason ? errorText(e) : e.message) || `HTTP ${status}`);
    this.reason = e.reason;
    this.params = e.params;
    this.status = status;
    this.code = e.code;
    this.field = e.field;
    this.details = e.details;
    // A file's problems: `details` holds the first 1,000; these count all of them.
    this.problemsTotal = e.problems_total;
    this.problemCounts = e.problem_counts;
  }
}

export const session = {
  get token() { return sessionStorage.getItem("token"); },
  set token(v) { if (v) sessionStorage.setItem("token", v); else sessionStorage.removeItem("token"); },
  account: null,
};

/** Whether the signed-in account may still enrol a cadre in class `c` (as listed, sessions in
 * time order): the school and admins until it finishes, cadres and officers until its first
 * session starts (the server's rule; it refuses the rest). */
export function takesEnrolments(c) {
  const role = session.account && session.account.role;
  if (role === "school" || role === "admin") return true;
  const first = c.sessions && c.sessions[0];
  return !first || new Date(first.starts_at) > new Date();
}

/** Calls the API; resolves to the JSON answer (or null on 204), rejects with ApiError. */
export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (session.token) headers.Authorization = "Bearer " + session.token;
  const init = { method, headers };
  if (body !== undefined) {
    if (body instanceof Blob || typeof body === "string") {
      init.body = body;
      headers["Content-Type"] = (body instanceof Blob && body.type) || "text/csv";
    } else {
      init.body = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = { error: { message: text } }; }
  if (res.status === 401 && session.token && path !== "/api/auth/login") {
    session.token = null;
    session.account = null;
    location.hash = "#/login";
  }
  if (!res.ok) throw await apiError(res.status, data);
  return data;
}

/** The ApiError of an answer that is not OK, its message in the page's language (the error
 * catalogue loaded first). An answer without a reason is recorded in window.__errors. */
async function apiError(status, data) {
  await loadErrorMessages();
  const e = data && data.error;
  if (!e || !e.reason) {
    (window.__errors = window.__errors || []).push(`API error without a reason (HTTP ${status}, ${lang()}): ${e && e.message}`);
  }
  return new ApiError(status, data);
}

/** Query string from an object, skipping empty values. */
export function qs(obj) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== null && v !== "") p.set(k, v);
  const s = p.toString();
  return s ? "?" + s : "";
}

let fieldSeq = 0;

/** A labelled field: `name` is the API field it maps to (for error messages). */
export function field(label, input, name, hint) {
  const id = input.id || "f" + ++fieldSeq;
  input.id = id;
  if (!input.name && name) input.name = name;
  const err = h("span", { class: "field-error", id: id + "-err", role: "alert" });
  const described = [err.id];
  let hintEl = null;
  if (hint) {
    hintEl = h("span", { class: "hint", id: id + "-hint", text: hint });
    described.push(hintEl.id);
  }
  input.setAttribute("aria-describedby", described.join(" "));
  return h("div", { class: "field", "data-field": name || "" }, h("label", { for: id, text: label }), input, hintEl, err);
}

export function dateInput(value, attrs) {
  return h("input", Object.assign({ inputmode: "numeric", placeholder: t("date_hint"), value: value ? date(value) : "", autocomplete: "off", class: "date" }, attrs || {}));
}

/** Reads a dd/mm/yyyy input; throws a field error naming `name` when invalid. */
export function readDate(input, name, optional) {
  const v = input.value.trim();
  if (!v && optional) return null;
  const d = parseDate(v);
  if (!d) throw new ApiError(422, { error: { code: "invalid", message: t("bad_date"), field: name } });
  return d;
}

export function clearErrors(root) {
  root.querySelectorAll(".field-error").forEach((e) => { e.textContent = ""; });
  root.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  root.querySelectorAll(".form-error").forEach((e) => { e.textContent = ""; e.hidden = true; });
}

/** Shows an error next to the field it names (`data-field`), or at the form's top. */
export function showError(root, err) {
  if (!(err instanceof ApiError)) {
    console.warn(err);
    err = new ApiError(0, { error: { message: String(err && err.message ? err.message : err) } });
  }
  let box = null;
  if (err.field) {
    // "sessions[1].venue" → that field, else the session row "sessions[1]", else "sessions".
    for (let f = err.field; f && !box; ) {
      box = root.querySelector(`[data-field="${CSS.escape(f)}"]`);
      const up = f.replace(/(\.[^.[\]]*|\[\d+\])$/, "");
      f = up === f ? null : up;
    }
  }
  if (box) {
    const span = box.querySelector(":scope > .field-error") || box.querySelector(".field-error");
    if (span) {
      span.textContent = err.message;
      const input = box.querySelector("input, select, textarea");
      if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
      return;
    }
  }
  let top = root.querySelector(".form-error");
  if (!top) {
    top = h("p", { class: "form-error", role: "alert" });
    root.prepend(top);
  }
  top.hidden = false;
  top.textContent = err.message;
}

/** Wraps a form submit handler: clears errors, disables the button, shows errors. */
export function onSubmit(form, fn) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const btn = form.querySelector("button[type=submit]");
    if (btn) btn.disabled = true;
    try { await fn(); } catch (e) { showError(form, e); } finally { if (btn) btn.disabled = false; }
  });
  return form;
}

/** A link to the public check of a certificate, with its code when known (the full answer). */
export function verifyHref(no, code) {
  return "#/verify/" + encodeURIComponent(no) + (code ? "?code=" + encodeURIComponent(code) : "");
}

export function notice(text, kind) {
  return h("p", { class: "notice " + (kind || "ok"), role: "status", text });
}

/** Fetches a file with the session's token and saves it (records it in window.__downloads). */
export async function download(path, fallbackName, body) {
  // With a body (a Blob), the file is POSTed and what comes back is saved (e.g. a file's problems).
  const headers = { Authorization: "Bearer " + session.token };
  const init = { headers };
  if (body !== undefined) {
    init.method = "POST";
    init.body = body;
    headers["Content-Type"] = body.type || "application/octet-stream";
  }
  const res = await fetch(path, init);
  if (!res.ok) {
    let body = null;
    try { body = await res.json(); } catch (_) { /* not JSON */ }
    throw await apiError(res.status, body);
  }
  const blob = await res.blob();
  const cd = res.headers.get("Content-Disposition") || "";
  const m = /filename="?([^";]+)"?/.exec(cd);
  const name = m ? m[1] : fallbackName;
  const head = new Uint8Array(await blob.slice(0, 4).arrayBuffer());
  // A CSV's header line (the BOM dropped by the decoding), for the tests.
  const firstLine = /\.csv$/i.test(name) ? (await blob.slice(0, 1000).text()).split(/\r?\n/)[0] : null;
  (window.__downloads = window.__downloads || []).push({
    name, type: blob.type, size: blob.size, magic: String.fromCharCode(...head), first_line: firstLine,
  });
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}

/**
 * A link to a PDF the API makes (a certificate, a sign-in sheet): its address is the file's, and
 * a click fetches it with the session's token and saves it (`download`), in the page's language.
 */
export function pdfLink(path, fallbackName, text, attrs) {
  const msg = h("span", { class: "pdf-msg", role: "status" });
  const href = path + (path.includes("?") ? "&" : "?") + "lang=" + lang();
  const a = h("a", { href, class: "pdf-link", text, ...(attrs || {}), onclick: async (ev) => {
    ev.preventDefault();
    msg.textContent = "";
    try { await download(href, fallbackName); } catch (e) { msg.textContent = e.message; }
  } });
  return h("span", { class: "pdf" }, a, " ", msg);
}

export function table(headers, rows, attrs) {
  // Focusable, so that a table wider than the screen can be scrolled with the keyboard.
  return h("div", { class: "table-wrap", tabindex: "0" },
    h("table", attrs || {},
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows)));
}

export function statusBadge(s) {
  return h("span", { class: "badge b-" + s, text: t("st_" + s) });
}

export function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", { text: title }), children);
}

/**
 * Paging controls of a list: the position ("1–50 / 312") and previous/next buttons.
 * `p`: the API's page ({ total, offset, limit }, and `total_exact` false when the total is a
 * lower bound) and `shown`, the rows on this page. `go(offset)`
 * opens another page (a hash route's new address, or a redraw in place). `id` names the controls.
 */
export function pager(p, shown, go, id) {
  const from = shown ? p.offset + 1 : 0;
  const to = p.offset + shown;
  // A list that counts only so far (the audit trail) says "more than" its total.
  const more = p.total_exact === false;
  const pos = shown
    ? t(more ? "page_pos_more" : "page_pos", num(from), num(to), num(p.total))
    : t(more ? "page_none_more" : "page_none", num(p.total));
  const btn = (label, rel, offset, enabled) => h("button", {
    type: "button", class: "small " + rel, text: label, disabled: !enabled,
    onclick: () => go(Math.max(0, offset)),
  });
  return h("nav", { class: "pager", id: id || null, "aria-label": t("paging") },
    // From past the end, "previous" goes to the last page.
    btn("← " + t("prev"), "prev", shown ? p.offset - p.limit : Math.floor(Math.max(0, p.total - 1) / p.limit) * p.limit, p.offset > 0),
    h("span", { class: "pos", role: "status", text: pos }),
    btn(t("next") + " →", "next", p.offset + p.limit, to < p.total));
}

/** Scrolls a newly opened form into view and puts the keyboard in its first field. */
export function reveal(form) {
  form.scrollIntoView({ block: "start" });
  const first = form.querySelector("input:not([disabled]):not([type=hidden]), select, textarea");
  if (first) first.focus({ preventScroll: true });
}
