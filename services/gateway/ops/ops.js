// OneWindow supervision page (/ops): the headline figures of the Grafana
// dashboard (deploy/grafana/onewindow.json) for operators without Grafana.
// Plain JavaScript, no libraries: it signs in through POST /api/v1/sessions,
// reads the JSON reports with the session cookie and draws charts as SVG.
// Every figure it shows carries data-figure="<name>" and every report it
// read is named in <body data-source-<report>="<url>">, so a test can compare
// what is rendered with what the API answers (tests/browser/).
'use strict';

(() => {
  const SVG = 'http://www.w3.org/2000/svg';
  const REFRESH_MS = 60000;
  // The statuses a citizen sees, in the order an application moves through
  // them (intake.proto ApplicationStatus).
  const APPLICATION_STATUSES = [
    'SUBMITTED', 'ACCEPTED', 'NOT_ACCEPTED', 'IN_REVIEW', 'SUPPLEMENT_NEEDED', 'SUPPLEMENTED',
    'APPROVED', 'REJECTED', 'RESULT_ISSUED', 'DELIVERED', 'WITHDRAWN',
  ];
  const LEVELS = ['province', 'city', 'county', 'town', 'village'];
  const SUPERVISORS = ['OPERATOR', 'PLATFORM_ADMIN'];

  // ---- Formatting. tests/browser/ops_page.mjs formats expected values the
  // same way; change both together.
  const fmt = {
    int: (n) => (n === null || n === undefined ? '—' : Math.round(Number(n)).toLocaleString('en-US')),
    pct: (r) => (r === null || r === undefined || !Number.isFinite(r) ? '—' : `${(r * 100).toFixed(1)}%`),
    secs: (s) => {
      if (s === null || s === undefined || !Number.isFinite(s)) return '—';
      return s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`;
    },
    fixed2: (x) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(2)),
  };
  // Times as the operators read them: China Standard Time.
  const cst = (date, style) =>
    `${date.toLocaleString('en-GB', { timeZone: 'Asia/Shanghai', ...style })} CST`;
  // Proto JSON leaves zeros out and writes 64-bit integers as strings.
  const num = (v) => (v === undefined || v === null || v === '' ? 0 : Number(v));

  const $ = (selector, root = document) => root.querySelector(selector);

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null) continue;
      if (k === 'class') node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }
  function svg(tag, attrs = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  // A figure: text with the data-figure name the tests look for.
  const figure = (name, text, tag = 'span') => el(tag, { 'data-figure': name }, text);
  function setFigure(name, text) {
    for (const node of document.querySelectorAll(`[data-figure="${CSS.escape(name)}"]`)) {
      node.textContent = text;
    }
  }

  // Horizontal bars: [{label, value, text, cls, figure, extra}]: `text` is
  // the value as shown, named `figure` when set, `extra` follows it; `max`
  // defaults to the largest value.
  function barChart(rows, { max, labelWidth = 190 } = {}) {
    const width = 640;
    const rowHeight = 22;
    const barX = labelWidth + 8;
    const barWidth = width - barX - 110;
    const top = Math.max(max || 0, ...rows.map((r) => r.value), 0);
    const chart = svg('svg', {
      class: 'chart', viewBox: `0 0 ${width} ${rows.length * rowHeight + 4}`, role: 'img',
    });
    rows.forEach((r, i) => {
      const y = i * rowHeight + 2;
      const w = top > 0 ? Math.max(r.value > 0 ? 1 : 0, (r.value / top) * barWidth) : 0;
      const g = svg('g');
      g.append(svg('title', {}, `${r.label}: ${r.text}`));
      g.append(svg('text', { x: labelWidth, y: y + 15, 'text-anchor': 'end' }, r.label));
      g.append(svg('rect', { class: 'bar-bg', x: barX, y: y + 3, width: barWidth, height: 15 }));
      g.append(svg('rect', { class: `bar ${r.cls || ''}`, x: barX, y: y + 3, width: w, height: 15 }));
      const value = svg('text', { class: 'value', x: barX + barWidth + 6, y: y + 15 });
      const shown = svg('tspan', r.figure ? { 'data-figure': r.figure } : {}, r.text);
      value.append(shown);
      if (r.extra) value.append(svg('tspan', {}, r.extra));
      g.append(value);
      chart.append(g);
    });
    return chart;
  }

  // A table; cells are strings or nodes, `numeric` names right-aligned columns.
  function table(headers, rows, numeric = []) {
    const head = el('tr', {}, ...headers.map((h, i) => el('th', { class: numeric.includes(i) ? 'num' : null }, h)));
    const body = rows.map((cells) => el('tr', {}, ...cells.map((c, i) => el('td', { class: numeric.includes(i) ? 'num' : null }, c))));
    return el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), el('tbody', {}, ...body)));
  }

  const ratioClass = (r, good = 0.95, warn = 0.8) =>
    (r === null || r === undefined ? '' : r >= good ? 'good' : r >= warn ? 'warn' : 'bad');

  // ---- The API.
  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }
  async function api(path, options = {}) {
    const res = await fetch(path, {
      credentials: 'same-origin', cache: 'no-store', ...options,
      headers: { Accept: 'application/json', ...(options.headers || {}) },
    });
    let body = null;
    if (res.status !== 204) {
      try { body = await res.json(); } catch (_) { body = null; }
    }
    if (!res.ok && !(options.acceptStatus || []).includes(res.status)) {
      const e = body && body.error ? body.error : {};
      throw new ApiError(res.status, e.code || '', e.message || res.statusText || `HTTP ${res.status}`);
    }
    return body;
  }
  function why(error, url) {
    if (error instanceof ApiError && error.status === 404 && /^no route for/.test(error.message)) {
      return `the gateway has no route GET ${url.split('?')[0]} (that report is not built yet)`;
    }
    if (error instanceof ApiError) return `${error.message} (HTTP ${error.status})`;
    return String(error && error.message ? error.message : error);
  }

  // ---- Session state kept for this tab only: the CSRF token is needed to
  // sign out, and is answered only at sign-in.
  const session = {
    get csrf() { return sessionStorage.getItem('ow.ops.csrf') || ''; },
    get who() { return sessionStorage.getItem('ow.ops.who') || ''; },
    save(csrf, who) {
      sessionStorage.setItem('ow.ops.csrf', csrf || '');
      sessionStorage.setItem('ow.ops.who', who || '');
    },
    clear() {
      sessionStorage.removeItem('ow.ops.csrf');
      sessionStorage.removeItem('ow.ops.who');
    },
  };

  function show(state) {
    document.body.dataset.state = state;
    $('#loading').hidden = state !== 'loading';
    $('#signin').hidden = state !== 'signin';
    $('#forbidden').hidden = state !== 'forbidden';
    $('#dashboard').hidden = !(state === 'ready' || state === 'refreshing');
    const signedIn = state !== 'signin';
    $('#sign-out').hidden = !signedIn;
    $('#refresh').hidden = !(state === 'ready' || state === 'refreshing');
    $('#period-label').hidden = !(state === 'ready' || state === 'refreshing');
    $('#who').textContent = signedIn && session.who ? `Signed in as ${session.who}` : '';
  }

  // ---- Reports, by name: the URL the page reads each from.
  function windowStart() {
    const hours = Number($('#period').value);
    return hours > 0 ? new Date(Date.now() - hours * 3600 * 1000).toISOString() : '';
  }
  function sourceUrls() {
    const since = windowStart();
    const q = (name) => (since ? `?${name}=${encodeURIComponent(since)}` : '');
    return {
      traffic: '/api/v1/ops/traffic',
      readiness: '/readyz',
      coverage: '/api/v1/coverage',
      approval: `/api/v1/approval/supervision${q('from')}`,
      ratings: '/api/v1/rating-stats',
      workOrders: `/api/v1/supervision/work-orders${q('startTime')}`,
      // Expected from intake (IntakeService.GetApplicationStats); the panel
      // says "not available" until the gateway routes it.
      applications: '/api/v1/supervision/applications',
    };
  }

  function unavailable(panelId, text) {
    const panel = document.getElementById(panelId);
    panel.dataset.status = 'unavailable';
    const body = $('.body', panel);
    body.replaceChildren(el('p', { class: 'unavailable', 'data-unavailable': panelId }, `Not available: ${text}`));
  }
  function available(panelId) {
    const panel = document.getElementById(panelId);
    panel.dataset.status = 'ok';
    return $('.body', panel);
  }
  function tileState(id, cls) {
    const tile = document.getElementById(id);
    tile.classList.remove('good', 'warn', 'bad');
    if (cls) tile.classList.add(cls);
  }
  function tileUnavailable(id, names, reason) {
    for (const n of names) setFigure(n, 'n/a');
    const tile = document.getElementById(id);
    tile.title = `Not available: ${reason}`;
    tileState(id, '');
  }

  // ---- Renderers, one per report.
  function renderTraffic(t) {
    setFigure('traffic.activeSessions', fmt.int(num(t.activeSessions)));
    setFigure('traffic.requests', fmt.int(num(t.total.requests)));
    setFigure('traffic.errorRatio', fmt.pct(num(t.total.errorRatio)));
    setFigure('traffic.p99', fmt.secs(t.total.p99Seconds));
    setFigure('traffic.since', cst(new Date(t.since), { dateStyle: 'medium', timeStyle: 'medium' }));
    tileState('tile-requests', num(t.total.errorRatio) > 0.05 ? 'bad' : '');

    const services = available('panel-services');
    const byRequests = [...t.services].sort((a, b) => b.requests - a.requests);
    services.replaceChildren(
      el('h3', {}, 'Requests'),
      barChart(byRequests.map((s) => ({ label: s.service, value: s.requests, text: fmt.int(s.requests) }))),
      el('h3', {}, 'Latency p99'),
      barChart(byRequests.map((s) => ({
        label: s.service, value: s.p99Seconds || 0, text: fmt.secs(s.p99Seconds),
      }))),
      table(['service', 'requests', 'server errors', 'error ratio', 'p50', 'p99', 'upstream errors'],
        t.services.map((s) => [
          s.service,
          figure(`service.${s.service}.requests`, fmt.int(s.requests)),
          figure(`service.${s.service}.errors`, fmt.int(s.errors)),
          figure(`service.${s.service}.errorRatio`, fmt.pct(s.errorRatio)),
          figure(`service.${s.service}.p50`, fmt.secs(s.p50Seconds)),
          figure(`service.${s.service}.p99`, fmt.secs(s.p99Seconds)),
          figure(`service.${s.service}.upstreamErrors`, fmt.int(s.upstreamErrors)),
        ]), [1, 2, 3, 4, 5, 6]));

    const routes = available('panel-routes');
    const sorted = [...t.routes].sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route));
    routes.replaceChildren(table(['route', 'backend', 'requests', '5xx', 'p50', 'p99'],
      sorted.map((r) => [
        el('code', {}, r.route), r.service,
        figure(`route.${r.route}.requests`, fmt.int(r.requests)),
        figure(`route.${r.route}.errors`, fmt.int(r.errors)),
        figure(`route.${r.route}.p50`, fmt.secs(r.p50Seconds)),
        figure(`route.${r.route}.p99`, fmt.secs(r.p99Seconds)),
      ]), [2, 3, 4, 5]));

    const statuses = available('panel-statuses');
    statuses.replaceChildren(barChart(t.statuses.map((s) => ({
      label: `HTTP ${s.status}`, value: s.requests, text: fmt.int(s.requests),
      cls: s.status.startsWith('5') ? 'bad' : s.status.startsWith('4') ? 'warn' : 'good',
    })), { labelWidth: 90 }));
    const upstream = $('#panel-statuses .upstream');
    upstream.replaceChildren(t.upstreamErrors.length === 0
      ? el('p', { class: 'muted' }, 'No failed backend calls.')
      : table(['backend', 'gRPC code', 'calls'], t.upstreamErrors.map((u) => [
        u.service, u.code, figure(`upstream.${u.service}.${u.code}.count`, fmt.int(u.count)),
      ]), [2]));
  }

  function renderReadiness(r) {
    const down = Object.keys(r.down || {}).sort();
    setFigure('readiness.status', down.length === 0 ? 'all up' : `${down.length} down`);
    setFigure('readiness.down', down.length === 0 ? 'Redis and every backend answer'
      : `down: ${down.join(', ')}`);
    tileState('tile-backends', down.length === 0 ? 'good' : 'bad');
  }

  // The administrative level of a 12-digit region code (catalog's rule).
  function levelOf(code) {
    if (!/^\d{12}$/.test(code || '')) return 'unknown';
    if (/^\d{2}0{10}$/.test(code)) return 'province';
    if (/^\d{4}0{8}$/.test(code)) return 'city';
    if (/^\d{6}0{6}$/.test(code)) return 'county';
    if (/^\d{9}0{3}$/.test(code)) return 'town';
    return 'village';
  }

  let departmentNames = new Map();

  function renderCoverage(c) {
    const departments = c.departments || [];
    departmentNames = new Map(departments.map((d) => [d.departmentCreditCode, d.departmentName]));
    const root = (c.regions || []).find((r) => !r.regionCode) || (c.regions || [])[0] || {};
    const ratio = num(root.required) === 0 ? null : num(root.ratio);
    setFigure('coverage.ratio', fmt.pct(ratio));
    setFigure('coverage.published', fmt.int(num(root.published)));
    setFigure('coverage.required', fmt.int(num(root.required)));
    tileState('tile-coverage', ratioClass(ratio, 1, 0.9));

    const levels = new Map();
    for (const d of departments) {
      const level = levelOf(d.regionCode);
      const t = levels.get(level) || { required: 0, published: 0 };
      t.required += num(d.required);
      t.published += num(d.published);
      levels.set(level, t);
    }
    const levelRows = [...LEVELS, 'unknown'].filter((l) => levels.has(l)).map((l) => {
      const t = levels.get(l);
      const r = t.required === 0 ? null : t.published / t.required;
      return { level: l, ratio: r, ...t };
    });
    const body = available('panel-coverage');
    const worst = departments.filter((d) => num(d.required) > 0)
      .sort((a, b) => num(a.ratio) - num(b.ratio) || a.departmentCreditCode.localeCompare(b.departmentCreditCode))
      .slice(0, 10);
    body.replaceChildren(
      barChart(levelRows.map((l) => ({
        label: l.level, value: l.ratio || 0, text: fmt.pct(l.ratio), figure: `coverage.level.${l.level}.ratio`,
        extra: ` (${fmt.int(l.published)}/${fmt.int(l.required)})`, cls: ratioClass(l.ratio, 1, 0.9),
      })), { max: 1, labelWidth: 90 }),
      ...(levelRows.length === 0 ? [el('p', { class: 'muted' }, 'No required items are set.')] : []),
      el('h3', {}, 'Lowest coverage by department'),
      table(['department', 'region', 'published / required', 'coverage'], worst.map((d) => [
        d.departmentName || d.departmentCreditCode, d.regionCode || '',
        `${fmt.int(num(d.published))} / ${fmt.int(num(d.required))}`,
        figure(`coverage.dept.${d.departmentCreditCode}.ratio`, fmt.pct(num(d.ratio))),
      ]), [2, 3]));
  }

  function renderApproval(a) {
    const rows = (a.departments || []).map((d) => {
      const t = d.timeliness || {};
      const onTime = num(t.closedOnTime);
      const late = num(t.closedLate);
      return {
        id: d.departmentId, region: d.regionCode || '', onTime, late, closed: onTime + late,
        ratio: onTime + late === 0 ? null : onTime / (onTime + late),
        open: num(t.open), overdue: num(t.overdue), days: num(t.averageHandlingDays),
      };
    });
    const sum = (k) => rows.reduce((s, r) => s + r[k], 0);
    const closed = sum('closed');
    const ratio = closed === 0 ? null : sum('onTime') / closed;
    setFigure('approval.onTimeRate', fmt.pct(ratio));
    setFigure('approval.closed', fmt.int(closed));
    setFigure('approval.overdue', fmt.int(sum('overdue')));
    setFigure('approval.open', fmt.int(sum('open')));
    tileState('tile-on-time', ratioClass(ratio));
    tileState('tile-overdue-cases', sum('overdue') > 0 ? 'bad' : 'good');

    const body = available('panel-timeliness');
    const worst = rows.filter((r) => r.closed > 0 || r.overdue > 0)
      .sort((x, y) => (x.ratio ?? 1) - (y.ratio ?? 1) || y.overdue - x.overdue || x.id.localeCompare(y.id))
      .slice(0, 10);
    const name = (id) => departmentNames.get(id) || id;
    if (worst.length === 0) {
      body.replaceChildren(el('p', { class: 'muted' }, 'No case decided or overdue in this period.'));
      return;
    }
    body.replaceChildren(
      barChart(worst.map((r) => ({
        label: name(r.id).slice(0, 24), value: r.ratio ?? 0, text: fmt.pct(r.ratio), cls: ratioClass(r.ratio),
      })), { max: 1 }),
      el('h3', {}, 'Lowest on-time rate by department'),
      table(['department', 'decided', 'on time', 'open', 'overdue', 'avg. days'], worst.map((r) => [
        name(r.id), fmt.int(r.closed),
        figure(`approval.dept.${r.id}.onTimeRate`, fmt.pct(r.ratio)), fmt.int(r.open),
        figure(`approval.dept.${r.id}.overdue`, fmt.int(r.overdue)), fmt.fixed2(r.days),
      ]), [1, 2, 3, 4, 5]));
  }

  function renderRatings(s) {
    const total = s.total || {};
    const count = num(total.count);
    setFigure('ratings.count', fmt.int(count));
    setFigure('ratings.satisfaction', fmt.pct(count === 0 ? null : num(total.satisfactionRate)));
    setFigure('ratings.average', fmt.fixed2(count === 0 ? null : num(total.average)));
    tileState('tile-satisfaction', count === 0 ? '' : ratioClass(num(total.satisfactionRate), 0.9, 0.8));
    tileState('tile-rating', '');
    const levels = [0, 1, 2, 3, 4].map((i) => num((total.levelCounts || [])[i]));
    const names = ['1 very dissatisfied', '2 dissatisfied', '3 neutral', '4 satisfied', '5 very satisfied'];
    available('panel-ratings').replaceChildren(
      barChart(levels.map((n, i) => ({
        label: names[i], value: n, text: fmt.int(n), figure: `ratings.level.${i + 1}.count`,
        cls: i < 2 ? 'bad' : i === 2 ? 'warn' : 'good',
      })), { labelWidth: 150 }),
      el('p', { class: 'note' }, 'All ratings so far; levels 1 and 2 open a rectification work order.'));
  }

  function renderWorkOrders(w) {
    const t = w.total || {};
    setFigure('workOrders.overdue', fmt.int(num(t.overdueOpen)));
    setFigure('workOrders.received', fmt.int(num(t.received)));
    tileState('tile-overdue-orders', num(t.overdueOpen) > 0 ? 'bad' : 'good');
    const replied = num(t.replied);
    const calledBack = num(t.calledBack);
    const rows = [
      ['received', figure('workOrders.received', fmt.int(num(t.received)))],
      ['replied', figure('workOrders.replied', fmt.int(replied))],
      ['replied on time', figure('workOrders.onTimeRate', fmt.pct(replied === 0 ? null : num(t.onTimeRate)))],
      ['satisfied at call-back', figure('workOrders.satisfaction', fmt.pct(calledBack === 0 ? null : num(t.satisfactionRate)))],
      ['reopened', fmt.pct(replied === 0 ? null : num(t.reopenRate))],
      ['overdue, not replied', figure('workOrders.overdueOpen', fmt.int(num(t.overdueOpen)))],
      ['escalated', figure('workOrders.escalated', fmt.int(num(t.escalated)))],
    ];
    available('panel-work-orders').replaceChildren(table(['', 'in this period'], rows, [1]));
  }

  function renderApplications(a) {
    const list = a.statuses || a.byStatus || a.counts || [];
    const counts = new Map(list.map((s) => [s.status, num(s.count)]));
    const total = [...counts.values()].reduce((x, y) => x + y, 0);
    const statuses = [...APPLICATION_STATUSES, ...[...counts.keys()].filter((k) => !APPLICATION_STATUSES.includes(k))];
    available('panel-applications').replaceChildren(
      barChart(statuses.map((s) => ({
        label: s.toLowerCase().replace(/_/g, ' '), value: counts.get(s) || 0,
        text: fmt.int(counts.get(s) || 0), figure: `applications.${s}.count`,
      }))),
      el('p', { class: 'note' }, 'Total: ', figure('applications.total', fmt.int(total))));
  }

  // Panels and tiles fed by each report, and what to show when it fails.
  const reports = {
    readiness: { render: renderReadiness, tiles: [['tile-backends', ['readiness.status', 'readiness.down']]] },
    coverage: { render: renderCoverage, panel: 'panel-coverage', tiles: [['tile-coverage', ['coverage.ratio', 'coverage.published', 'coverage.required']]] },
    approval: {
      render: renderApproval, panel: 'panel-timeliness',
      tiles: [['tile-on-time', ['approval.onTimeRate', 'approval.closed']], ['tile-overdue-cases', ['approval.overdue', 'approval.open']]],
    },
    ratings: {
      render: renderRatings, panel: 'panel-ratings',
      tiles: [['tile-satisfaction', ['ratings.satisfaction', 'ratings.count']], ['tile-rating', ['ratings.average']]],
    },
    workOrders: { render: renderWorkOrders, panel: 'panel-work-orders', tiles: [['tile-overdue-orders', ['workOrders.overdue', 'workOrders.received']]] },
    applications: { render: renderApplications, panel: 'panel-applications', tiles: [] },
  };

  let loading = null;
  async function load() {
    if (loading) return loading;
    loading = (async () => {
      const urls = sourceUrls();
      for (const [name, url] of Object.entries(urls)) {
        document.body.dataset[`source${name[0].toUpperCase()}${name.slice(1)}`] = url;
      }
      // The gateway's own figures decide who may look at all.
      let traffic;
      try {
        traffic = await api(urls.traffic);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) { session.clear(); show('signin'); return; }
        if (e instanceof ApiError && e.status === 403) { show('forbidden'); return; }
        show('ready');
        unavailable('panel-services', why(e, urls.traffic));
        unavailable('panel-routes', why(e, urls.traffic));
        unavailable('panel-statuses', why(e, urls.traffic));
        traffic = null;
      }
      if (document.body.dataset.state !== 'ready') show('refreshing');
      if (traffic) renderTraffic(traffic);
      // Coverage first: the other panels name departments with it.
      const order = ['readiness', 'coverage', 'approval', 'ratings', 'workOrders', 'applications'];
      const answers = await Promise.allSettled(order.map((name) =>
        api(urls[name], name === 'readiness' ? { acceptStatus: [503] } : {})));
      order.forEach((name, i) => {
        const report = reports[name];
        const answer = answers[i];
        if (answer.status === 'fulfilled') {
          try {
            report.render(answer.value || {});
            return;
          } catch (e) {
            answers[i] = { status: 'rejected', reason: e };
          }
        }
        const reason = why(answers[i].reason, urls[name]);
        if (report.panel) unavailable(report.panel, reason);
        for (const [tile, names] of report.tiles) tileUnavailable(tile, names, reason);
      });
      $('#as-of').textContent = `as of ${cst(new Date(), { timeStyle: 'medium' })}`;
      show('ready');
    })();
    try { await loading; } finally { loading = null; }
  }

  async function signIn(event) {
    event.preventDefault();
    const error = $('#signin-error');
    error.textContent = '';
    const password = $('#signin-password');
    try {
      const answer = await api('/api/v1/sessions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ kind: 'STAFF_LOGIN', loginId: $('#signin-user').value, password: password.value }),
      });
      password.value = '';
      const p = answer.principal || {};
      session.save(answer.csrfToken, p.displayName || p.subject || '');
      if (!SUPERVISORS.includes(p.kind)) { show('forbidden'); return; }
      show('loading');
      await load();
    } catch (e) {
      error.textContent = e instanceof ApiError && e.status === 401 ? 'Wrong username or password.' : why(e, '/api/v1/sessions');
    }
  }

  async function signOut() {
    try {
      await api('/api/v1/sessions/current', { method: 'DELETE', headers: { 'X-CSRF-Token': session.csrf } });
    } catch (_) {
      // Signed out already, or a tab without the token: the cookie stays
      // until it expires; say so rather than pretend.
      if (session.csrf === '') {
        $('#signin-error').textContent =
          'This tab could not end the session (no sign-in token here): close the browser to end it.';
      }
    }
    session.clear();
    show('signin');
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('#signin-form').addEventListener('submit', signIn);
    $('#sign-out').addEventListener('click', signOut);
    $('#refresh').addEventListener('click', () => load());
    $('#period').addEventListener('change', () => load());
    setInterval(() => {
      if (!document.hidden && document.body.dataset.state === 'ready') load();
    }, REFRESH_MS);
    load();
  });
})();
