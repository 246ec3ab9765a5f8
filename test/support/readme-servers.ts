// Writes the README's server compatibility section between its markers:
// node dist/test/support/readme-servers.js, from the project's root.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SERVER_PINS } from '../integration/servers/pins.js';
import { SERVER_README_MARKERS, serverCompatibilitySection } from './server-compatibility.js';

const file = path.resolve('README.md');
const readme = readFileSync(file, 'utf8');
const start = readme.indexOf(SERVER_README_MARKERS.start);
const end = readme.indexOf(SERVER_README_MARKERS.end);
if (start < 0 || end < start) throw new Error(`README.md has no ${SERVER_README_MARKERS.start} ... ${SERVER_README_MARKERS.end} section`);
writeFileSync(file, `${readme.slice(0, start + SERVER_README_MARKERS.start.length)}\n${serverCompatibilitySection(SERVER_PINS)}\n${readme.slice(end)}`);
console.log('README.md: server compatibility section written');
