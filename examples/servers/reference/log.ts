// One line per decision on stderr, so whoever reads the kit's report can see why a request was
// answered as it was. Nothing logged here may carry a token.

export function log(step: string, detail = ''): void {
  process.stderr.write(`[reference-server] ${step}${detail ? `: ${detail}` : ''}\n`);
}
