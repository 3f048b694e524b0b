import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHART, type K8sObject, LocalService, ServiceProcess, chartConfig, freePort, freshName, helm, mosquittoPub, readTopic, renderChart, run, waitFor, workspaceRoot } from '@fieldlink/testing';
import { parseAllDocuments, stringify } from 'yaml';
import { APPS } from './apps';

/** The three values sets the chart is tested with: the defaults, everything on, and a production-like install. */
const VALUES_SETS: [string, string[]][] = [
  ['defaults', []],
  ['everything enabled', ['-f', join(CHART, 'ci', 'all-enabled-values.yaml')]],
  ['production-like', ['-f', join(CHART, 'ci', 'production-values.yaml')]],
];

interface Container {
  name: string;
  securityContext?: {
    runAsNonRoot?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type?: string };
  };
}

interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
  containers: Container[];
  initContainers?: Container[];
  volumes?: Record<string, unknown>[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
}

/** Findings from validating the objects against the Kubernetes API schemas (validate-k8s.mjs, kubernetes-models). */
async function schemaFindings(objects: K8sObject[]): Promise<string[]> {
  const result = await run(process.execPath, [join(__dirname, 'validate-k8s.mjs')], { input: JSON.stringify(objects), timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`validate-k8s.mjs exited ${result.code}:\n${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}

function podSpecOf(object: K8sObject): PodSpec | undefined {
  const template = object.spec?.['template'] as { spec?: PodSpec } | undefined;
  return template?.spec;
}

/** Where a pod breaks the Kubernetes restricted Pod Security Standard (v1.25+), as readable findings. */
function restrictedViolations(name: string, pod: PodSpec): string[] {
  const found: string[] = [];
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) found.push(`${name}: host namespaces`);
  for (const volume of pod.volumes ?? []) if ('hostPath' in volume) found.push(`${name}: hostPath volume`);
  for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
    const sc = c.securityContext ?? {};
    const where = `${name}/${c.name}`;
    if (sc.allowPrivilegeEscalation !== false) found.push(`${where}: allowPrivilegeEscalation is not false`);
    if (!(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot)) found.push(`${where}: runAsNonRoot is not true`);
    if (pod.securityContext?.runAsUser === 0) found.push(`${where}: runAsUser 0`);
    if (!sc.capabilities?.drop?.includes('ALL')) found.push(`${where}: capabilities do not drop ALL`);
    if ((sc.capabilities?.add ?? []).some((cap) => cap !== 'NET_BIND_SERVICE')) found.push(`${where}: adds capabilities`);
    const seccomp = sc.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') found.push(`${where}: seccomp is not RuntimeDefault`);
    if (sc.readOnlyRootFilesystem !== true) found.push(`${where}: root filesystem is writable`);
  }
  return found;
}

describe('helm/fieldlink', () => {
  let privateKafka: LocalService | undefined;
  let privateMosquitto: LocalService | undefined;
  const running = new Map<string, ServiceProcess>();
  afterAll(async () => {
    await Promise.all([...running.values()].map((service) => service.kill()));
    await privateKafka?.dispose();
    await privateMosquitto?.dispose();
  });

  it.each(VALUES_SETS)('passes helm lint --strict with the %s values', async (_name, values) => {
    const result = await helm(['lint', '--strict', CHART, ...values]);
    expect(`${result.stdout}\n${result.stderr}`).toContain('0 chart(s) failed');
    expect(result.code).toBe(0);
  });

  it.each(VALUES_SETS)('renders with the %s values into objects that validate against the Kubernetes schemas', async (_name, values) => {
    const objects = await renderChart(values);
    expect(objects.length).toBeGreaterThan(0);
    expect(await schemaFindings(objects)).toEqual([]);
  });

  it.each(VALUES_SETS)('meets the restricted Pod Security Standard in every container with the %s values', async (_name, values) => {
    const pods = (await renderChart(values)).flatMap((o) => {
      const pod = podSpecOf(o);
      return pod ? [[`${o.kind}/${o.metadata.name}`, pod] as const] : [];
    });
    expect(pods.length).toBeGreaterThan(0);
    expect(pods.flatMap(([name, pod]) => restrictedViolations(name, pod))).toEqual([]);
  });

  it('the schema check finds an object the Kubernetes API would refuse', async () => {
    const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bad' }, spec: { replicas: 'three', selector: {}, template: { spec: { containers: [{ image: 'x' }] } } } };
    const findings = await schemaFindings([bad]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/^Deployment bad: .*replicas/);
  });

  it('the restricted-profile check finds a container that breaks it', () => {
    const pod: PodSpec = { containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: true, capabilities: { add: ['SYS_ADMIN'] } } }], volumes: [{ name: 'h', hostPath: { path: '/' } }] };
    expect(restrictedViolations('p', pod)).toEqual([
      'p: hostPath volume',
      'p/c: allowPrivilegeEscalation is not false',
      'p/c: runAsNonRoot is not true',
      'p/c: capabilities do not drop ALL',
      'p/c: adds capabilities',
      'p/c: seccomp is not RuntimeDefault',
      'p/c: root filesystem is writable',
    ]);
  });

  it('with everything enabled renders a workload, a Service and a PDB for every app, and the optional objects', async () => {
    const objects = await renderChart(VALUES_SETS[1]?.[1] ?? []);
    const names = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
    for (const app of APPS) {
      expect([...names('StatefulSet'), ...names('Deployment')]).toContain(`fl-${app}`);
      expect(names('Service')).toContain(`fl-${app}`);
      expect(names('PodDisruptionBudget')).toContain(`fl-${app}`);
      expect(names('ConfigMap')).toContain(`fl-${app}`);
    }
    expect(names('Deployment')).toEqual(['fl-stream-processor']);
    expect(names('Service')).toContain('fl-coap-gateway-coap');
    // One device's POSTs and its Observe reach the replica that holds its observation.
    expect(objects.find((o) => o.metadata.name === 'fl-coap-gateway-coap')?.spec).toMatchObject({ sessionAffinity: 'ClientIP' });
    for (const kind of ['HorizontalPodAutoscaler', 'ServiceMonitor', 'PrometheusRule', 'NetworkPolicy']) expect(names(kind).length).toBeGreaterThan(0);
    expect(names('ConfigMap')).toContain('fl-fieldlink-dashboard');
  });

  it('renders, with the defaults, configs each service runs on with only the cluster\'s addresses: a reading lands in fieldlink.telemetry and the stream processor reads it', async () => {
    // A Kafka and a broker of its own: the default topic names, consumer groups and MQTT topics are
    // what is tested, and other tests (and npm start's devices) use the same ones.
    const kafka = (privateKafka = await LocalService.kafka());
    const broker = (privateMosquitto = await LocalService.mosquitto());
    const release = freshName('fl');
    const objects = await renderChart([]);
    for (const app of APPS) {
      const config = chartConfig(objects, app);
      if (!config) continue;
      const file = join(mkdtempSync(join(tmpdir(), `fieldlink-chart-${app}-`)), 'config.yaml');
      writeFileSync(file, config);
      // What the cluster gives a pod: the addresses of Kafka and the broker, and its name as the instance id.
      const env = { FIELDLINK_CONFIG: file, KAFKA_BROKERS: kafka.address, MQTT_URL: `mqtt://${broker.address}`, COAP_PORT: String(await freePort()), GATEWAY_INSTANCE_ID: `${release}-${app}-0` };
      running.set(app, await ServiceProcess.start(app, env));
    }
    expect([...running.keys()]).toEqual(['mqtt-gateway', 'coap-gateway', 'stream-processor']);

    const device = freshName('chart-device');
    await mosquittoPub(broker.port, `sensors/${device}/data`, Buffer.from('{"temperature":21.5}'));
    await waitFor('the reading in fieldlink.telemetry', async () => (await readTopic(kafka.address, 'fieldlink.telemetry')).some((r) => r.key === device), { timeoutMs: 60_000, intervalMs: 500 });
    const processor = running.get('stream-processor') as ServiceProcess;
    await waitFor('the stream processor to read it', async () => (await processor.metric('fieldlink_stream_records_processed_total')) >= 1, { timeoutMs: 60_000, intervalMs: 500 });
    const topics = (await run('kcat', ['-b', kafka.address, '-L', '-J'], { timeoutMs: 15_000 })).stdout;
    const names = (JSON.parse(topics) as { topics: { topic: string }[] }).topics.map((t) => t.topic).filter((t) => !t.startsWith('__'));
    expect(names.every((t) => t.startsWith('fieldlink.'))).toBe(true);
    for (const [app, service] of running) {
      expect([app, await service.stop()]).toEqual([app, 0]);
      running.delete(app);
    }
  });

  it('gives each gateway a spool volume larger than the spool limit it renders into its config, and refuses one that is not', async () => {
    const objects = await renderChart([]);
    expect(chartConfig(objects, 'mqtt-gateway')).toContain('maxBytes: 1073741824');
    const claims = JSON.stringify(objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'fl-mqtt-gateway')?.spec?.['volumeClaimTemplates']);
    expect(claims).toContain('"storage":"2Gi"');
    const small = await helm(['template', 'fl', CHART, '--set', 'services.mqtt-gateway.spool.size=1Gi']);
    expect(small.code).not.toBe(0);
    expect(small.stderr).toContain('services.mqtt-gateway.spool.size (1Gi) must be at least 1.5 times the spool limit (1073741824 bytes');
    const lowered = await helm(['template', 'fl', CHART, '--set', 'services.mqtt-gateway.spool.size=1Gi', '--set', 'services.mqtt-gateway.spool.maxBytes=600Mi']);
    expect(lowered.code).toBe(0);
    expect(lowered.stdout).toContain('maxBytes: 629145600');
    const quantityInConfig = await helm(['template', 'fl', CHART, '--set-json', 'services.mqtt-gateway.config={"spool":{"maxBytes":"3Gi"}}']);
    expect(quantityInConfig.stderr).toContain('services.mqtt-gateway.config.spool.maxBytes must be a number of bytes');
  });

  it('divides the devices of MQTT gateway replicas into shards, or shares them with a shareGroup on every mapping, and refuses a mix', async () => {
    const mqttConfig = async (values: string[]) => chartConfig(await renderChart(values), 'mqtt-gateway') ?? '';
    expect(await mqttConfig([])).not.toContain('sharding');
    expect(await mqttConfig(['--set', 'services.mqtt-gateway.replicas=2'])).toContain('sharding:\n  count: 2\n');
    const everyShared = { mappings: ['telemetry', 'status'].map((name) => ({ name, topic: `${name}/{deviceId}`, shareGroup: 'fieldlink' })) };
    const shared = await mqttConfig(['--set', 'services.mqtt-gateway.replicas=2', '--set-json', `services.mqtt-gateway.config=${JSON.stringify(everyShared)}`]);
    expect(shared).toContain('shareGroup: fieldlink');
    expect(shared).not.toContain('sharding');
    const mixed = { mappings: [{ name: 'telemetry', topic: 't/{deviceId}', shareGroup: 'fieldlink' }, { name: 'status', topic: 's/{deviceId}' }] };
    const refused = await helm(['template', 'fl', CHART, '--set', 'services.mqtt-gateway.replicas=2', '--set-json', `services.mqtt-gateway.config=${JSON.stringify(mixed)}`]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('mapping "telemetry" has a shareGroup and mapping "status" has none');
    const oneSession = await helm(['template', 'fl', CHART, ...(VALUES_SETS[2]?.[1] ?? []), '--set', 'services.mqtt-gateway.config.mqtt.clientId=plant']);
    expect(oneSession.stderr).toContain('config.mqtt.clientId names one MQTT session for all of them');
    const sparkplug = await helm(['template', 'fl', CHART, ...(VALUES_SETS[2]?.[1] ?? []), '--set-json', 'services.mqtt-gateway.config.sparkplug={}']);
    expect(sparkplug.stderr).toContain('config.sparkplug is set: Sparkplug\'s seq is checked per edge node');
  });

  it('shows in helm/README.md the production-like values it renders', () => {
    const readme = readFileSync(join(workspaceRoot(), 'helm', 'README.md'), 'utf8');
    const example = /## A worked example[^]*?```yaml\n([^]*?)```/.exec(readme)?.[1];
    const file = readFileSync(join(CHART, 'ci', 'production-values.yaml'), 'utf8');
    expect(example).toBeDefined();
    expect(parseAllDocuments(example ?? '')[0]?.toJS()).toEqual(parseAllDocuments(file)[0]?.toJS());
  });

  it('carries the DDS gateway\'s shipped XML unchanged, so the two cannot drift', () => {
    const shipped = readFileSync(join(workspaceRoot(), 'apps', 'dds-gateway', 'src', 'session', 'fieldlink-default.xml'), 'utf8');
    expect(readFileSync(join(CHART, 'files', 'dds-default.xml'), 'utf8')).toBe(shipped);
  });

  it('gives the DDS gateway its unicast peers and interface instead of loopback', async () => {
    const objects = await renderChart(VALUES_SETS[1]?.[1] ?? []);
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'fl-dds-gateway') as { data: Record<string, string> } | undefined;
    const xml = config?.data['fieldlink.xml'] ?? '';
    expect(xml).toContain('<element>builtin.udpv4://dds-devices.plant.svc.cluster.local</element>');
    expect(xml).not.toContain('builtin.udpv4://127.0.0.1');
    expect(xml).toContain('<value>eth0</value>');
    expect(xml).toContain('<multicast_receive_addresses/>');
  });

  it.each([
    ['a broker list given as a string', { kafka: { brokers: 'kafka:9092' } }, 'brokers'],
    ['a negative replica count', { services: { 'mqtt-gateway': { enabled: true, replicas: -1 } } }, 'replicas'],
    ['a misspelt key', { services: { 'mqtt-gateway': { enabled: true, replicas: 1, replica: 2 } } }, 'replica'],
    ['SASL on without a password Secret', { kafka: { sasl: { enabled: true, username: 'u', passwordSecret: { name: '', key: 'password' } } } }, 'passwordSecret'],
    ['an unknown service', { services: { 'zigbee-gateway': { enabled: true, replicas: 1 } } }, 'zigbee-gateway'],
  ])('refuses values with %s, naming the key', async (_name, values, key) => {
    const file = join(mkdtempSync(join(tmpdir(), 'fieldlink-values-')), 'values.yaml');
    writeFileSync(file, stringify(values));
    const result = await helm(['template', 'fl', CHART, '-f', file]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('values don\'t meet the specifications of the schema');
    expect(result.stderr).toContain(key);
  });
});
