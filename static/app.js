// Minimal login page: stores the token in sessionStorage and shows who is logged in.
(function () {
  const form = document.getElementById("login");
  const msg = document.getElementById("message");
  const session = document.getElementById("session");

  function show(account) {
    form.hidden = true;
    session.hidden = false;
    document.getElementById("who").textContent = account.username;
    document.getElementById("role").textContent = account.role;
  }

  async function restore() {
    const token = sessionStorage.getItem("token");
    if (!token) return;
    const res = await fetch("/api/auth/me", { headers: { Authorization: "Bearer " + token } });
    if (res.ok) show(await res.json()); else sessionStorage.removeItem("token");
  }

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    msg.textContent = "";
    const body = { username: form.username.value, password: form.password.value };
    const res = await fetch("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await res.json();
    if (!res.ok) { msg.textContent = data.error.message; return; }
    sessionStorage.setItem("token", data.token);
    show(data.account);
  });

  document.getElementById("logout").addEventListener("click", function () {
    sessionStorage.removeItem("token");
    location.reload();
  });

  restore();
})();
