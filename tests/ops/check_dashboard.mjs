#!/usr/bin/env node
// Checks deploy/grafana/onewindow.json and the Prometheus rules against the
// metric contract (deploy/prometheus/metrics.txt) and the runbooks:
//  - the dashboard is JSON Grafana imports: title, uid, schemaVersion, a
//    Prometheus data-source variable every query uses, unique panel ids,
//    panels inside the 24-column grid without overlapping, every panel with
//    at least one query;
//  - every metric the dashboard or a rule reads is in the contract or is
//    recorded by a rule, so no panel or alert waits on a name nobody exports;
//  - every alert has a severity, a summary, a description and a runbook
//    section in docs/operations.md;
//  - it writes every dashboard query, with Grafana's variables filled in, as
//    a recording rule to OUT.yml so that `promtool check rules OUT.yml`
//    parses each as PromQL (check_dashboard.sh does both).
// Usage: node check_dashboard.mjs REPO_ROOT OUT.yml
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";

const [root, out] = process.argv.slice(2);
if (!root || !out) {
  console.error("usage: check_dashboard.mjs REPO_ROOT OUT.yml");
  process.exit(2);
}
const problems = [];

// ------------------------------------------------------------ the contract

const contract = new Map();
for (const line of fs
  .readFileSync(path.join(root, "deploy/prometheus/metrics.txt"), "utf8")
  .split("\n")) {
  const t = line.trim();
  if (t === "" || t.startsWith("#")) continue;
  const [name, type] = t.split(/\s+/);
  if (!/^onewindow_[a-z0-9_]+$/.test(name)) problems.push(`metrics.txt: bad metric name ${name}`);
  if (!["counter", "gauge", "histogram"].includes(type))
    problems.push(`metrics.txt: ${name} has type ${type}`);
  if (type === "counter" && !name.endsWith("_total"))
    problems.push(`metrics.txt: counter ${name} must end in _total`);
  if (type !== "counter" && name.endsWith("_total"))
    problems.push(`metrics.txt: ${type} ${name} ends in _total`);
  contract.set(name, type);
}

const ruleFiles = fs
  .readdirSync(path.join(root, "deploy/prometheus/rules"))
  .filter((f) => f.endsWith(".yml"))
  .map((f) => [
    f,
    YAML.parse(fs.readFileSync(path.join(root, "deploy/prometheus/rules", f), "utf8")),
  ]);
const recorded = new Set();
for (const [, doc] of ruleFiles) {
  for (const g of doc.groups) for (const r of g.rules) if (r.record) recorded.add(r.record);
}

// Metric names in a PromQL expression: identifiers that are not functions,
// keywords, label names or strings.
const KEYWORDS = new Set([
  ...["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values"],
  ...["bottomk", "topk", "quantile", "by", "without", "on", "ignoring", "group_left"],
  ...["group_right", "and", "or", "unless", "bool", "offset", "inf", "nan"],
]);
function metricNames(expr) {
  const names = [];
  const cleaned = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings
    .replace(/\{[^}]*\}/g, "{}") // label matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "$1()") // label lists
    .replace(/\[[^\]]*\]/g, "[]"); // ranges
  for (const m of cleaned.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0];
    const after = cleaned.slice(m.index + word.length).trimStart();
    if (after.startsWith("(")) continue; // a function or aggregation
    if (KEYWORDS.has(word.toLowerCase())) continue;
    names.push(word);
  }
  return names;
}
function checkNames(where, expr) {
  for (const name of metricNames(expr)) {
    if (name === "up" || recorded.has(name) || contract.has(name)) continue;
    const base = name.replace(/_(bucket|sum|count)$/, "");
    if (base !== name && contract.get(base) === "histogram") continue;
    problems.push(
      `${where}: ${name} is neither in deploy/prometheus/metrics.txt nor recorded by a rule`,
    );
  }
}
// Every alert says how bad it is, what happened, and where its runbook is:
// a section of docs/operations.md (GitHub's heading anchors).
const operations = fs.readFileSync(path.join(root, "docs/operations.md"), "utf8");
const anchors = new Set(
  [...operations.matchAll(/^#+\s+(.+)$/gm)].map((m) =>
    m[1]
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9 _-]/g, "")
      .replace(/ /g, "-"),
  ),
);
for (const [file, doc] of ruleFiles) {
  for (const g of doc.groups) {
    for (const r of g.rules) {
      checkNames(`rules/${file} ${r.record ?? r.alert}`, r.expr);
      if (!r.alert) continue;
      const where = `rules/${file} ${r.alert}`;
      if (!["critical", "warning"].includes(r.labels?.severity))
        problems.push(`${where}: severity must be critical or warning`);
      for (const a of ["summary", "description", "runbook"]) {
        if (!r.annotations?.[a]) problems.push(`${where}: no ${a} annotation`);
      }
      const runbook = /^docs\/operations\.md#(.+)$/.exec(r.annotations?.runbook ?? "");
      if (!runbook || !anchors.has(runbook[1])) {
        problems.push(
          `${where}: runbook ${r.annotations?.runbook} is not a section of docs/operations.md`,
        );
      }
    }
  }
}

// ------------------------------------------------------------ the dashboard

const dashboardPath = path.join(root, "deploy/grafana/onewindow.json");
let dash;
try {
  dash = JSON.parse(fs.readFileSync(dashboardPath, "utf8"));
} catch (e) {
  console.error(`deploy/grafana/onewindow.json: ${e.message}`);
  process.exit(1);
}
if (typeof dash.title !== "string" || dash.title === "") problems.push("dashboard has no title");
if (typeof dash.uid !== "string" || !/^[a-zA-Z0-9_-]{1,40}$/.test(dash.uid)) {
  problems.push("dashboard uid must be 1-40 letters, digits, - or _");
}
if (!Number.isInteger(dash.schemaVersion) || dash.schemaVersion < 36) {
  problems.push("dashboard schemaVersion must be an integer >= 36 (Grafana 9+)");
}
const variables = dash.templating?.list ?? [];
const dsVar = variables.find((v) => v.type === "datasource" && v.query === "prometheus");
if (!dsVar) problems.push("dashboard has no Prometheus data-source variable");
const dsRef = dsVar ? `\${${dsVar.name}}` : null;
const varNames = new Set(variables.map((v) => v.name));

const PANEL_TYPES = new Set([
  "row",
  "stat",
  "timeseries",
  "bargauge",
  "gauge",
  "table",
  "text",
  "barchart",
  "piechart",
]);
const ids = new Set();
const boxes = [];
const queries = [];
const all = [];
for (const p of dash.panels ?? []) {
  all.push(p);
  for (const inner of p.panels ?? []) all.push(inner); // collapsed rows
}
if (all.length === 0) problems.push("dashboard has no panels");
for (const p of all) {
  const where = `panel ${p.id} "${p.title}"`;
  if (!Number.isInteger(p.id) || ids.has(p.id)) problems.push(`${where}: id missing or repeated`);
  ids.add(p.id);
  if (!PANEL_TYPES.has(p.type)) problems.push(`${where}: unknown type ${p.type}`);
  if (!p.title) problems.push(`panel ${p.id}: no title`);
  const g = p.gridPos ?? {};
  if (
    ![g.x, g.y, g.w, g.h].every(Number.isInteger) ||
    g.x < 0 ||
    g.y < 0 ||
    g.w < 1 ||
    g.h < 1 ||
    g.x + g.w > 24
  ) {
    problems.push(`${where}: gridPos ${JSON.stringify(g)} is outside the 24-column grid`);
  } else {
    for (const b of boxes) {
      if (g.x < b.x + b.w && b.x < g.x + g.w && g.y < b.y + b.h && b.y < g.y + g.h) {
        problems.push(`${where}: overlaps panel ${b.id}`);
      }
    }
    boxes.push({ ...g, id: p.id });
  }
  if (p.type === "row" || p.type === "text") continue;
  if (p.datasource?.uid !== dsRef) problems.push(`${where}: does not use the ${dsRef} data source`);
  const targets = p.targets ?? [];
  if (targets.length === 0) problems.push(`${where}: no queries`);
  const refIds = new Set();
  for (const t of targets) {
    if (refIds.has(t.refId)) problems.push(`${where}: refId ${t.refId} repeated`);
    refIds.add(t.refId);
    if (t.datasource?.uid !== dsRef) problems.push(`${where} ${t.refId}: does not use ${dsRef}`);
    if (typeof t.expr !== "string" || t.expr.trim() === "") {
      problems.push(`${where} ${t.refId}: empty expression`);
      continue;
    }
    for (const m of t.expr.matchAll(/\$(?:\{)?([a-zA-Z_][a-zA-Z0-9_]*)/g)) {
      if (!m[1].startsWith("__") && !varNames.has(m[1]))
        problems.push(`${where}: unknown variable $${m[1]}`);
    }
    // What Grafana sends for its variables, near enough to parse.
    const expr = t.expr
      .replace(/\$__rate_interval|\$__interval|\$__range/g, "5m")
      .replace(/\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?/g, ".+");
    checkNames(where, expr);
    queries.push({ where: `${where} ${t.refId}`, expr });
  }
}

fs.writeFileSync(
  out,
  YAML.stringify({
    groups: [
      {
        name: "dashboard-queries",
        rules: queries.map((q, i) => ({
          record: `dashboard:query_${i}`,
          expr: q.expr,
          labels: { panel: q.where },
        })),
      },
    ],
  }),
);

if (problems.length > 0) {
  console.error(`${problems.length} problem(s):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(
  `dashboard: ${all.length} panels, ${queries.length} queries; ${contract.size} contract metrics, ${recorded.size} recorded names`,
);
