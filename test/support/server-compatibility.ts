// The README's "What real servers get" section, written from the pins of test/integration/servers/,
// so the documentation is regenerated (node dist/test/support/readme-servers.js) rather than edited.
import type { ServerPin } from '../integration/servers/pins.js';

export const SERVER_README_MARKERS = { start: '<!-- servers:start -->', end: '<!-- servers:end -->' };

const list = (ids: string[]): string => (ids.length > 0 ? ids.map((id) => `\`${id}\``).join(', ') : '-');

export function serverCompatibilitySection(pins: readonly ServerPin[]): string {
  const rows = pins.map((pin) => {
    const fails = Object.entries(pin.verdicts).filter(([, v]) => v.status === 'fail').map(([id]) => id);
    const warns = Object.entries(pin.verdicts).filter(([, v]) => v.status === 'warn').map(([id]) => id);
    return `| ${pin.implementation} | ${pin.configuration} | ${fails.length > 0 ? 1 : 0} | ${list(fails)} | ${list(warns)} |`;
  });
  const details = pins.map((pin) => {
    const lines = Object.entries(pin.verdicts).map(([id, v]) => `- \`${id}\` ${v.status.toUpperCase()}: ${v.why}`);
    const scopes = pin.toolScopes ? ` Run with ${Object.entries(pin.toolScopes).map(([tool, scopes]) => `\`--tool-scope ${tool}=${scopes.join(' ')}\``).join(' ')}.` : '';
    return [`#### ${pin.implementation}, ${pin.configuration}`, '', `${pin.wiring} ([\`test/targets/servers/${pin.target}.ts\`](test/targets/servers/${pin.target}.ts)).${scopes}`, '', ...(lines.length > 0 ? lines : ['Every check passes.'])].join('\n');
  });
  return ['| Library | Configuration | Exit | Fails | Warns |', '|---|---|---|---|---|', ...rows, '', ...details.flatMap((d) => [d, ''])].join('\n').trimEnd();
}
