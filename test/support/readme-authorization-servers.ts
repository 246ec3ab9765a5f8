// Writes the README's authorization-server compatibility section between its markers:
// node dist/test/support/readme-authorization-servers.js, from the project's root.
import { AUTHORIZATION_SERVER_PINS } from '../integration/authorization-servers/pins.js';
import { AUTHORIZATION_SERVER_README_MARKERS, authorizationServerCompatibilitySection } from './authorization-server-compatibility.js';
import { writeReadmeSection } from './readme-section.js';

writeReadmeSection(AUTHORIZATION_SERVER_README_MARKERS, authorizationServerCompatibilitySection(AUTHORIZATION_SERVER_PINS));
console.log('README.md: authorization-server compatibility section written');
