#!/usr/bin/env node
// Debian's Prometheus 2.42 is built without Kubernetes service discovery, so
// its promtool rejects deploy/prometheus/prometheus-kubernetes.yml outright
// ("field kubernetes_sd_configs not found"). This checks the
// kubernetes_sd_configs blocks here instead (known keys, a valid role, and
// relabelling that reads only __meta_kubernetes_* labels that role has) and
// writes a copy with each block swapped for a static target and the rule
// files made absolute, for promtool to check everything else.
// Usage: node prometheus_k8s_config.mjs CONFIG.yml OUT.yml
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: prometheus_k8s_config.mjs CONFIG.yml OUT.yml");
  process.exit(2);
}
const config = YAML.parse(fs.readFileSync(input, "utf8"));
const problems = [];

// From Prometheus' kubernetes_sd_config documentation.
const SD_KEYS = new Set([
  "role",
  "api_server",
  "kubeconfig_file",
  "namespaces",
  "selectors",
  "attach_metadata",
  "basic_auth",
  "authorization",
  "oauth2",
  "proxy_url",
  "follow_redirects",
  "enable_http2",
  "tls_config",
]);
const NAMESPACES_KEYS = new Set(["names", "own_namespace"]);
// The meta labels each role sets (prefixes), endpoints also those of the
// Service and of the pod behind each address.
const META = {
  node: ["node_"],
  service: ["namespace", "service_"],
  pod: ["namespace", "pod_"],
  endpoints: ["namespace", "endpoints_", "endpoint_", "service_", "pod_"],
  endpointslice: ["namespace", "endpointslice_", "service_", "pod_"],
  ingress: ["namespace", "ingress_"],
};

for (const job of config.scrape_configs ?? []) {
  const sds = job.kubernetes_sd_configs;
  if (!sds) continue;
  const roles = new Set();
  for (const sd of sds) {
    for (const key of Object.keys(sd)) {
      if (!SD_KEYS.has(key))
        problems.push(`${job.job_name}: unknown kubernetes_sd_configs key ${key}`);
    }
    if (!(sd.role in META))
      problems.push(`${job.job_name}: role ${sd.role} is not one of ${Object.keys(META)}`);
    roles.add(sd.role);
    for (const key of Object.keys(sd.namespaces ?? {})) {
      if (!NAMESPACES_KEYS.has(key))
        problems.push(`${job.job_name}: unknown namespaces key ${key}`);
    }
    if (sd.namespaces?.names && !Array.isArray(sd.namespaces.names)) {
      problems.push(`${job.job_name}: namespaces.names must be a list`);
    }
  }
  for (const rc of job.relabel_configs ?? []) {
    for (const label of rc.source_labels ?? []) {
      if (!label.startsWith("__meta_kubernetes_")) continue;
      const rest = label.slice("__meta_kubernetes_".length);
      const known = [...roles].some((role) =>
        (META[role] ?? []).some((p) => rest === p || rest.startsWith(p)),
      );
      if (!known) problems.push(`${job.job_name}: no ${[...roles]} target has the label ${label}`);
    }
  }
  delete job.kubernetes_sd_configs;
  job.static_configs = [{ targets: ["127.0.0.1:9"] }];
}

const dir = path.dirname(path.resolve(input));
config.rule_files = (config.rule_files ?? []).map((f) =>
  path.isAbsolute(f) ? f : path.join(dir, f),
);
fs.writeFileSync(output, YAML.stringify(config));

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
