export { ServiceProcess, writeConfig } from './gateway-process';
export { type Infra, sharedInfra } from './infra';
export { type KafkaRecord, produce, readTopic, waitForRecords } from './kcat';
export { LocalService } from './local-service';
export { freePort, freshName } from './names';
export { type RunResult, exited, run } from './processes';
export { waitFor } from './wait-for';
export { workspaceRoot } from './workspace';
export { Toxiproxy } from './toxiproxy';
