import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Partitioners, type Message, type PartitionerArgs } from 'kafkajs';
import { groupMessagesPerPartition, rememberingPartitioner } from './kafkajs-fixes';
import { encodedProduceRequest } from '../test/produce-request';

type Grouping = typeof groupMessagesPerPartition;

const ROOT = join(__dirname, '../../..');
// Jest loads modules past Node's cache, so this is kafkajs's own grouping.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsGrouping = require('kafkajs/src/producer/groupMessagesPerPartition') as Grouping;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Encoder = require('kafkajs/src/protocol/encoder') as new () => { writeVarIntBytes(v: Buffer | string): unknown; writeInt32(v: number): unknown; buffer: Buffer };

const metadata = (count: number) => Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1] })) as PartitionerArgs['partitionMetadata'];
const messages = (count: number): Message[] => Array.from({ length: count }, (_, i) => ({ key: i % 7 === 0 ? null : `dev-${i % 37}`, value: `v${i}` }));

describe('kafkajs fixes', () => {
  it('group a batch by partition exactly as kafkajs does, keyless round-robin included', () => {
    for (const partitions of [1, 3, 8]) {
      const args = { topic: 't', partitionMetadata: metadata(partitions), messages: messages(500) };
      // Keyless messages go round-robin from a random start, so ours is told the partitions kafkajs chose.
      const expected = kafkajsGrouping({ ...args, partitioner: Partitioners.DefaultPartitioner() });
      const chosen = new Map<Message, number>();
      for (const [partition, list] of Object.entries(expected)) for (const m of list) chosen.set(m, Number(partition));
      const ours = groupMessagesPerPartition({ ...args, partitioner: ({ message }) => chosen.get(message) ?? -1 });
      expect(ours).toEqual(expected);
      expect(Object.keys(ours).length).toBe(partitions);
    }
    expect(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages: messages(3), partitioner: () => 0 })).toEqual({});
  });

  it('remember the partition kafkajs gives each key, per partition count', () => {
    const partitioner = rememberingPartitioner(Partitioners.DefaultPartitioner)();
    const reference = Partitioners.DefaultPartitioner();
    for (const partitions of [3, 12, 3]) {
      for (let i = 0; i < 300; i++) {
        const args = { topic: 't', partitionMetadata: metadata(partitions), message: { key: `device-${i}`, value: 'x' } };
        expect(partitioner(args)).toBe(reference(args));
      }
    }
    expect(partitioner({ topic: 't', partitionMetadata: metadata(3), message: { key: 'k', value: 'x', partition: 2 } })).toBe(2);
  });

  it('leave what the Encoder writes unchanged when it grows its buffer', () => {
    const value = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const encoder = new Encoder();
    encoder.writeInt32(7);
    encoder.writeVarIntBytes(value);
    encoder.writeVarIntBytes('é'.repeat(700));
    const varint = (n: number) => {
      const bytes: number[] = [];
      let zigzag = n << 1;
      while (zigzag > 0x7f) {
        bytes.push((zigzag & 0x7f) | 0x80);
        zigzag >>>= 7;
      }
      return [...bytes, zigzag];
    };
    const expected = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from(varint(5000)), value, Buffer.from(varint(1400)), Buffer.from('é'.repeat(700))]);
    expect(encoder.buffer).toEqual(expected);
  });

  it('are in force in a service, which loads libs/kafka before kafkajs, and encode the same produce request', async () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), '--tsconfig', 'tsconfig.base.json', 'libs/kafka/test/load-order.fixture.ts'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    const { fixed, request } = JSON.parse(out) as { fixed: boolean; request: string };
    expect(fixed).toBe(true);
    const unfixed = await encodedProduceRequest(); // Jest's own kafkajs: its grouping and constructor
    expect(unfixed.length).toBeGreaterThan(200_000);
    expect(Buffer.from(request, 'base64').equals(unfixed)).toBe(true);
  });
});
