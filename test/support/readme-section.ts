// The README's generated sections sit between a pair of HTML comments, so that a generator can
// rewrite its own section and a test can compare it, without either touching the prose around it.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ReadmeMarkers {
  start: string;
  end: string;
}

function bounds(readme: string, markers: ReadmeMarkers): { start: number; end: number } {
  const start = readme.indexOf(markers.start);
  const end = readme.indexOf(markers.end);
  if (start < 0 || end < start) throw new Error(`README.md has no ${markers.start} ... ${markers.end} section`);
  return { start: start + markers.start.length, end };
}

/** What stands between the markers now, without the blank lines around it. */
export function readmeSection(readme: string, markers: ReadmeMarkers): string {
  const { start, end } = bounds(readme, markers);
  return readme.slice(start, end).trim();
}

/** Replaces what stands between the markers in README.md, which is found from the project's root (the working directory). */
export function writeReadmeSection(markers: ReadmeMarkers, section: string): void {
  const file = path.resolve('README.md');
  const readme = readFileSync(file, 'utf8');
  const { start, end } = bounds(readme, markers);
  writeFileSync(file, `${readme.slice(0, start)}\n${section}\n${readme.slice(end)}`);
}
