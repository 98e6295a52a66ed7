// sprintkit report: sortable tables and a name filter. The pages work
// without this script (the server order is the rank order); with it, every
// column of a table.sortable sorts on click and input[data-filter] filters.
(function () {
  'use strict';

  // A file page's rows carry no ids (an id per row was a fifth of the bytes
  // of a page of small functions): row n is line n, and gets its id L<n>
  // here, before the page has finished loading, so that #L12 links (from
  // this page and others) land on it and :target marks it. A patch page's
  // rows have their own ids (f1-L4) and are left alone.
  Array.prototype.forEach.call(document.querySelectorAll('ol.source:not(.patch)'), function (code) {
    var lines = code.children;
    for (var i = 0; i < lines.length; i++) if (!lines[i].id) lines[i].id = 'L' + (i + 1);
  });
  // The missed lines of a file page ("4-7, 14") each link to the first
  // line of their range.
  Array.prototype.forEach.call(document.querySelectorAll('p.missed > span'), function (span) {
    var ranges = span.textContent.split(', ');
    span.textContent = '';
    ranges.forEach(function (r, i) {
      if (i > 0) span.appendChild(document.createTextNode(', '));
      var a = document.createElement('a');
      a.href = '#L' + r.split('-')[0];
      a.textContent = r;
      span.appendChild(a);
    });
  });
  // The uncovered functions of a file page ("<a>Add</a> line 19, …") each
  // link to their line.
  Array.prototype.forEach.call(document.querySelectorAll('.uncovered-funcs li > a:not([href])'), function (a) {
    var m = /^ line (\d+),/.exec(a.nextSibling ? a.nextSibling.textContent : '');
    if (m) a.href = '#L' + m[1];
  });
  // Should the browser have looked for the fragment before the ids were
  // there, navigate to it again (replacing the history entry): that scrolls
  // to the line and marks it :target.
  (function () {
    var id = location.hash.slice(1);
    var t = /^L\d+$/.test(id) && document.getElementById(id);
    if (t && !t.matches(':target')) location.replace(location.href);
  })();

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
  // j or n, k or p: the next or previous uncovered chunk of a source
  // listing, as in coverage.py's htmlcov. A chunk is a run of uncovered or
  // partly covered lines, joined across lines with no statement (blank
  // lines, a lone brace), so the chunks are the ranges of the page's
  // "Missed lines". The current chunk is marked .cur and scrolled to its
  // first line, which the stylesheet's scroll-margin-top leaves a few lines
  // below the top edge.
  Array.prototype.forEach.call(document.querySelectorAll('ol.source'), function (code) {
    var lines = code.children, chunks = [], run = null, at = -1;
    for (var i = 0; i < lines.length; i++) {
      var cl = lines[i].classList;
      if (cl.contains('u') || cl.contains('p')) {
        if (run) run.last = i; else chunks.push(run = { first: i, last: i });
      } else if (cl.contains('c')) {
        run = null;
      }
    }
    var keys = document.querySelector('.keys');
    var where = keys && keys.querySelector('.where');
    if (!chunks.length) return;
    if (keys) keys.hidden = false;
    function mark(n, on) {
      for (var i = chunks[n].first; i <= chunks[n].last; i++) lines[i].classList.toggle('cur', on);
    }
    function show(n) {
      if (at >= 0) mark(at, false);
      at = n;
      mark(n, true);
      var first = lines[chunks[n].first], last = lines[chunks[n].last];
      var margin = parseFloat(getComputedStyle(first).scrollMarginTop) || 0;
      if (first.getBoundingClientRect().top < margin || last.getBoundingClientRect().bottom > window.innerHeight) {
        first.scrollIntoView({ block: 'start' });
      }
      if (where) where.textContent = 'chunk ' + (n + 1) + ' of ' + chunks.length + ', lines ' + (chunks[n].first + 1) + (chunks[n].last > chunks[n].first ? '–' + (chunks[n].last + 1) : '');
    }
    function step(dir) {
      var n = at + dir;
      if (at < 0) {
        // Nothing marked yet: start from what is on screen.
        n = dir > 0 ? 0 : chunks.length - 1;
        for (var i = 0; i < chunks.length; i++) {
          var top = lines[chunks[i].first].getBoundingClientRect().top;
          if (dir > 0 && top >= 0) { n = i; break; }
          if (dir < 0 && top < 0) n = i;
        }
      }
      if (n >= 0 && n < chunks.length) show(n);
    }
    document.addEventListener('keydown', function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
      var t = ev.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      var dir = { j: 1, n: 1, k: -1, p: -1 }[ev.key];
      if (!dir) return;
      ev.preventDefault();
      step(dir);
    });
  });

  // The margin of a source listing (line number and marker) links to its
  // own line.
  Array.prototype.forEach.call(document.querySelectorAll('ol.source'), function (pre) {
    pre.classList.add('linked');
    pre.addEventListener('click', function (ev) {
      var line = ev.target;
      if (!line || line.parentNode.tagName !== 'OL' || !line.id) return;
      var margin = parseFloat(getComputedStyle(line).paddingLeft) || 0;
      if (ev.clientX - line.getBoundingClientRect().left < margin) location.hash = line.id;
    });
  });
})();
