// sprintkit report: sortable tables and a name filter. The pages work
// without this script (the server order is the rank order); with it, every
// column of a table.sortable sorts on click and input[data-filter] filters.
(function () {
  'use strict';

  // A cell sorts by its data-v attribute when it has one, else by its text;
  // numeric columns read the leading number ("38.1% …", "13 of 21").
  function cellKey(cell, numeric) {
    var v = cell.getAttribute('data-v');
    if (v === null) v = cell.textContent;
    if (numeric) {
      var n = parseFloat(v);
      return isNaN(n) ? -Infinity : n;
    }
    return v.trim().toLowerCase();
  }

  function sortBy(table, th, col) {
    var numeric = th.getAttribute('data-type') === 'num';
    var first = numeric ? 'descending' : 'ascending';
    var dir = th.getAttribute('aria-sort') === first ? (numeric ? 'ascending' : 'descending') : first;
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (row) {
      return { row: row, key: cellKey(row.cells[col], numeric), order: row.sprintkitOrder || 0 };
    });
    keyed.sort(function (a, b) {
      var c = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
      if (dir === 'descending') c = -c;
      return c || a.order - b.order;
    });
    var frag = document.createDocumentFragment();
    keyed.forEach(function (k) { frag.appendChild(k.row); });
    body.appendChild(frag);
  }

  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    // Remember the server order (the rank order) to break ties.
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row, i) { row.sprintkitOrder = i; });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      if (th.hasAttribute('data-nosort')) return;
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      button.title = 'sort by this column';
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener('click', function () { sortBy(table, th, col); });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll('input[data-filter]'), function (input) {
    var table = document.getElementById(input.getAttribute('data-filter'));
    if (!table) return;
    var count = document.querySelector('[data-count-for="' + table.id + '"]');
    var label = document.querySelector('label[for="' + input.id + '"]');
    input.hidden = false;
    if (label) label.hidden = false;
    function apply() {
      var q = input.value.trim().toLowerCase();
      var shown = 0, rows = table.tBodies[0].rows;
      for (var i = 0; i < rows.length; i++) {
        var name = (rows[i].getAttribute('data-name') || rows[i].textContent).toLowerCase();
        var hide = q !== '' && name.indexOf(q) < 0;
        rows[i].hidden = hide;
        if (!hide) shown++;
      }
      if (count) count.textContent = q === '' ? '' : shown + ' of ' + rows.length + ' shown';
    }
    input.addEventListener('input', apply);
    apply();
  });
  // The margin of a source listing (line number and marker) links to its
  // own line.
  Array.prototype.forEach.call(document.querySelectorAll('pre.source'), function (pre) {
    pre.classList.add('linked');
    pre.addEventListener('click', function (ev) {
      var line = ev.target;
      if (!line || line.parentNode.tagName !== 'CODE' || !line.id) return;
      var margin = parseFloat(getComputedStyle(line).paddingLeft) || 0;
      if (ev.clientX - line.getBoundingClientRect().left < margin) location.hash = line.id;
    });
  });
})();
