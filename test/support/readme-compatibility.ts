// Writes the README's compatibility section from the pins of test/integration/clients/, between
// its markers, so the documentation is regenerated rather than edited by hand:
// node dist/test/support/readme-compatibility.js, from the project's root.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COMPATIBILITY_CLIENTS } from '../integration/clients/index.js';
import { compatibilitySection, README_MARKERS } from './compatibility.js';

const file = path.resolve('README.md');
const readme = readFileSync(file, 'utf8');
const start = readme.indexOf(README_MARKERS.start);
const end = readme.indexOf(README_MARKERS.end);
if (start < 0 || end < start) throw new Error(`README.md has no ${README_MARKERS.start} ... ${README_MARKERS.end} section`);
writeFileSync(file, `${readme.slice(0, start + README_MARKERS.start.length)}\n${compatibilitySection(COMPATIBILITY_CLIENTS)}\n${readme.slice(end)}`);
console.log('README.md: compatibility section written');
