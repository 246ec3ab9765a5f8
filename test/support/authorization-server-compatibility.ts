// The README's "What real authorization servers get" section, written from the pins of
// test/integration/authorization-servers/, so the documentation is regenerated
// (node dist/test/support/readme-authorization-servers.js) rather than edited. Each verdict is shown
// beside the catalogue's wording of the requirements its check cites, so a reader can weigh the
// reason against the text without looking either up.
import type { Status } from '../../core/check.js';
import type { RequirementCatalogue } from '../../core/requirement.js';
import { authorizationServerScenarios } from '../../suites/authorization-server/index.js';
import { requirementCatalogue } from '../../suites/requirements.js';
import type { AuthorizationServerPin, PinnedVerdict } from '../integration/authorization-servers/pins.js';

export const AUTHORIZATION_SERVER_README_MARKERS = { start: '<!-- authorization-servers:start -->', end: '<!-- authorization-servers:end -->' };

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The statuses a run may give, as the pin lists them. */
const statusesOf = (verdict: PinnedVerdict): readonly Status[] => (typeof verdict.status === 'string' ? [verdict.status] : verdict.status);

function either(statuses: readonly Status[]): string {
  return statuses.length === 1 ? statuses[0] : `${statuses.slice(0, -1).join(', ')} or ${statuses[statuses.length - 1]}`;
}

/** A verdict that can go more than one way is counted apart, so the settled counts hold on every run. */
function counts(pin: AuthorizationServerPin): Record<Exclude<Status, 'pass'> | 'timing', number> {
  const tally = { fail: 0, warn: 0, skip: 0, 'not-reached': 0, timing: 0 };
  for (const verdict of Object.values(pin.verdicts)) {
    const statuses = statusesOf(verdict);
    if (statuses.length > 1) tally.timing++;
    else if (statuses[0] !== 'pass') tally[statuses[0]]++;
  }
  return tally;
}

/** The command-line options that make the kit meet the target as it is configured. */
function options(pin: AuthorizationServerPin): string[] {
  const quote = (value: string) => (/\s/.test(value) ? `"${value}"` : value);
  return [
    ...(pin.scope ? [`\`--scope ${quote(pin.scope)}\``] : []),
    ...(pin.issuerPath ? [`\`--issuer-path ${pin.issuerPath}\``] : []),
    ...(pin.clientId ? [`\`--client-id ${pin.clientId}\``] : []),
    ...(pin.login ? [`\`--username ${pin.login.username}\` (the password in \`MCP_CONFORMANCE_PASSWORD\`)`] : []),
  ];
}

function requirementTexts(ids: readonly string[], catalogue: RequirementCatalogue): string {
  const texts = ids.map((id) => {
    const requirement = catalogue.get(id);
    if (!requirement) return `**${id}**`;
    // The catalogue brackets some keywords itself ("(def)", "[MCP↑]"), and derived properties have none.
    const keyword = requirement.keyword === undefined ? '' : /^[([].*[)\]]$/.test(requirement.keyword) ? `${requirement.keyword} ` : `(${requirement.keyword}) `;
    return `**${id}** ${keyword}${requirement.text}`;
  });
  return texts.length > 0 ? texts.join('<br>') : '-';
}

function summaryTable(pins: readonly AuthorizationServerPin[]): string {
  const rows = pins.map((pin) => {
    const n = counts(pin);
    return `| ${pin.implementation} | ${cell(pin.configuration)} | ${n.fail} | ${n.warn} | ${n.skip} | ${n['not-reached']} | ${n.timing} |`;
  });
  return ['| Authorization server | Configuration | Fail | Warn | Skip | Not reached | Varies with timing |', '|---|---|--:|--:|--:|--:|--:|', ...rows].join('\n');
}

function details(pin: AuthorizationServerPin, cites: ReadonlyMap<string, readonly string[]>, catalogue: RequirementCatalogue): string {
  const script = `test/targets/authorization-servers/${pin.target}.ts`;
  const args = pin.args && pin.args.length > 0 ? ` with \`${pin.args.join(' ')}\`` : '';
  const flags = options(pin);
  const run = flags.length > 0 ? ` The kit is run with ${flags.join(', ')}.` : '';
  const rows = Object.entries(pin.verdicts).map(
    ([id, verdict]) => `| \`${id}\` | ${either(statusesOf(verdict))} | ${cell(verdict.why)} | ${cell(requirementTexts(cites.get(id) ?? [], catalogue))} |`,
  );
  const table = rows.length > 0 ? ['| Check | Status | Why | The text it rests on |', '|---|---|---|---|', ...rows] : ['Every check passes.'];
  // The wiring often begins with an identifier (better-auth, issuer()), which must keep its case.
  return [`#### ${pin.implementation}, ${pin.configuration}`, '', `[\`${script}\`](${script})${args}: ${pin.wiring}.${run}`, '', ...table].join('\n');
}

export function authorizationServerCompatibilitySection(pins: readonly AuthorizationServerPin[]): string {
  const catalogue = requirementCatalogue();
  const cites = new Map(authorizationServerScenarios.flatMap((s) => s.checks).map((c) => [c.id, c.requirements]));
  return [summaryTable(pins), ...pins.map((pin) => details(pin, cites, catalogue))].join('\n\n');
}
