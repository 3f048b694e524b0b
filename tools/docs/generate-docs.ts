/* eslint-disable @nx/enforce-module-boundaries -- each reference is generated from the app's own config schema, which no library exports */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COAP_ENV_OVERRIDES, CoapGatewayConfigSchema } from '../../apps/coap-gateway/src/config/coap-gateway.config';
import { DDS_ENV_OVERRIDES, DdsGatewayConfigSchema } from '../../apps/dds-gateway/src/config/dds-gateway.config';
import { MQTT_ENV_OVERRIDES, MqttGatewayConfigSchema } from '../../apps/mqtt-gateway/src/config/mqtt-gateway.config';
import { OPCUA_ENV_OVERRIDES, OpcuaGatewayConfigSchema } from '../../apps/opcua-gateway/src/config/opcua-gateway.config';
import { StreamProcessorConfigSchema } from '../../apps/stream-processor/src/config/stream-processor.config';
import { type EnvOverride, SERVICE_ENV_OVERRIDES } from '@fieldlink/service';
import { parse } from 'yaml';
import { configKeys, configMarkdown, defaultText } from './config-reference';
import { reasonCodes, reasonCodesMarkdown } from './reason-codes';
import { topicFieldsMarkdown } from './topic-fields';

/** The release whose records (libs/schemas/compat/<release>) the topic reference shows. */
const RELEASE = '0.1.0';

const SERVICES: [string, object, EnvOverride[]][] = [
  ['mqtt-gateway', MqttGatewayConfigSchema, MQTT_ENV_OVERRIDES],
  ['coap-gateway', CoapGatewayConfigSchema, COAP_ENV_OVERRIDES],
  ['opcua-gateway', OpcuaGatewayConfigSchema, OPCUA_ENV_OVERRIDES],
  ['dds-gateway', DdsGatewayConfigSchema, DDS_ENV_OVERRIDES],
  ['stream-processor', StreamProcessorConfigSchema, SERVICE_ENV_OVERRIDES],
];

const CONFIG_INTRO = (app: string) =>
  `Every key of the ${app}'s config file (YAML at the path in \`FIELDLINK_CONFIG\`). The service checks the file at startup: an unknown key, a missing required key or a wrong type stops it with exit code 2 and a message naming the key. An environment variable, where one is given, overrides the key. \`[]\` marks the fields of each element of a list. What the keys do, with examples: [apps/${app}/README.md](../../apps/${app}/README.md).`;

const HELM_INTRO =
  'Every value of the `helm/fieldlink` chart, from its `values.schema.json` (Helm refuses values that break it). Defaults are in `helm/fieldlink/values.yaml`; how they are used: [helm/README.md](../helm/README.md).';

/** Every generated document, by path under the workspace root. */
export function generatedDocs(root: string): Record<string, string> {
  const docs: Record<string, string> = {};
  docs['docs/reason-codes.md'] = reasonCodesMarkdown(reasonCodes(root));
  docs['docs/topic-fields.md'] = topicFieldsMarkdown(root, RELEASE);
  for (const [app, schema, overrides] of SERVICES) {
    const env = new Map(overrides.map((o) => [o.path, o.env]));
    docs[`docs/config/${app}.md`] = configMarkdown(`${app} config`, CONFIG_INTRO(app), configKeys(schema, env));
  }
  const chart = join(root, 'helm', 'fieldlink');
  const schema = JSON.parse(readFileSync(join(chart, 'values.schema.json'), 'utf8')) as object;
  const defaults = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as unknown;
  const keys = configKeys(schema, new Map()).map((k) => {
    const value = k.key.split('.').reduce<unknown>((node, name) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[name] : undefined), defaults);
    return value === undefined ? k : { ...k, default: defaultText(value) };
  });
  docs['docs/helm-values.md'] = configMarkdown('Helm values', HELM_INTRO, keys);
  return docs;
}
