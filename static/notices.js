// The inbox: the account's notices (newest first, unread marked), mark read, and its settings
// (e-mail address, language of notices and e-mail, the kinds not to mail).
import { t, lang, dateTime } from "./i18n.js";
import { h, api, qs, field, onSubmit, section, notice, pager } from "./core.js";

const KINDS = ["enrolled", "waitlisted", "promoted", "not_placed", "class_rescheduled", "class_cancelled", "class_starts_soon", "session_tomorrow", "completion_recorded", "completion_withheld", "certificate_revoked", "training_stale_soon", "removed_from_class", "class_not_passed"];

/** Refreshes the unread count in the top bar (hidden at 0). */
export async function refreshUnread() {
  const badge = document.getElementById("unread");
  const link = document.getElementById("inbox-link");
  if (!badge || !link) return;
  let n = 0;
  try { n = (await api("GET", "/api/notices/unread")).unread; } catch (_) { return; }
  // The visible count, and for a screen reader the words around it ("2 chưa đọc").
  badge.replaceChildren(n > 0 ? String(n) : "", h("span", { class: "sr-only", text: n > 0 ? " " + t("notices_unread_words") : "" }));
  badge.dataset.count = String(n);
  badge.hidden = n === 0;
}

export async function noticesView(q) {
  const unreadOnly = q.get("unread") === "1";
  const offset = Math.max(Number(q.get("offset")) || 0, 0);
  const [list, settings] = await Promise.all([
    api("GET", "/api/notices" + qs({ lang: lang(), unread: unreadOnly ? "true" : null, limit: 20, offset })),
    api("GET", "/api/notices/settings"),
  ]);
  const go = (o, only) => { location.hash = "#/notices" + qs({ unread: only ? "1" : null, offset: o || null }); };
  const markAll = h("button", { type: "button", id: "notices-read-all", class: "small", text: t("notices_read_all"), disabled: list.unread === 0,
    onclick: async (ev) => {
      await api("POST", "/api/notices/read-all");
      document.querySelectorAll(".notice-item.unread").forEach((li) => {
        li.classList.remove("unread");
        li.querySelectorAll(".b-unread, button[data-notice]").forEach((x) => x.remove());
      });
      ev.target.disabled = true;
      await refreshUnread();
    } });
  const filter = h("a", { href: "#/notices" + qs({ unread: unreadOnly ? null : "1" }), id: "notices-filter", text: unreadOnly ? t("notices_show_all") : t("notices_show_unread") });
  const items = list.items.map((n) => {
    const read = h("button", { type: "button", class: "small", text: t("notices_mark_read"), "data-notice": n.id,
      onclick: async (ev) => {
        await api("POST", `/api/notices/${n.id}/read`);
        const li = ev.target.closest("li");
        li.classList.remove("unread");
        li.querySelectorAll(".b-unread").forEach((x) => x.remove());
        ev.target.remove();
        await refreshUnread();
      } });
    return h("li", { class: "notice-item" + (n.read_at ? "" : " unread"), "data-kind": n.kind, id: "notice-" + n.id },
      h("p", { class: "notice-subject" }, h("strong", { text: n.subject }), n.read_at ? null : h("span", { class: "badge b-unread", text: t("notices_new") })),
      h("p", { class: "notice-text", text: n.text }),
      h("p", { class: "hint" }, h("time", { datetime: n.created_at, text: dateTime(n.created_at) }),
        n.mail === "sent" ? " · " + t("notices_mailed") : ""),
      n.read_at ? null : read);
  });
  const body = list.items.length
    ? h("ul", { class: "notice-list", id: "notice-list" }, items)
    : h("p", { id: "notices-empty", text: unreadOnly ? t("notices_none_unread") : t("notices_none") });
  return h("div", { id: "notices-page" },
    h("h1", { text: t("notices") }),
    h("p", { class: "toolbar" }, filter, " ", markAll),
    body,
    list.total > list.limit || offset > 0 ? pager(list, list.items.length, (o) => go(o, unreadOnly), "notices-pager") : null,
    settingsForm(settings));
}

function settingsForm(s) {
  const email = h("input", { type: "email", autocomplete: "email", value: s.email || "" });
  const langSel = h("select", {},
    h("option", { value: "vi", text: "Tiếng Việt", selected: s.lang === "vi" }),
    h("option", { value: "en", text: "English", selected: s.lang === "en" }));
  const boxes = KINDS.map((k) => h("input", { type: "checkbox", name: "mail_" + k, value: k, checked: !s.email_off.includes(k) }));
  const done = h("div", { id: "notice-settings-msg", "aria-live": "polite" });
  const form = h("form", { id: "notice-settings", novalidate: true },
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("p", { class: "hint", text: s.mail_enabled ? t("notices_mail_on", s.mail_to || t("notices_no_address")) : t("notices_mail_off") }),
    field(t("notices_email"), email, "email", t("notices_email_hint")),
    field(t("notices_lang"), langSel, "lang"),
    h("fieldset", { "data-field": "email_off" },
      h("legend", { text: t("notices_mail_kinds") }),
      KINDS.map((k, i) => h("label", { class: "check" }, boxes[i], " " + t("notice_kind_" + k))),
      h("span", { class: "field-error", role: "alert" })),
    h("button", { type: "submit", class: "primary", text: t("save") }));
  onSubmit(form, async () => {
    done.replaceChildren();
    const off = KINDS.filter((k, i) => !boxes[i].checked);
    await api("PUT", "/api/notices/settings", { email: email.value.trim() || null, lang: langSel.value, email_off: off });
    done.replaceChildren(notice(t("saved")));
  });
  return section(t("notices_settings"), form, done);
}
