// Writes the README's server compatibility section between its markers:
// node dist/test/support/readme-servers.js, from the project's root.
import { SERVER_PINS } from '../integration/servers/pins.js';
import { writeReadmeSection } from './readme-section.js';
import { SERVER_README_MARKERS, serverCompatibilitySection } from './server-compatibility.js';

writeReadmeSection(SERVER_README_MARKERS, serverCompatibilitySection(SERVER_PINS));
console.log('README.md: server compatibility section written');
