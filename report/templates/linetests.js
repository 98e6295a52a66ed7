// linetests.js: which tests run a line. A file page's #line-tests block
// maps line numbers to indices into its list of tests; hovering or
// clicking a line's gutter (its number) shows them in a small panel.
(function () {
  "use strict";
  var data = document.getElementById("line-tests");
  var code = document.querySelector("ol.source");
  if (!data || !code) return;
  var lt;
  try { lt = JSON.parse(data.textContent); } catch (e) { return; }
  var panel = document.createElement("div");
  panel.id = "line-tests-panel";
  panel.className = "line-tests";
  panel.hidden = true;
  panel.setAttribute("role", "status");
  document.body.appendChild(panel);
  var pinned = null;

  function lineOf(ev) {
    var el = ev.target;
    while (el && el.parentNode !== code) el = el.parentNode;
    if (!el || !/^L\d+$/.test(el.id || "")) return null;
    var rect = el.getBoundingClientRect();
    var gutter = parseFloat(getComputedStyle(el).paddingLeft) || 0;
    if (ev.clientX - rect.left > gutter) return null;
    return el;
  }

  function show(el) {
    var n = el.id.slice(1);
    var idx = lt.lines[n] || [];
    panel.textContent = "";
    var head = document.createElement("strong");
    head.textContent = idx.length ? "Line " + n + " runs in " + idx.length + (idx.length === 1 ? " test:" : " tests:") : "Line " + n + ": no test runs it";
    panel.appendChild(head);
    if (idx.length) {
      var ul = document.createElement("ul");
      idx.forEach(function (i) {
        var li = document.createElement("li");
        var c = document.createElement("code");
        c.textContent = lt.tests[i];
        li.appendChild(c);
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }
    panel.hidden = false;
    place(el);
    // site.js may scroll the clicked line to its anchor: place it again
    // once that is done.
    requestAnimationFrame(function () { place(el); });
  }

  function place(el) {
    var rect = el.getBoundingClientRect();
    panel.style.top = (window.scrollY + rect.bottom) + "px";
    panel.style.left = (window.scrollX + rect.left) + "px";
  }

  code.addEventListener("click", function (ev) {
    var el = lineOf(ev);
    if (!el) return;
    pinned = pinned === el ? null : el;
    if (pinned) show(el); else panel.hidden = true;
  });
  code.addEventListener("mousemove", function (ev) {
    if (pinned) return;
    var el = lineOf(ev);
    if (el) show(el); else panel.hidden = true;
  });
  code.addEventListener("mouseleave", function () { if (!pinned) panel.hidden = true; });
})();
