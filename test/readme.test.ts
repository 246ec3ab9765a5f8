// The README is where users look: its scenario and check tables must be the suite's own.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serverScenarios } from '../suites/server/index.js';
import { authorizationServerScenarios } from '../suites/authorization-server/index.js';
import { authorizationServerScenarioTable, checkTable, scenarioTable, serverScenarioTable } from './support/readme-tables.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('starts with the two commands that do everything on a fresh machine', () => {
    const top = readme.split('\n').slice(0, 40).join('\n');
    expect(top).toContain('npm install && npm start');
    expect(top).toContain('npm test');
  });

  it('lists every scenario and every check exactly as the suite defines them (regenerate with test/support/readme-tables.ts)', () => {
    expect(readme).toContain(scenarioTable());
    expect(readme).toContain(checkTable());
    expect(readme).toContain(serverScenarioTable());
    expect(readme).toContain(checkTable(serverScenarios));
    expect(readme).toContain(authorizationServerScenarioTable());
    expect(readme).toContain(checkTable(authorizationServerScenarios));
  });
});
