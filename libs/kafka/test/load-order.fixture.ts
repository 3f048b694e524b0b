// Run by kafkajs-fixes.spec.ts under plain Node (tsx), whose module cache Jest bypasses: loads
// libs/kafka's index as a service does, then kafkajs, and prints whether kafkajs uses our fixes
// and the bytes of a produce request it encodes with them.
import '../src/index';
import 'kafkajs';
import { kafkajsFixed } from '../src/kafkajs-fixes';
import { encodedProduceRequest } from './produce-request';

void encodedProduceRequest().then((bytes) => process.stdout.write(JSON.stringify({ fixed: kafkajsFixed(), request: bytes.toString('base64') })));
