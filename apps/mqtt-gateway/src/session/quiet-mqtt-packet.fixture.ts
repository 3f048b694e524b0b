// Run by quiet-mqtt-packet.spec.ts under plain Node (tsx), whose module cache Jest bypasses. With
// "quiet", it first loads quiet-mqtt-packet as main.ts does. It then turns on every mqtt-packet
// logger, as DEBUG=mqtt-packet:* would, and parses a PUBLISH: what mqtt-packet logs goes to stderr.
/* eslint-disable @typescript-eslint/no-require-imports */
const quiet = process.argv[2] === 'quiet' ? (require('./quiet-mqtt-packet') as { mqttPacketQuiet: boolean }).mqttPacketQuiet : false;
(require('debug') as { enable(namespaces: string): void }).enable('mqtt-packet:*');
const mqttPacket = require('mqtt-packet') as { parser(): { parse(bytes: Buffer): void; on(event: 'packet', listener: (packet: { topic?: string }) => void): void } };
/* eslint-enable @typescript-eslint/no-require-imports */
const reader = mqttPacket.parser();
reader.on('packet', (packet) => process.stdout.write(JSON.stringify({ quiet, topic: packet.topic })));
reader.parse(Buffer.from([0x30, 0x07, 0x00, 0x03, 0x61, 0x2f, 0x62, 0x68, 0x69]));
