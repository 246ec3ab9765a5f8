// Prints the README's scenario and check tables from the suite itself, so the documentation is
// regenerated rather than edited by hand: node dist/test/support/readme-tables.js
import { clientScenarios } from '../../suites/client/index.js';
import { serverScenarios } from '../../suites/server/index.js';
import { authorizationServerScenarios } from '../../suites/authorization-server/index.js';
import type { CheckDef } from '../../core/check.js';
import type { ScenarioBase } from '../../core/scenario.js';
import { SPEC_VERSIONS } from '../../core/spec.js';

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function scenarioTable(): string {
  const rows = clientScenarios.map((s) => {
    const versions = s.specVersions.length === SPEC_VERSIONS.length ? `all (wire ${s.protocolVersion ?? 'current'})` : `${s.specVersions[0]} on`;
    const kind = s.property ? ' (property)' : s.runs && s.runs.length > 1 ? ` (${s.runs.length} runs)` : '';
    return `| \`${s.id}\`${kind} | ${s.suites.join(', ')} | ${versions} | ${cell(s.description)} |`;
  });
  return ['| Scenario | Suites | Spec versions | What the world does |', '|---|---|---|---|', ...rows].join('\n');
}

export function serverScenarioTable(): string {
  const rows = serverScenarios.map((s) => `| \`${s.id}\`${s.property ? ' (property)' : ''} | ${s.suites.filter((x) => x !== 'server').join(', ')} | ${cell(s.description)} |`);
  return ['| Scenario | Suites | What the kit sends, and what a correct server does |', '|---|---|---|', ...rows].join('\n');
}

export function authorizationServerScenarioTable(): string {
  const rows = authorizationServerScenarios.map((s) => `| \`${s.id}\`${s.property ? ' (property)' : ''} | ${s.suites.filter((x) => x !== 'authorization-server').join(', ')} | ${cell(s.description)} |`);
  return ['| Scenario | Suites | What the kit does, and what a correct authorization server does |', '|---|---|---|', ...rows].join('\n');
}

export function checkTable(scenarios: readonly ScenarioBase[] = clientScenarios): string {
  const checks = new Map<string, CheckDef>();
  for (const s of scenarios) for (const c of s.checks) if (!checks.has(c.id)) checks.set(c.id, c);
  const rows = [...checks.values()].map((c) => `| \`${c.id}\` | ${c.level} | ${c.requirements.join(', ')} | ${c.specVersions[0]} | ${cell(c.title)} |`);
  return ['| Check | Level | Requirements | Since | What it verifies |', '|---|---|---|---|---|', ...rows].join('\n');
}

if (process.argv[1]?.endsWith('readme-tables.js')) {
  console.log(`${scenarioTable()}\n\n${checkTable()}\n\n${serverScenarioTable()}\n\n${checkTable(serverScenarios)}\n\n${authorizationServerScenarioTable()}\n\n${checkTable(authorizationServerScenarios)}`);
}
