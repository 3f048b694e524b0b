import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@fieldlink/testing';

const root = workspaceRoot();

function projectTags(): Record<string, string[]> {
  const dirs = ['apps', 'libs'].flatMap((parent) => readdirSync(join(root, parent)).map((name) => `${parent}/${name}`));
  return Object.fromEntries(
    [...dirs, 'tools']
      .filter((dir) => existsSync(join(root, dir, 'project.json')))
      .map((dir) => [dir, (JSON.parse(readFileSync(join(root, dir, 'project.json'), 'utf8')) as { tags?: string[] }).tags ?? []]),
  );
}

const count = (tags: string[], prefix: string): number => tags.filter((t) => t.startsWith(prefix)).length;

// The boundary rules in eslint.config.mjs match projects by these tags; lint cannot notice a missing one.
describe('project tags', () => {
  const projects = Object.entries(projectTags());

  it('finds the projects', () => {
    expect(projects.map(([dir]) => dir)).toEqual(expect.arrayContaining(['apps/mqtt-gateway', 'libs/testing', 'tools']));
  });

  it('gives every project one type and one scope', () => {
    expect(projects.filter(([, tags]) => count(tags, 'type:') !== 1 || count(tags, 'scope:') !== 1).map(([dir]) => dir)).toEqual([]);
  });

  // A gateway's protocol packages are banned through its protocol tag; without one it would escape those bans.
  it('gives every gateway exactly one protocol', () => {
    const gateways = projects.filter(([, tags]) => tags.includes('scope:gateway'));
    expect(gateways.length).toBeGreaterThan(0);
    expect(gateways.filter(([, tags]) => count(tags, 'protocol:') !== 1).map(([dir]) => dir)).toEqual([]);
  });
});
