// Run by kafkajs-fixes.spec.ts under plain Node (tsx), whose module cache Jest bypasses: loads
// libs/kafka as a service does, then kafkajs, and prints whether kafkajs groups with our fix.
import '../src/index';
import 'kafkajs';
import { groupingFixed } from '../src/kafkajs-fixes';

process.stdout.write(String(groupingFixed()));
