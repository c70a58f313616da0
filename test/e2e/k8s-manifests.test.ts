// The Kubernetes manifests of the scale-out set-up (collector/scale-out/kustomization.yaml and k8s/): no cluster
// runs on the test machines, so this checks what would break a deployment silently: selectors that do not match
// their pods, an agent pointed at a DNS name no Service has, and container arguments naming config files the
// images do not contain.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/app';
import { missingTools, requirePrerequisites, SCALE_OUT_DIR } from './collector-harness';

const run = promisify(execFile);
const TOOLS = join(process.env.OTELKIT_TOOLS_DIR ?? join(homedir(), '.cache', 'otelkit-tools'), 'compose-check');
const PYTHON = join(TOOLS, 'venv', 'bin', 'python');
const DOCKER_DIR = join(REPO_ROOT, 'collector', 'docker');

// Kubernetes objects, read as plain JSON.
type K8sObject = Record<string, any>;

async function readYamlDocuments(file: string): Promise<K8sObject[]> {
  const { stdout } = await run(PYTHON, [
    '-c',
    'import json, sys; from ruamel.yaml import YAML; print(json.dumps(list(YAML(typ="safe").load_all(open(sys.argv[1])))))',
    file,
  ]);
  return (JSON.parse(stdout) as (K8sObject | null)[]).filter((d): d is K8sObject => d !== null);
}

const missing = missingTools({ [PYTHON]: 'bash scripts/install-compose-check.sh' });

describe.runIf(missing.length === 0)('scale-out Kubernetes manifests', () => {
  let objects: K8sObject[] = [];
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

  beforeAll(async () => {
    const [kustomization] = await readYamlDocuments(join(SCALE_OUT_DIR, 'kustomization.yaml'));
    for (const resource of kustomization!.resources as string[]) {
      const file = join(SCALE_OUT_DIR, resource);
      expect(existsSync(file), resource).toBe(true);
      objects.push(...(await readYamlDocuments(file)));
    }
  });

  it('has the agent DaemonSet, the gateway Deployment and its headless Service', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'DaemonSet/otelkit-agent',
      'Deployment/otelkit-gateway',
      'Namespace/observability',
      'Service/otelkit-gateway-headless',
    ]);
  });

  it('selectors match their pod templates, and the headless Service selects the gateways', () => {
    for (const workload of objects.filter((o) => ['DaemonSet', 'Deployment'].includes(o.kind))) {
      expect(workload.spec.template.metadata.labels).toMatchObject(workload.spec.selector.matchLabels);
    }
    const service = find('Service', 'otelkit-gateway-headless');
    expect(service.spec.clusterIP).toBe('None');
    expect(find('Deployment', 'otelkit-gateway').spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(service.spec.ports.map((p: K8sObject) => p.port)).toContain(4317);
  });

  it("the agents resolve the headless Service's DNS name, on the gateways' OTLP gRPC port", () => {
    const service = find('Service', 'otelkit-gateway-headless');
    const env = find('DaemonSet', 'otelkit-agent').spec.template.spec.containers[0].env as K8sObject[];
    const hostname = env.find((e) => e.name === 'OTELCOL_GATEWAY_HOSTNAME')!.value as string;
    expect(hostname).toBe(`${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`);
    const args = find('DaemonSet', 'otelkit-agent').spec.template.spec.containers[0].args as string[];
    expect(args).toContain('--config=/etc/otelkit/agent.dns.yaml');
  });

  it('every config file the containers start with is shipped and copied into its image', () => {
    const images: Record<string, string> = {
      'otelkit-agent': readFileSync(join(DOCKER_DIR, 'agent.Dockerfile'), 'utf8'),
      'otelkit-collector': readFileSync(join(DOCKER_DIR, 'collector.Dockerfile'), 'utf8'),
    };
    for (const workload of objects.filter((o) => ['DaemonSet', 'Deployment'].includes(o.kind))) {
      for (const container of workload.spec.template.spec.containers as K8sObject[]) {
        const dockerfile = images[container.image as string]!;
        for (const arg of container.args as string[]) {
          const path = arg.replace('--config=/etc/otelkit/', '');
          const source = path.startsWith('scale-out/')
            ? path
            : existsSync(join(SCALE_OUT_DIR, path))
              ? `scale-out/${path}`
              : path;
          expect(existsSync(join(REPO_ROOT, 'collector', source)), `${arg}: collector/${source}`).toBe(true);
          expect(dockerfile, `${container.image as string} copies ${source}`).toContain(source.split('/').pop());
        }
      }
    }
  });
});

requirePrerequisites('Kubernetes manifests', missing);
