// Loaded first, before the app: records JavaScript errors so that tests (and support staff)
// can read them from window.__errors.
(function () {
  "use strict";
  window.__errors = [];
  window.addEventListener("error", function (ev) {
    window.__errors.push(String(ev.message || ev.type) + " @ " + (ev.filename || "") + ":" + (ev.lineno || ""));
  });
  window.addEventListener("unhandledrejection", function (ev) {
    var r = ev.reason;
    window.__errors.push("unhandled rejection: " + (r && r.stack ? r.stack : String(r)));
  });
  var orig = console.error;
  console.error = function () {
    window.__errors.push("console.error: " + Array.prototype.map.call(arguments, String).join(" "));
    return orig.apply(console, arguments);
  };
  document.addEventListener("securitypolicyviolation", function (ev) {
    window.__errors.push("CSP violation: " + ev.violatedDirective + " " + ev.blockedURI);
  });
})();
