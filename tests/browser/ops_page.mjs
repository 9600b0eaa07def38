// Loads the supervision page (/ops) of a running gateway in headless
// Chromium, signs in through its form as an operator, and checks that every
// figure it renders equals what the JSON API answers for the same request.
// Run by ops_page_browser_test.cc, which starts the platform; by hand:
//
//   node tests/browser/ops_page.mjs --base=http://127.0.0.1:8080 \
//     --user=ops --password=... [--screenshot=ops.png] \
//     [--expect-route=/api/v1/items] [--expect-down=notification]
//
// Exits 0 when every check passed, 1 listing the failures otherwise.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Browser } from './cdp.mjs';

const { values: opt } = parseArgs({
  options: {
    base: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    screenshot: { type: 'string' },
    'expect-route': { type: 'string', multiple: true, default: [] },
    'expect-down': { type: 'string', multiple: true, default: [] },
    chromium: { type: 'string', default: 'chromium' },
  },
});
if (!opt.base || !opt.user || !opt.password) {
  console.error('usage: ops_page.mjs --base=URL --user=NAME --password=SECRET');
  process.exit(2);
}

// The page's formatting (services/gateway/ops/ops.js); change both together.
const fmt = {
  int: (n) => (n === null || n === undefined ? '—' : Math.round(Number(n)).toLocaleString('en-US')),
  pct: (r) => (r === null || r === undefined || !Number.isFinite(r) ? '—' : `${(r * 100).toFixed(1)}%`),
  secs: (s) => {
    if (s === null || s === undefined || !Number.isFinite(s)) return '—';
    return s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`;
  },
  fixed2: (x) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(2)),
};
const num = (v) => (v === undefined || v === null || v === '' ? 0 : Number(v));

const failures = [];
let passed = 0;
function check(ok, what) {
  if (ok) {
    passed += 1;
  } else {
    failures.push(what);
  }
}
// figures: name -> every text shown under that name.
function expectFigure(figures, name, expected) {
  const shown = figures[name];
  if (!shown) {
    check(false, `figure ${name} is not on the page (expected ${expected})`);
    return;
  }
  for (const text of shown) check(text === expected, `figure ${name}: page shows "${text}", API says "${expected}"`);
}

// ---- The API, with a session of our own.
async function signIn() {
  const res = await fetch(`${opt.base}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'STAFF_LOGIN', loginId: opt.user, password: opt.password }),
  });
  if (res.status !== 200) throw new Error(`sign-in for the API checks: HTTP ${res.status} ${await res.text()}`);
  return res.headers.get('set-cookie').split(';')[0];
}
async function getJson(cookie, path) {
  const res = await fetch(`${opt.base}${path}`, { headers: { Cookie: cookie, Accept: 'application/json' } });
  let body = null;
  try { body = await res.json(); } catch (_) { body = null; }
  return { status: res.status, body };
}

// ---- Expected figures, computed from the API's answers the way the page
// defines them (docs/operations.md).
function checkCoverage(figures, c) {
  const root = (c.regions || []).find((r) => !r.regionCode) || (c.regions || [])[0] || {};
  check(num(root.required) > 0, 'the test data has required items (coverage would be trivial)');
  expectFigure(figures, 'coverage.ratio', fmt.pct(num(root.required) === 0 ? null : num(root.ratio)));
  expectFigure(figures, 'coverage.published', fmt.int(num(root.published)));
  expectFigure(figures, 'coverage.required', fmt.int(num(root.required)));
  // Per level, summed from the departments by their region code.
  const levelOf = (code) => (/^\d{2}0{10}$/.test(code) ? 'province' : /^\d{4}0{8}$/.test(code) ? 'city'
    : /^\d{6}0{6}$/.test(code) ? 'county' : /^\d{9}0{3}$/.test(code) ? 'town' : 'village');
  const levels = {};
  for (const d of c.departments || []) {
    const l = levels[levelOf(d.regionCode || '')] ||= { required: 0, published: 0 };
    l.required += num(d.required);
    l.published += num(d.published);
  }
  for (const [level, t] of Object.entries(levels)) {
    expectFigure(figures, `coverage.level.${level}.ratio`, fmt.pct(t.required === 0 ? null : t.published / t.required));
  }
  const shownDepartments = Object.keys(figures).filter((k) => /^coverage\.dept\./.test(k));
  check(shownDepartments.length > 0, 'the lowest-coverage departments are listed');
  const byCode = new Map((c.departments || []).map((d) => [d.departmentCreditCode, d]));
  for (const key of shownDepartments) {
    const d = byCode.get(key.split('.')[2]);
    check(d !== undefined, `${key} names a department the report has`);
    if (d) expectFigure(figures, key, fmt.pct(num(d.ratio)));
  }
}

function checkApproval(figures, a) {
  let onTime = 0; let closed = 0; let open = 0; let overdue = 0;
  for (const d of a.departments || []) {
    const t = d.timeliness || {};
    onTime += num(t.closedOnTime);
    closed += num(t.closedOnTime) + num(t.closedLate);
    open += num(t.open);
    overdue += num(t.overdue);
  }
  expectFigure(figures, 'approval.onTimeRate', fmt.pct(closed === 0 ? null : onTime / closed));
  expectFigure(figures, 'approval.closed', fmt.int(closed));
  expectFigure(figures, 'approval.open', fmt.int(open));
  expectFigure(figures, 'approval.overdue', fmt.int(overdue));
}

function checkRatings(figures, s) {
  const t = s.total || {};
  const count = num(t.count);
  expectFigure(figures, 'ratings.count', fmt.int(count));
  expectFigure(figures, 'ratings.satisfaction', fmt.pct(count === 0 ? null : num(t.satisfactionRate)));
  expectFigure(figures, 'ratings.average', fmt.fixed2(count === 0 ? null : num(t.average)));
  for (let i = 0; i < 5; i += 1) {
    expectFigure(figures, `ratings.level.${i + 1}.count`, fmt.int(num((t.levelCounts || [])[i])));
  }
}

function checkWorkOrders(figures, w) {
  const t = w.total || {};
  expectFigure(figures, 'workOrders.overdue', fmt.int(num(t.overdueOpen)));
  expectFigure(figures, 'workOrders.received', fmt.int(num(t.received)));
  expectFigure(figures, 'workOrders.escalated', fmt.int(num(t.escalated)));
  expectFigure(figures, 'workOrders.replied', fmt.int(num(t.replied)));
}

function checkReadiness(figures, r) {
  const down = Object.keys(r.down || {}).sort();
  expectFigure(figures, 'readiness.status', down.length === 0 ? 'all up' : `${down.length} down`);
  for (const name of opt['expect-down']) check(down.includes(name), `/readyz reports ${name} down`);
}

// Counters only grow, and the page's own requests (and ours) keep adding
// to the routes it reads. Rows no request touched since the page rendered
// must match exactly; touched ones may only have grown.
function checkTraffic(figures, t, touchedRoutes) {
  check(num(t.total.requests) > 0, 'the gateway counted requests');
  const shownTotal = Number((figures['traffic.requests'] || ['0'])[0].replace(/,/g, ''));
  check(shownTotal > 0 && shownTotal <= num(t.total.requests),
    `total requests shown (${shownTotal}) is positive and at most the API's ${t.total.requests}`);
  const touchedServices = new Set(t.routes.filter((r) => touchedRoutes.has(r.route)).map((r) => r.service));
  let exact = 0;
  for (const r of t.routes) {
    const key = `route.${r.route}`;
    if (touchedRoutes.has(r.route)) {
      const shown = Number(((figures[`${key}.requests`] || ['0'])[0]).replace(/,/g, ''));
      check(shown <= r.requests, `${key}.requests shown ${shown} <= ${r.requests}`);
      continue;
    }
    exact += 1;
    expectFigure(figures, `${key}.requests`, fmt.int(r.requests));
    expectFigure(figures, `${key}.errors`, fmt.int(r.errors));
    expectFigure(figures, `${key}.p50`, fmt.secs(r.p50Seconds));
    expectFigure(figures, `${key}.p99`, fmt.secs(r.p99Seconds));
  }
  check(exact > 0, 'at least one route could be compared exactly');
  for (const s of t.services) {
    if (touchedServices.has(s.service)) continue;
    const key = `service.${s.service}`;
    expectFigure(figures, `${key}.requests`, fmt.int(s.requests));
    expectFigure(figures, `${key}.errors`, fmt.int(s.errors));
    expectFigure(figures, `${key}.errorRatio`, fmt.pct(s.errorRatio));
    expectFigure(figures, `${key}.p50`, fmt.secs(s.p50Seconds));
    expectFigure(figures, `${key}.p99`, fmt.secs(s.p99Seconds));
    expectFigure(figures, `${key}.upstreamErrors`, fmt.int(s.upstreamErrors));
  }
  for (const route of opt['expect-route']) {
    const row = t.routes.find((r) => r.route === route);
    check(row && row.requests > 0, `route ${route} has requests`);
  }
  for (const name of opt['expect-down']) {
    const row = t.services.find((s) => s.service === name);
    check(row && row.errors > 0, `${name} shows server errors while it is down`);
    check(!touchedServices.has(name), `${name} is compared exactly`);
  }
}

async function main() {
  const browser = await Browser.launch({ executable: opt.chromium, height: 1000 });
  try {
    const page = await browser.newPage();
    const state = () => page.evaluate('document.body ? document.body.dataset.state : ""');

    // Signed out: the sign-in form, and no figure.
    await page.goto(`${opt.base}/ops`);
    await page.waitFor("document.body && document.body.dataset.state === 'signin'", { what: 'the sign-in form' });
    check(await page.evaluate("document.getElementById('dashboard').hidden"), 'the dashboard is hidden when signed out');

    // A wrong password is refused on the form.
    const submit = (user, password) => page.evaluate(`(() => {
      document.getElementById('signin-user').value = ${JSON.stringify(user)};
      document.getElementById('signin-password').value = ${JSON.stringify(password)};
      document.getElementById('signin-form').requestSubmit();
      return true;
    })()`);
    await submit(opt.user, `${opt.password}-wrong`);
    const refusal = await page.waitFor("document.getElementById('signin-error').textContent", { what: 'the sign-in error' });
    check(/wrong username or password/i.test(refusal), `a wrong password is refused: "${refusal}"`);
    check((await state()) === 'signin', 'still signed out after a wrong password');

    await submit(opt.user, opt.password);
    await page.waitFor("document.body.dataset.state === 'ready'", { timeoutMs: 30000, what: 'the dashboard' });
    check(await page.evaluate("document.getElementById('signin-password').value === ''"), 'the password field is cleared');

    const rendered = await page.evaluate(`(() => {
      const figures = {};
      for (const node of document.querySelectorAll('[data-figure]')) {
        (figures[node.getAttribute('data-figure')] ||= []).push(node.textContent);
      }
      const panels = {};
      for (const p of document.querySelectorAll('section.panel')) {
        panels[p.id] = { status: p.dataset.status || '', text: p.querySelector('.body').textContent };
      }
      return { figures, panels, sources: { ...document.body.dataset } };
    })()`);
    const { figures, panels, sources } = rendered;
    if (opt.screenshot) writeFileSync(opt.screenshot, await page.screenshot());

    const cookie = await signIn();
    const sourceOf = (name) => sources[`source${name[0].toUpperCase()}${name.slice(1)}`];
    for (const name of ['traffic', 'readiness', 'coverage', 'approval', 'ratings', 'workOrders', 'applications']) {
      check(typeof sourceOf(name) === 'string', `the page names its ${name} source`);
    }

    // Reports that exist: the figures match; those that do not: the panel
    // says so and names the route.
    const reports = {
      coverage: ['panel-coverage', checkCoverage],
      approval: ['panel-timeliness', checkApproval],
      ratings: ['panel-ratings', checkRatings],
      workOrders: ['panel-work-orders', checkWorkOrders],
      applications: ['panel-applications', null],
    };
    for (const [name, [panel, verify]] of Object.entries(reports)) {
      const url = sourceOf(name);
      const answer = await getJson(cookie, url);
      if (answer.status === 200) {
        check(panels[panel].status === 'ok', `${panel} is shown (${url} answers 200)`);
        if (verify) verify(figures, answer.body);
        if (name === 'applications') {
          check(Object.keys(figures).some((k) => k.startsWith('applications.')), 'applications by status are shown');
        }
      } else {
        check(panels[panel].status === 'unavailable', `${panel} says not available (${url} answers ${answer.status})`);
        check(panels[panel].text.includes(url.split('?')[0]) || answer.status !== 404,
          `${panel} names the missing route: "${panels[panel].text}"`);
        console.log(`${name}: not available (${url} answers HTTP ${answer.status})`);
      }
    }
    const readiness = await getJson(cookie, sourceOf('readiness'));
    checkReadiness(figures, readiness.body || {});

    const traffic = await getJson(cookie, sourceOf('traffic'));
    check(traffic.status === 200, `${sourceOf('traffic')} answers the operator (HTTP ${traffic.status})`);
    // Every route the page and this script requested: paths without
    // variables are their own templates.
    const touched = new Set(['/ops', '/ops/{asset}', '/api/v1/sessions', 'unmatched']);
    for (const name of Object.keys(reports).concat(['traffic'])) touched.add(sourceOf(name).split('?')[0]);
    if (traffic.status === 200) checkTraffic(figures, traffic.body, touched);

    check(page.problems.length === 0, `no script errors or policy violations: ${page.problems.join(' | ')}`);

    // Signing out ends the session in the browser too.
    await page.evaluate("document.getElementById('sign-out').click()");
    await page.waitFor("document.body.dataset.state === 'signin'", { what: 'the sign-in form after sign-out' });
    const after = await page.evaluate("fetch('/api/v1/ops/traffic').then((r) => r.status)");
    check(after === 401, `after signing out the traffic endpoint answers 401 (got ${after})`);
  } finally {
    await browser.close();
  }

  for (const f of failures) console.log(`FAIL ${f}`);
  console.log(`${passed} passed, ${failures.length} failed`);
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((e) => {
  for (const f of failures) console.log(`FAIL ${f}`);
  console.error(e.stack || String(e));
  process.exit(1);
});
