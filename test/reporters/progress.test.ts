import { describe, expect, it } from 'vitest';
import { createProgress } from '../../reporters/progress.js';
import { sampleReport } from '../support/report-fixtures.js';

const [passing, failing, , , skipped] = sampleReport().scenarios;

function capture() {
  const chunks: string[] = [];
  return { chunks, write: (text: string) => void chunks.push(text) };
}

describe('progress printer', () => {
  it('prints one plain line per finished scenario when not on a terminal', () => {
    const out = capture();
    const progress = createProgress({ tty: false, write: out.write });
    progress.scenarioStarted(passing.id);
    progress.scenarioStarted(failing.id);
    expect(out.chunks).toEqual([]);
    progress.scenarioFinished(passing);
    progress.scenarioFinished(failing);
    progress.scenarioFinished(skipped);
    progress.end();
    expect(out.chunks.join('')).toBe(
      [
        'PASS auth/metadata-default (3 checks, 812 ms)',
        'FAIL auth/pkce-and-resource (6 checks, 2 fail, 2 warn, 1 skip, 1.2 s)',
        'SKIP auth/2025-03-26-oauth-metadata-backcompat (not applicable at spec version 2026-07-28)',
        '',
      ].join('\n'),
    );
  });

  it('redraws one status line on a terminal and prints finished scenarios above it', () => {
    const out = capture();
    const progress = createProgress({ tty: true, write: out.write, columns: 60 });
    progress.scenarioStarted(passing.id);
    progress.scenarioStarted(failing.id);
    expect(out.chunks.at(-1)).toMatch(/^\r\u001b\[2K0 done, 2 running \(\d+ ms\): auth\/metadata-default, auth\/pkce/);
    progress.scenarioFinished(passing);
    const afterFirst = out.chunks.slice(2).join('');
    expect(afterFirst).toMatch(/^\r\u001b\[2KPASS auth\/metadata-default \(3 checks, 812 ms\)\n\r\u001b\[2K1 done, 1 running/);
    progress.scenarioFinished(failing);
    progress.end();
    const all = out.chunks.join('');
    expect(all).toContain('FAIL auth/pkce-and-resource (6 checks, 2 fail, 2 warn, 1 skip, 1.2 s)\n');
    // The final state leaves no status line behind for the report to be printed over.
    expect(all.endsWith('\n') || all.endsWith('\r\u001b[2K')).toBe(true);
    // Finished lines may wrap; the status line, which is redrawn in place, must not.
    for (const chunk of out.chunks) {
      const status = chunk.slice(chunk.lastIndexOf('\n') + 1).replace(/\r\u001b\[2K/g, '');
      expect(status.length).toBeLessThan(60);
    }
  });

  it('colours status words only when asked', () => {
    const out = capture();
    createProgress({ tty: false, write: out.write, color: true }).scenarioFinished(failing);
    expect(out.chunks[0]).toContain('\u001b[');
    const bare = capture();
    createProgress({ tty: false, write: bare.write }).scenarioFinished(failing);
    expect(bare.chunks[0]).not.toContain('\u001b');
  });
});
