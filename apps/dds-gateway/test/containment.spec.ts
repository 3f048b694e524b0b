import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, freePort, freshName, run, sharedInfra, track, waitFor, workspaceRoot } from '@fieldlink/testing';
import { CYCLONE_CONFIG, CyclonePublisher, STRACE_SENDS } from './cyclone';
import { DEFAULT_XML } from './support';

/** Every value of <tag> elements in the XML text. */
function elements(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => (m[1] ?? '').trim());
}

/** The destination addresses of every UDP datagram in an strace log of sendto/sendmsg. */
function destinations(log: string): { address: string; port: number }[] {
  const sends = log.split('\n').filter((line) => /\b(sendto|sendmsg|sendmmsg)\(/.test(line));
  return sends.flatMap((line) =>
    [...line.matchAll(/sin6?_port=htons\((\d+)\), (?:sin_addr=inet_addr\("([^"]+)"\)|sin6_flowinfo=[^,]+, inet_pton\(AF_INET6, "([^"]+)")/g)].map((m) => ({
      port: Number(m[1]),
      address: m[2] ?? m[3] ?? '?',
    })),
  );
}

/** SIGTERM to the process strace runs, so it shuts down cleanly and strace exits after it. */
async function stopTraced(stracePid: number | undefined): Promise<void> {
  if (stracePid === undefined) return;
  const children = await run('pgrep', ['-P', String(stracePid)]);
  for (const pid of children.stdout.split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGTERM');
}

describe('dds-gateway keeps DDS on loopback', () => {
  it('ships XML with multicast off, only loopback and shmem peers, UDPv4 bound to 127.0.0.1; the Cyclone peers use lo without multicast', () => {
    const xml = readFileSync(DEFAULT_XML, 'utf8');
    expect(elements(xml, 'mask')).toEqual(['UDPv4|SHMEM']);
    expect(xml).toMatch(/<initial_peers>\s*<element>builtin\.udpv4:\/\/127\.0\.0\.1<\/element>\s*<element>builtin\.shmem:\/\/<\/element>\s*<\/initial_peers>/);
    expect(xml).toMatch(/<multicast_receive_addresses\/>/);
    expect(xml).toMatch(/<name>dds\.transport\.UDPv4\.builtin\.parent\.allow_interfaces<\/name>\s*<value>127\.0\.0\.1<\/value>/);
    // One participant QoS, the default: nothing else can bring multicast back.
    expect(xml.match(/<domain_participant_qos>/g)).toHaveLength(1);

    const cyclone = readFileSync(CYCLONE_CONFIG, 'utf8');
    expect(cyclone).toMatch(/<NetworkInterface name="lo"\/>/);
    expect(elements(cyclone, 'AllowMulticast')).toEqual(['false']);
    expect([...cyclone.matchAll(/<Peer address="([^"]+)"\/>/g)].map((m) => m[1])).toEqual(['127.0.0.1']);
  });

  it('sends every datagram, of the gateway on its defaults and of a Cyclone publisher, to loopback, and joins no multicast group', async () => {
    const infra = await sharedInfra();
    const traceDir = mkdtempSync(join(tmpdir(), 'fieldlink-dds-strace-'));
    const trace = join(traceDir, 'gateway.strace');
    const peerTrace = join(traceDir, 'cyclone.strace');
    const httpPort = await freePort();
    const root = freshName('dds-contained');
    // strace (not our code) records every send of the gateway's threads, DDS and Kafka alike.
    const gateway = track(
      spawn('strace', [...STRACE_SENDS, '-o', trace, process.execPath, join(workspaceRoot(), 'dist', 'apps', 'dds-gateway', 'main.js')], {
        env: { ...process.env, KAFKA_BROKERS: infra.kafkaBrokers, TOPIC_PREFIX: `${root}.`, HTTP_PORT: String(httpPort), GATEWAY_INSTANCE_ID: root, SPOOL_DIR: traceDir },
        stdio: 'ignore',
      }),
    );
    try {
      await waitFor('the traced gateway ready', async () => (await fetch(`http://127.0.0.1:${httpPort}/health/ready`).catch(() => undefined))?.ok, { timeoutMs: 90_000, intervalMs: 500 });
      const pub = await CyclonePublisher.start({ topic: 'SensorReadings', count: 200, sensors: 2, rate: 200, lingerMs: 3000, straceFile: peerTrace });
      await pub.done();
      const groups = readFileSync('/proc/net/igmp', 'utf8');
      // 239.255.0.1, the DDS discovery group, as /proc/net/igmp writes it (little-endian hex).
      expect(groups).not.toContain('0100FFEF');
      const bound = await run('ss', ['-uanp']);
      // 7400 is domain 0's multicast discovery port; nobody on this machine listens on it.
      expect(bound.stdout).not.toMatch(/:7400\s/);
      // It exits after lingering; signalling strace instead would detach it and leave it running.
      await pub.exit();
    } finally {
      await stopTraced(gateway.pid);
      await exited(gateway);
    }
    for (const file of [trace, peerTrace]) {
      const sent = destinations(readFileSync(file, 'utf8'));
      const dds = sent.filter((d) => d.port >= 7400 && d.port < 7700);
      expect(dds.length).toBeGreaterThan(10);
      expect([...new Set(sent.map((d) => d.address))].filter((a) => a !== '127.0.0.1' && a !== '::1')).toEqual([]);
    }
  });
});
