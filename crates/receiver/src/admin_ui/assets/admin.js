// The queue page's only script (served from /admin/assets/, so the strict CSP allows it):
// countdowns and times in the agent's time zone, the queue's live refresh with the overdue count
// in the tab's title, and the demo's sign-in link (#token=… in the fragment, never sent anywhere).
// Every row it inserts was rendered and escaped by the server; it never builds HTML from data.
(function () {
  'use strict';

  var textBlock = document.getElementById('tw-admin-text');
  var T = textBlock ? JSON.parse(textBlock.textContent || '{}') : {};
  var lang = document.documentElement.lang || undefined;
  var REFRESH_MS = 5000;

  function fill(template, values) {
    return String(template || '').replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
    });
  }

  function duration(ms) {
    var minutes = Math.ceil(Math.abs(ms) / 60000);
    if (minutes < 60) return fill(T.minutes, { m: minutes });
    if (minutes < 1440) {
      var mm = minutes % 60;
      return fill(T.hours_minutes, { h: Math.floor(minutes / 60), mm: (mm < 10 ? '0' : '') + mm });
    }
    return fill(T.days_hours, { d: Math.floor(minutes / 1440), h: Math.floor((minutes % 1440) / 60) });
  }

  var timeFormat = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' });
  var dateTimeFormat = new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });

  function localTime(date) {
    var today = new Date();
    return date.toDateString() === today.toDateString() ? timeFormat.format(date) : dateTimeFormat.format(date);
  }

  function updateTimes(root) {
    var now = Date.now();
    root.querySelectorAll('time.countdown').forEach(function (el) {
      var met = el.getAttribute('data-met');
      if (met) {
        el.textContent = fill(el.hasAttribute('data-late') ? T.met_late_at : T.met_at, { time: localTime(new Date(Number(met))) });
        return;
      }
      var left = Number(el.getAttribute('data-due')) - now;
      var d = duration(left);
      if (left <= 0) el.textContent = fill(T.overdue_by, { d: d });
      else el.textContent = fill(el.getAttribute('data-target') === 'first_response' ? T.first_response_in : T.resolution_in, { d: d });
      el.title = dateTimeFormat.format(new Date(Number(el.getAttribute('data-due'))));
    });
    root.querySelectorAll('time.local-time').forEach(function (el) {
      var date = new Date(el.getAttribute('datetime'));
      if (!isNaN(date.getTime())) el.textContent = dateTimeFormat.format(date);
    });
  }

  function rowIds(tbody) {
    var ids = {};
    tbody.querySelectorAll('tr[data-id]').forEach(function (tr) { ids[tr.getAttribute('data-id')] = true; });
    return ids;
  }

  function startQueue() {
    var table = document.getElementById('queue');
    var tbody = document.getElementById('queue-rows');
    var counts = document.getElementById('queue-counts');
    var announce = document.getElementById('queue-announce');
    if (!table || !tbody || table.getAttribute('data-first-page') !== 'true') return;
    var url = table.getAttribute('data-rows');
    var last = tbody.innerHTML;
    var failedOnce = false;

    function refresh() {
      fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
        .then(function (response) {
          if (response.status === 401) { location.reload(); return null; }
          if (!response.ok) throw new Error('HTTP ' + response.status);
          var title = response.headers.get('x-queue-title');
          var countText = response.headers.get('x-queue-counts');
          if (title) document.title = decodeURIComponent(title);
          if (countText && counts) counts.textContent = decodeURIComponent(countText);
          return response.text();
        })
        .then(function (html) {
          failedOnce = false;
          if (html === null || html === last) return;
          last = html;
          var before = rowIds(tbody);
          var focusedId = document.activeElement && document.activeElement.closest && document.activeElement.closest('tr[data-id]');
          focusedId = focusedId ? focusedId.getAttribute('data-id') : null;
          // The fragment is the server's escaped rendering of the rows: parsed inert in a template.
          var template = document.createElement('template');
          template.innerHTML = '<table><tbody>' + html + '</tbody></table>';
          var fresh = template.content.querySelector('tbody');
          updateTimes(fresh);
          tbody.replaceChildren.apply(tbody, Array.prototype.slice.call(fresh.childNodes));
          var added = Object.keys(rowIds(tbody)).filter(function (id) { return !before[id]; });
          added.forEach(function (id) {
            var tr = tbody.querySelector('tr[data-id="' + CSS.escape(id) + '"]');
            if (tr) tr.classList.add('new');
          });
          if (added.length && announce) announce.textContent = fill(T.new_tickets, { n: added.length });
          if (focusedId) {
            var link = tbody.querySelector('tr[data-id="' + CSS.escape(focusedId) + '"] a');
            if (link) link.focus();
          }
        })
        .catch(function () {
          if (!failedOnce && announce) announce.textContent = T.refresh_failed || '';
          failedOnce = true;
        })
        .finally(function () { setTimeout(refresh, REFRESH_MS); });
    }
    setTimeout(refresh, REFRESH_MS);
  }

  function signInFromFragment() {
    var form = document.getElementById('sign-in-form');
    var match = /^#token=(.+)$/.exec(location.hash);
    if (!form || !match) return;
    history.replaceState(null, '', location.pathname + location.search);
    form.elements.namedItem('token').value = decodeURIComponent(match[1]);
    form.submit();
  }

  function start() {
    updateTimes(document);
    setInterval(function () { updateTimes(document); }, 15000);
    var page = document.body.getAttribute('data-page');
    if (page === 'queue') startQueue();
    if (page === 'sign-in') signInFromFragment();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
