// The school's edits of a class after creation: its status (cancelling asks for a reason), its
// details (title, organiser, seats, enrolment window, attendance share) and its schedule
// (reschedule, add or remove sessions, with the same clash checks as a new class).
import { t, time, cityDay, addDays, parseDate } from "./i18n.js";
import { h, api, field, dateInput, readDate, onSubmit, section, notice } from "./core.js";
import { sessionRow } from "./school.js";

/** Next statuses a class may move to. */
export const NEXT = { planned: ["open", "cancelled"], open: ["running", "cancelled"], running: ["finished", "cancelled"], finished: [], cancelled: [] };

/** The status buttons; cancelling opens a form asking for the reason, then confirming. */
export function statusActions(c, enc, msg) {
  const box = h("div", { class: "actions", id: "status-actions" }, h("span", { text: t("set_status") + ": " }));
  const go = async (status, reason) => {
    await api("POST", `/api/classes/${enc}/status`, reason === undefined ? { status } : { status, reason });
    location.hash = "#/class/" + enc + "?s=" + status;
  };
  for (const s of NEXT[c.status]) {
    box.append(h("button", { type: "button", "data-status": s, text: t("st_" + s), onclick: async (ev) => {
      if (s !== "cancelled") {
        try { await go(s); } catch (e) { msg.replaceChildren(notice(e.message, "err")); }
        return;
      }
      ev.currentTarget.disabled = true;
      const reason = h("input", { autocomplete: "off", maxlength: 500 });
      const f = h("form", { class: "inline", id: "cancel-form", novalidate: true },
        field(t("cancel_reason"), reason, "reason", t("cancel_hint")),
        h("button", { type: "submit", class: "primary danger", text: t("cancel_confirm") }));
      onSubmit(f, () => go("cancelled", reason.value));
      box.append(f);
      reason.focus();
    } }));
  }
  return box;
}

/** The class's details as a form (PATCH): title, organiser, seats, enrolment window, attendance share. */
export function detailsSection(c, enc) {
  const title = h("input", { value: c.title });
  const organiser = h("input", { value: c.organiser });
  const capacity = h("input", { type: "number", min: 1, value: c.capacity, inputmode: "numeric" });
  const opens = dateInput(c.enrol_opens), closes = dateInput(c.enrol_closes);
  const pct = h("input", { type: "number", min: 0, max: 100, value: c.min_attendance_pct, inputmode: "numeric" });
  const f = h("form", { id: "class-edit-form", class: "card", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "grid2" }, field(t("class_title"), title, "title"), field(t("organiser"), organiser, "organiser"),
      field(t("capacity"), capacity, "capacity", t("capacity_hint")), field(t("min_attendance"), pct, "min_attendance_pct"),
      field(t("enrol_opens"), opens, "enrol_opens", t("date_hint")), field(t("enrol_closes"), closes, "enrol_closes", t("date_hint"))),
    h("button", { type: "submit", class: "primary", text: t("save") }));
  onSubmit(f, async () => {
    await api("PATCH", `/api/classes/${enc}`, { title: title.value.trim(), organiser: organiser.value.trim(), capacity: Number(capacity.value),
      min_attendance_pct: Number(pct.value), enrol_opens: readDate(opens, "enrol_opens"), enrol_closes: readDate(closes, "enrol_closes") });
    location.hash = `#/class/${enc}?saved=${Date.now()}`;
  });
  return section(t("edit_class"), f);
}

/** The class's schedule as rows to change, add or remove (PUT of every session). */
export function scheduleSection(c, enc) {
  const rows = h("div", { class: "sessions" });
  for (const s of c.sessions) sessionRow(rows, { date: cityDay(s.starts_at), start: time(s.starts_at), end: time(s.ends_at), venue: s.venue, instructor: s.instructor });
  const f = h("form", { id: "schedule-form", class: "card", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }), rows,
    h("p", {}, h("button", { type: "button", id: "add-session", text: t("add_session"), onclick: () => {
      const last = rows.lastElementChild;
      const prev = last ? parseDate(last.querySelector("input.date").value) : null;
      sessionRow(rows, { date: prev ? addDays(prev, 1) : undefined });
      rows.lastElementChild.querySelector("input").focus();
    } })),
    h("button", { type: "submit", class: "primary", text: t("save_schedule") }));
  onSubmit(f, async () => {
    await api("PUT", `/api/classes/${enc}/sessions`, { sessions: [...rows.children].map((r) => r.read()) });
    location.hash = `#/class/${enc}?saved=${Date.now()}`;
  });
  return section(t("edit_schedule"), h("p", { class: "hint", text: t("schedule_hint") }), f);
}

/** The cancellation's reason, for the class page of a cancelled class. */
export function cancelledNote(c) {
  return c.status === "cancelled" && c.cancel_reason ? notice(`${t("cancelled_because")}: ${c.cancel_reason}`, "err") : null;
}
