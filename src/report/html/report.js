(function () {
  'use strict';
  // Sorting and filtering of the report's tables. The data is in the DOM (escaped by
  // impactsim); this script is a constant whose hash is in the page's CSP.
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

  function key(td, numeric) {
    var v = td ? td.getAttribute('data-v') : null;
    if (numeric) {
      if (v === null || v === '') return null;
      var x = Number(v);
      return isNaN(x) ? null : x;
    }
    return v !== null ? v : td ? td.textContent : null;
  }

  function compare(a, b, numeric) {
    if (numeric) return a < b ? -1 : a > b ? 1 : 0;
    return collator.compare(a, b);
  }

  // Sorts the body rows by column `col`; empty cells go last in either direction and ties
  // keep their current order.
  function sortRows(table, col, dir) {
    var th = table.tHead.rows[0].cells[col];
    var numeric = th.getAttribute('data-kind') === 'num';
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows).map(function (r, i) {
      return { row: r, i: i, k: key(r.cells[col], numeric) };
    });
    rows.sort(function (a, b) {
      if (a.k === null || b.k === null) {
        if (a.k === b.k) return a.i - b.i;
        return a.k === null ? 1 : -1;
      }
      var c = compare(a.k, b.k, numeric);
      return (dir === 'descending' ? -c : c) || a.i - b.i;
    });
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) { frag.appendChild(r.row); });
    tbody.appendChild(frag);
    var cells = table.tHead.rows[0].cells;
    for (var j = 0; j < cells.length; j++) cells[j].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', dir);
  }

  function clickSort(table, col) {
    var th = table.tHead.rows[0].cells[col];
    var cur = th.getAttribute('aria-sort');
    var dir = cur === 'descending' ? 'ascending'
      : cur === 'ascending' ? 'descending'
      : th.getAttribute('data-kind') === 'num' ? 'descending' : 'ascending';
    sortRows(table, col, dir);
  }

  function filterRows(table, query) {
    var q = query.trim().toLowerCase();
    var rows = table.tBodies[0].rows;
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var ok = q === '' || rows[i].textContent.toLowerCase().indexOf(q) >= 0;
      rows[i].hidden = !ok;
      if (ok) shown++;
    }
    var count = document.getElementById(table.id + '-count');
    if (count) {
      count.textContent = q === '' ? rows.length + ' rows' : shown + ' of ' + rows.length + ' rows';
    }
    return shown;
  }

  var tables = document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables, function (table) {
    var cells = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(cells, function (th, col) {
      var button = th.querySelector('button');
      if (button) button.addEventListener('click', function () { clickSort(table, col); });
    });
    var input = document.getElementById(table.id + '-filter');
    if (input) {
      input.addEventListener('input', function () { filterRows(table, input.value); });
      if (input.value) filterRows(table, input.value);
    }
  });

  // With the URL ending in #selftest, the page checks its own sorting and filtering and
  // writes the results, one line per check, into a new pre element with the id selftest
  // (impactsim's browser test reads it).
  function selftest() {
    var out = [];
    function check(name, ok, detail) {
      out.push((ok ? 'ok ' : 'FAIL ') + name + (ok || !detail ? '' : ': ' + detail));
    }
    function column(table, kind, primary) {
      var cells = table.tHead.rows[0].cells;
      for (var i = 0; i < cells.length; i++) {
        if (cells[i].getAttribute('data-kind') !== kind) continue;
        if (!primary || cells[i].hasAttribute('data-primary')) return i;
      }
      return -1;
    }
    function keys(table, col, numeric) {
      return Array.prototype.map.call(table.tBodies[0].rows, function (r) {
        return key(r.cells[col], numeric);
      });
    }
    function ordered(ks, numeric, dir) {
      var seenEmpty = false;
      for (var i = 0; i < ks.length; i++) {
        if (ks[i] === null) { seenEmpty = true; continue; }
        if (seenEmpty) return 'a value after an empty cell at row ' + i;
        if (i === 0 || ks[i - 1] === null) continue;
        var c = compare(ks[i - 1], ks[i], numeric);
        if (dir === 'descending' ? c < 0 : c > 0) return 'rows ' + (i - 1) + ' and ' + i + ' out of order';
      }
      return '';
    }
    function ids(table) {
      return Array.prototype.map.call(table.tBodies[0].rows, function (r) {
        return r.cells[0].textContent;
      }).sort().join('\n');
    }
    function sorts(table, col, numeric, name) {
      var th = table.tHead.rows[0].cells[col];
      var before = ids(table);
      var first = numeric ? 'descending' : 'ascending';
      // Click until the column is sorted the default way, then once more for the reverse.
      for (var n = 0; n < 2 && th.getAttribute('aria-sort') !== first; n++) th.querySelector('button').click();
      var why = th.getAttribute('aria-sort') !== first ? 'aria-sort is ' + th.getAttribute('aria-sort')
        : ordered(keys(table, col, numeric), numeric, first);
      th.querySelector('button').click();
      why = why || ordered(keys(table, col, numeric), numeric, first === 'ascending' ? 'descending' : 'ascending');
      th.querySelector('button').click();
      why = why || (ids(table) !== before ? 'rows lost or added' : '');
      check(name + ' ' + table.id + ' ' + th.getAttribute('data-key'), !why, why);
    }

    var tables = document.querySelectorAll('table.sortable');
    check('tables', tables.length > 0, 'no sortable table');
    Array.prototype.forEach.call(tables, function (table) {
      var rows = table.tBodies[0].rows;
      if (rows.length === 0) return;
      var text = column(table, 'text', true);
      if (text < 0) text = column(table, 'text', false);
      var num = column(table, 'num', true);
      if (num < 0) num = column(table, 'num', false);
      if (text >= 0) sorts(table, text, false, 'sort-text');
      if (num >= 0) sorts(table, num, true, 'sort-numeric');
      var input = document.getElementById(table.id + '-filter');
      if (!input) { check('filter ' + table.id, false, 'no filter box'); return; }
      var probe = rows[rows.length - 1].cells[0].textContent;
      input.value = probe;
      input.dispatchEvent(new Event('input'));
      var shown = Array.prototype.filter.call(rows, function (r) { return !r.hidden; });
      var why = shown.length === 0 ? 'nothing shown for ' + JSON.stringify(probe)
        : shown.some(function (r) { return r.textContent.toLowerCase().indexOf(probe.toLowerCase()) < 0; })
          ? 'a row without the text is shown' : '';
      input.value = 'no such row \u2400';
      input.dispatchEvent(new Event('input'));
      if (!why && Array.prototype.some.call(rows, function (r) { return !r.hidden; })) why = 'rows shown for a text no row has';
      input.value = '';
      input.dispatchEvent(new Event('input'));
      if (!why && Array.prototype.some.call(rows, function (r) { return r.hidden; })) why = 'rows still hidden after clearing';
      check('filter ' + table.id, !why, why);
    });

    // Nothing a model string could have injected: one script (this one), no images, frames
    // or plugins, no event-handler attributes, no javascript: links.
    var bad = [];
    if (document.scripts.length !== 1) bad.push(document.scripts.length + ' scripts');
    var found = document.querySelectorAll('img, iframe, frame, object, embed, foreignObject, base, link, meta[http-equiv="refresh"]');
    if (found.length) bad.push(found.length + ' forbidden elements (' + found[0].tagName + ')');
    Array.prototype.forEach.call(document.querySelectorAll('*'), function (el) {
      Array.prototype.forEach.call(el.attributes, function (a) {
        var name = a.name.toLowerCase();
        if (name.indexOf('on') === 0) bad.push('attribute ' + name + ' on ' + el.tagName);
        if (/^\s*javascript:/i.test(a.value)) bad.push('javascript: in ' + name);
      });
    });
    check('dom-clean', bad.length === 0, bad.join('; '));

    var pass = out.every(function (l) { return l.indexOf('ok ') === 0; });
    out.push(pass ? 'selftest: pass' : 'selftest: FAIL');
    var pre = document.createElement('pre');
    pre.id = 'selftest';
    pre.textContent = out.join('\n');
    document.body.appendChild(pre);
  }

  if (location.hash === '#selftest') {
    try {
      selftest();
    } catch (e) {
      var pre = document.createElement('pre');
      pre.id = 'selftest';
      pre.textContent = 'FAIL exception: ' + e.message + '\nselftest: FAIL';
      document.body.appendChild(pre);
    }
  }
})();
