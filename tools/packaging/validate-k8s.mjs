// Validates Kubernetes objects against the API schemas with the kubernetes-models packages
// (ES modules only, so Jest runs this with node rather than importing it).
// Reads a JSON array of objects on stdin; prints a JSON array of "Kind name: reason" findings.
import { readFileSync } from 'node:fs';

const objects = JSON.parse(readFileSync(0, 'utf8'));
const findings = [];
for (const object of objects) {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const pkg = group === 'monitoring.coreos.com' ? '@kubernetes-models/prometheus-operator' : 'kubernetes-models';
  const where = `${object.kind} ${object.metadata?.name}`;
  let module;
  try {
    module = await import(`${pkg}/${group ? `${group}/` : ''}${version}`);
  } catch (error) {
    findings.push(`${where}: no model for ${object.apiVersion} (${error.message})`);
    continue;
  }
  const Model = module[object.kind];
  if (!Model) {
    findings.push(`${where}: no model for kind ${object.kind} in ${object.apiVersion}`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    findings.push(`${where}: ${error.message}`);
  }
}
process.stdout.write(JSON.stringify(findings));
