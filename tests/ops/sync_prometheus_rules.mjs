#!/usr/bin/env node
// Keeps k8s/base/prometheus-rules.yaml, the rules as PrometheusRule objects
// for the Prometheus Operator, equal to deploy/prometheus/rules/*.yml, the
// files promtool checks and unit-tests. One object per rule file.
//
//   node tests/ops/sync_prometheus_rules.mjs --write   regenerate the manifest
//   node tests/ops/sync_prometheus_rules.mjs [--check] fail if it is stale
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const rulesDir = path.join(root, "deploy/prometheus/rules");
const manifest = path.join(root, "k8s/base/prometheus-rules.yaml");

function render() {
  const files = fs
    .readdirSync(rulesDir)
    .filter((f) => f.endsWith(".yml"))
    .sort();
  const docs = files.map((file) => {
    const rules = YAML.parse(fs.readFileSync(path.join(rulesDir, file), "utf8"));
    return YAML.stringify(
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: {
          name: `onewindow-${path.basename(file, ".yml")}`,
          labels: { "app.kubernetes.io/part-of": "onewindow" },
        },
        spec: { groups: rules.groups },
      },
      { lineWidth: 0 },
    );
  });
  return (
    "# GENERATED from deploy/prometheus/rules/*.yml by\n" +
    "# `node tests/ops/sync_prometheus_rules.mjs --write`: edit those files, not this one.\n" +
    docs.join("---\n")
  );
}

const want = render();
if (process.argv.includes("--write")) {
  fs.writeFileSync(manifest, want);
  console.log(`wrote ${path.relative(root, manifest)}`);
} else {
  const have = fs.existsSync(manifest) ? fs.readFileSync(manifest, "utf8") : "";
  if (have !== want) {
    console.error(
      `${path.relative(root, manifest)} differs from deploy/prometheus/rules/; ` +
        "run: node tests/ops/sync_prometheus_rules.mjs --write",
    );
    process.exit(1);
  }
  console.log("PrometheusRule manifest matches deploy/prometheus/rules/");
}
