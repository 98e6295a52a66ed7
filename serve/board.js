// The claims board: claim and release buttons, the name (and token) kept
// in this browser's localStorage. No framework, no network but this server.
(function () {
  "use strict";
  var name = document.getElementById("name");
  var token = document.getElementById("token");
  var msg = document.getElementById("msg");
  try {
    name.value = localStorage.getItem("sprintkit-name") || "";
    if (token) token.value = localStorage.getItem("sprintkit-token") || "";
  } catch (e) {}
  function headers() {
    var h = { "Content-Type": "application/json" };
    if (token && token.value) h["Authorization"] = "Bearer " + token.value;
    return h;
  }
  function remember() {
    try {
      localStorage.setItem("sprintkit-name", name.value);
      if (token) localStorage.setItem("sprintkit-token", token.value);
    } catch (e) {}
  }
  function done(res) {
    if (res.ok) { location.reload(); return; }
    return res.json().then(function (d) { msg.textContent = d.error || res.statusText; },
                           function () { msg.textContent = res.statusText; });
  }
  document.getElementById("me").addEventListener("submit", function (e) { e.preventDefault(); });
  document.getElementById("board").addEventListener("click", function (e) {
    var b = e.target;
    if (b.tagName !== "BUTTON") return;
    var row = b.closest("tr");
    var target = row.getAttribute("data-target");
    msg.textContent = "";
    if (b.classList.contains("claim")) {
      if (!name.value.trim()) { msg.textContent = "type your name first"; name.focus(); return; }
      remember();
      fetch("claims", { method: "POST", headers: headers(),
        body: JSON.stringify({ target: target, name: name.value.trim(), note: "" }) })
        .then(done, function (err) { msg.textContent = String(err); });
    } else if (b.classList.contains("release")) {
      remember();
      var path = target.split("/").map(encodeURIComponent).join("/");
      // The claimant releases their own claim (the organiser: the token).
      if (name.value.trim()) path += "?as=" + encodeURIComponent(name.value.trim());
      fetch("claims/" + path, { method: "DELETE", headers: headers() })
        .then(done, function (err) { msg.textContent = String(err); });
    }
  });
})();
