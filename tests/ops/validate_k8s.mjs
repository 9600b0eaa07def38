#!/usr/bin/env node
// Validates rendered Kubernetes manifests (kustomize output, many YAML
// documents in one file) offline:
//  - every object against the Kubernetes API schemas (kubernetes-models) or
//    the Prometheus Operator's CRD schemas, strictly: a field the schema does
//    not know (a typo such as "livenessProbes") is an error, as it is for
//    `kubectl apply --validate=strict`;
//  - OneWindow's own rules: every Deployment/StatefulSet container has
//    liveness and readiness probes, requests and limits, and runs as a
//    non-root user under the restricted Pod Security Standard; backends use
//    native gRPC probes and keep their data on a volume claim; every name an
//    object refers to (Secret, ConfigMap, Service, scale target, gRPC client
//    address) exists in the same namespace.
// Usage: node validate_k8s.mjs RENDERED.yaml   (exit 1 and a list on failure)
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import YAML from "yaml";

const require = createRequire(import.meta.url);
const localize = require("ajv-i18n");

// ---------------------------------------------------------------- schemas

// The packages export only their model classes; the plain validate
// functions live beside them under _schemas/.
function packageDir(name) {
  return path.dirname(require.resolve(name));
}
const k8sSchemas = path.join(packageDir("kubernetes-models"), "_schemas");
const operatorSchemas = path.join(packageDir("@kubernetes-models/prometheus-operator"), "_schemas");

const capitalize = (s) => s.charAt(0).toUpperCase() + s.slice(1);

function schemaFile(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") {
    return path.join(operatorSchemas, `MonitoringCoreosCom${capitalize(version)}${kind}.js`);
  }
  // "" -> Core, "apps" -> Apps, "networking.k8s.io" -> Networking.
  const groupName = group === "" ? "Core" : capitalize(group.split(".")[0]);
  return path.join(k8sSchemas, `IoK8sApi${groupName}${capitalize(version)}${kind}.js`);
}

// Runs a generated validator on `doc` through proxies that record which
// properties it reads: a key of an object whose properties the validator
// inspected, but which it never read, is not in the schema. (The schemas
// themselves allow unknown fields, as the API server's do without strict
// validation.) Objects the validator reads no property of are free-form maps
// or opaque values and are left alone.
function validateStrict(validate, doc) {
  const read = new WeakMap();
  const proxies = new WeakMap();
  const note = (target, key) => {
    let keys = read.get(target);
    if (!keys) read.set(target, (keys = new Set()));
    keys.add(key);
  };
  const wrap = (value) => {
    if (value === null || typeof value !== "object") return value;
    let proxy = proxies.get(value);
    if (!proxy) {
      proxy = new Proxy(value, {
        get(target, key, receiver) {
          if (typeof key === "string") note(target, key);
          return wrap(Reflect.get(target, key, receiver));
        },
        has(target, key) {
          if (typeof key === "string") note(target, key);
          return Reflect.has(target, key);
        },
      });
      proxies.set(value, proxy);
    }
    return proxy;
  };
  const errors = [];
  if (!validate(wrap(doc))) {
    const found = validate.errors.map((e) => ({ ...e }));
    localize.en(found); // the generated validators carry no messages
    for (const e of found) errors.push(`${e.instancePath || "/"} ${e.message ?? e.keyword}`);
  }
  const walk = (value, at) => {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${at}/${i}`));
      return;
    }
    const keys = read.get(value);
    for (const key of Object.keys(value)) {
      if (keys && keys.size > 0 && !keys.has(key)) errors.push(`${at}/${key}: unknown field`);
      walk(value[key], `${at}/${key}`);
    }
  };
  walk(doc, "");
  return errors;
}

// ---------------------------------------------------------------- helpers

const problems = [];
const label = (o) => `${o.kind}/${o.metadata?.namespace ?? "-"}/${o.metadata?.name}`;
const fail = (o, message) => problems.push(`${label(o)}: ${message}`);

const matches = (selector, labels) =>
  selector &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const CLUSTER_SCOPED = new Set(["Namespace"]);
const WORKLOADS = new Set(["Deployment", "StatefulSet"]);

// ---------------------------------------------------------------- checks

function checkContainer(o, pod, c) {
  const where = `container ${c.name}`;
  if (!c.livenessProbe) fail(o, `${where} has no livenessProbe`);
  if (!c.readinessProbe) fail(o, `${where} has no readinessProbe`);
  for (const kind of ["requests", "limits"]) {
    for (const resource of ["cpu", "memory"]) {
      if (!c.resources?.[kind]?.[resource]) fail(o, `${where} has no ${kind}.${resource}`);
    }
  }
  // Restricted Pod Security Standard, container over pod settings.
  const podSc = pod.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
  const runAsUser = sc.runAsUser ?? podSc.runAsUser;
  if (runAsNonRoot !== true) fail(o, `${where} does not set runAsNonRoot: true`);
  if (runAsUser === undefined || runAsUser === 0) {
    fail(o, `${where} has no non-zero runAsUser (the image's user might be root)`);
  }
  if (sc.allowPrivilegeEscalation !== false) {
    fail(o, `${where} does not set allowPrivilegeEscalation: false`);
  }
  if (!(sc.capabilities?.drop ?? []).includes("ALL"))
    fail(o, `${where} does not drop ALL capabilities`);
  if (sc.privileged) fail(o, `${where} is privileged`);
  const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
  if (!["RuntimeDefault", "Localhost"].includes(seccomp)) {
    fail(o, `${where} has no RuntimeDefault seccomp profile`);
  }
  const image = c.image ?? "";
  const tag = image.includes("@") ? "digest" : image.split("/").pop().split(":")[1];
  if (!tag || tag === "latest") fail(o, `${where} image ${image} has no pinned tag`);
}

function checkBackend(o, c) {
  // OneWindow backends answer grpc.health.v1 on their "grpc" port.
  const grpcPort = (c.ports ?? []).find((p) => p.name === "grpc")?.containerPort;
  if (!grpcPort) {
    fail(o, `container ${c.name} has no port named grpc`);
    return;
  }
  if (!(c.ports ?? []).some((p) => p.name === "metrics")) {
    fail(o, `container ${c.name} has no port named metrics`);
  }
  for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
    if (!c[probe]) continue;
    if (!c[probe].grpc) fail(o, `${probe} of ${c.name} is not a native gRPC probe`);
    else if (c[probe].grpc.port !== grpcPort) {
      fail(o, `${probe} of ${c.name} checks port ${c[probe].grpc.port}, not grpc ${grpcPort}`);
    }
  }
}

function main() {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: validate_k8s.mjs RENDERED.yaml");
    process.exit(2);
  }
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
  const objects = [];
  for (const d of docs) {
    if (d.errors.length > 0) {
      problems.push(`YAML: ${d.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const o = d.toJS();
    if (o !== null) objects.push(o);
  }
  if (objects.length === 0) problems.push("no objects in the input");

  // Schemas.
  for (const o of objects) {
    if (!o.apiVersion || !o.kind) {
      problems.push(`an object without apiVersion or kind: ${JSON.stringify(o).slice(0, 80)}`);
      continue;
    }
    // kustomize folds long base64 values over lines; the API server's
    // decoder skips line breaks, the schema's "byte" format does not.
    if (o.kind === "Secret" && o.data) {
      for (const key of Object.keys(o.data))
        o.data[key] = String(o.data[key]).replace(/[\r\n]/g, "");
    }
    const schema = schemaFile(o.apiVersion, o.kind);
    if (!fs.existsSync(schema)) {
      fail(o, `no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    for (const error of validateStrict(require(schema).validate, o)) fail(o, error);
    if (!CLUSTER_SCOPED.has(o.kind) && !o.metadata?.namespace) fail(o, "has no namespace");
  }

  const byKind = (kind) => objects.filter((o) => o.kind === kind);
  const find = (kind, ns, name) =>
    objects.find(
      (o) => o.kind === kind && o.metadata?.namespace === ns && o.metadata?.name === name,
    );
  const workloads = objects.filter((o) => WORKLOADS.has(o.kind));
  const onewindow = (o) => o.metadata?.labels?.["app.kubernetes.io/part-of"] === "onewindow";
  const isBackend = (o) => o.metadata?.labels?.["app.kubernetes.io/component"] === "backend";

  // Workloads.
  for (const o of workloads) {
    const ns = o.metadata.namespace;
    const pod = o.spec?.template?.spec ?? {};
    const containers = pod.containers ?? [];
    if (!matches(o.spec?.selector?.matchLabels, o.spec?.template?.metadata?.labels)) {
      fail(o, "selector does not match its pod template's labels");
    }
    for (const c of [...(pod.initContainers ?? []), ...containers]) checkContainer(o, pod, c);

    // References to Secrets and ConfigMaps, with keys.
    const refs = [];
    for (const c of containers) {
      for (const e of c.env ?? []) {
        const s = e.valueFrom?.secretKeyRef;
        if (s) refs.push(["Secret", s.name, s.key, `env ${e.name}`]);
        const m = e.valueFrom?.configMapKeyRef;
        if (m) refs.push(["ConfigMap", m.name, m.key, `env ${e.name}`]);
      }
      for (const e of c.envFrom ?? []) {
        if (e.secretRef) refs.push(["Secret", e.secretRef.name, null, "envFrom"]);
        if (e.configMapRef) refs.push(["ConfigMap", e.configMapRef.name, null, "envFrom"]);
      }
    }
    for (const v of pod.volumes ?? []) {
      if (v.secret) refs.push(["Secret", v.secret.secretName, null, `volume ${v.name}`]);
      if (v.configMap) refs.push(["ConfigMap", v.configMap.name, null, `volume ${v.name}`]);
    }
    for (const [kind, name, key, what] of refs) {
      const target = find(kind, ns, name);
      if (!target) {
        fail(o, `${what} refers to ${kind} ${name}, which is not in namespace ${ns}`);
      } else if (key && !(key in (target.data ?? {})) && !(key in (target.stringData ?? {}))) {
        fail(o, `${what} refers to key ${key}, which ${kind} ${name} does not have`);
      }
    }

    // Volume mounts name a volume or a claim template.
    const volumeNames = new Set([
      ...(pod.volumes ?? []).map((v) => v.name),
      ...(o.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name),
    ]);
    for (const c of containers) {
      for (const m of c.volumeMounts ?? []) {
        if (!volumeNames.has(m.name))
          fail(o, `container ${c.name} mounts unknown volume ${m.name}`);
      }
    }

    if (o.kind === "StatefulSet") {
      const svc = find("Service", ns, o.spec.serviceName);
      if (!svc) fail(o, `serviceName ${o.spec.serviceName} is not a Service in ${ns}`);
      else if (svc.spec?.clusterIP !== "None")
        fail(o, `Service ${svc.metadata.name} is not headless`);
    }
    if (onewindow(o) && isBackend(o)) {
      if (o.kind !== "StatefulSet") fail(o, "a backend must be a StatefulSet (its SQLite store)");
      for (const c of containers) checkBackend(o, c);
      // The data directory is on a claim, not the container's filesystem.
      const config = containers
        .flatMap((c) => c.envFrom ?? [])
        .map((e) => e.configMapRef && find("ConfigMap", ns, e.configMapRef.name))
        .find((m) => m?.data?.OW_DATA_DIR);
      const dataDir = config?.data?.OW_DATA_DIR;
      const claims = new Set((o.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name));
      const onClaim = containers.some((c) =>
        (c.volumeMounts ?? []).some((m) => claims.has(m.name) && m.mountPath === dataDir),
      );
      if (!dataDir) fail(o, "gets no OW_DATA_DIR from a ConfigMap");
      else if (!onClaim) fail(o, `does not mount a volumeClaimTemplate at OW_DATA_DIR ${dataDir}`);
      // One SQLite store per service until the PostgreSQL backend exists.
      if ((o.spec?.replicas ?? 1) !== 1) fail(o, "runs more than one replica of a SQLite store");
    }
  }

  // Services select pods and name ports that exist.
  for (const svc of byKind("Service")) {
    const ns = svc.metadata.namespace;
    const backing = workloads.filter(
      (w) =>
        w.metadata.namespace === ns &&
        matches(svc.spec?.selector, w.spec?.template?.metadata?.labels),
    );
    if (backing.length === 0) {
      fail(svc, "selects no Deployment or StatefulSet pods");
      continue;
    }
    const containerPorts = new Map();
    for (const w of backing) {
      for (const c of w.spec.template.spec.containers ?? []) {
        for (const p of c.ports ?? []) containerPorts.set(p.name, p.containerPort);
      }
    }
    for (const p of svc.spec.ports ?? []) {
      const target = p.targetPort ?? p.port;
      const known =
        typeof target === "string"
          ? containerPorts.has(target)
          : [...containerPorts.values()].includes(target);
      if (!known) fail(svc, `port ${p.name} targets ${target}, which no selected container has`);
    }
    if (onewindow(svc) && isBackend(svc)) {
      if (svc.spec.clusterIP !== "None")
        fail(svc, "a backend Service must be headless (clusterIP: None)");
      const names = (svc.spec.ports ?? []).map((p) => p.name);
      for (const n of ["grpc", "metrics"]) {
        if (!names.includes(n)) fail(svc, `has no port named ${n}`);
      }
    }
  }

  // Every OneWindow process is scraped: a ServiceMonitor selects its Service
  // on a port named metrics.
  for (const sm of byKind("ServiceMonitor")) {
    const ns = sm.metadata.namespace;
    const services = byKind("Service").filter(
      (s) =>
        s.metadata.namespace === ns && matches(sm.spec?.selector?.matchLabels, s.metadata.labels),
    );
    if (services.length === 0) fail(sm, "selects no Service");
    for (const ep of sm.spec?.endpoints ?? []) {
      for (const s of services) {
        if (!(s.spec.ports ?? []).some((p) => p.name === ep.port)) {
          fail(sm, `Service ${s.metadata.name} has no port named ${ep.port}`);
        }
      }
    }
  }
  for (const svc of byKind("Service").filter((s) =>
    (s.spec.ports ?? []).some((p) => p.name === "metrics"),
  )) {
    const scraped = byKind("ServiceMonitor").some(
      (sm) =>
        sm.metadata.namespace === svc.metadata.namespace &&
        matches(sm.spec?.selector?.matchLabels, svc.metadata.labels),
    );
    if (!scraped) fail(svc, "has a metrics port but no ServiceMonitor selects it");
  }

  // Autoscalers and disruption budgets point at real workloads.
  for (const hpa of byKind("HorizontalPodAutoscaler")) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const target = find(ref.kind, hpa.metadata.namespace, ref.name);
    if (!target) fail(hpa, `scales ${ref.kind} ${ref.name}, which does not exist`);
    else if (target.spec?.replicas !== undefined) {
      fail(
        hpa,
        `${ref.kind} ${ref.name} sets replicas, which every apply would reset under the autoscaler`,
      );
    }
    const pdb = byKind("PodDisruptionBudget").find(
      (p) =>
        p.metadata.namespace === hpa.metadata.namespace &&
        target &&
        matches(p.spec?.selector?.matchLabels, target.spec?.template?.metadata?.labels),
    );
    if (
      pdb &&
      typeof pdb.spec.minAvailable === "number" &&
      pdb.spec.minAvailable >= hpa.spec.minReplicas
    ) {
      fail(
        pdb,
        `minAvailable ${pdb.spec.minAvailable} leaves no pod to evict at ${hpa.spec.minReplicas} replicas`,
      );
    }
  }
  for (const pdb of byKind("PodDisruptionBudget")) {
    const covered = workloads.some(
      (w) =>
        w.metadata.namespace === pdb.metadata.namespace &&
        matches(pdb.spec?.selector?.matchLabels, w.spec?.template?.metadata?.labels),
    );
    if (!covered) fail(pdb, "selects no pods");
  }

  // gRPC client addresses: dns:/// on a headless Service's grpc port, so
  // round_robin sees every pod.
  for (const cm of byKind("ConfigMap")) {
    for (const [key, value] of Object.entries(cm.data ?? {})) {
      const m = /^OW_([A-Z]+)_ADDR$/.exec(key);
      if (!m || key === "OW_REDIS_ADDR") continue;
      const service = m[1].toLowerCase();
      const parsed = /^dns:\/\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:(\d+)$/.exec(
        value,
      );
      if (!parsed) {
        fail(cm, `${key}=${value} is not dns:///<service>.<namespace>.svc.cluster.local:<port>`);
        continue;
      }
      const [, name, ns, port] = parsed;
      const svc = find("Service", ns, name);
      if (name !== service) fail(cm, `${key} points at ${name}, not ${service}`);
      if (!svc) fail(cm, `${key} names Service ${name} in ${ns}, which does not exist`);
      else {
        if (svc.spec.clusterIP !== "None") fail(cm, `${key}: Service ${name} is not headless`);
        const grpc = (svc.spec.ports ?? []).find((p) => p.name === "grpc");
        if (!grpc || grpc.port !== Number(port))
          fail(cm, `${key}: port ${port} is not ${name}'s grpc port`);
      }
    }
  }

  if (problems.length > 0) {
    console.error(`${problems.length} problem(s) in ${file}:`);
    for (const p of problems) console.error(`  ${p}`);
    process.exit(1);
  }
  const kinds = {};
  for (const o of objects) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
  const summary = Object.entries(kinds)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  console.log(`${objects.length} objects valid (${summary})`);
}

main();
