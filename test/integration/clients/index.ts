// The clients of the compatibility test and the README's table, in the table's column order.
import type { ClientPins } from '../../support/compatibility.js';
import { keepNothingClient } from './keep-nothing.js';
import { mcpRemote } from './mcp-remote-0.15.1.js';
import { sdk1322 } from './sdk-1.32.2.js';
import { sdkClient240 } from './sdk-client-2.4.0.js';
import { strictClient } from './strict.js';

export const COMPATIBILITY_CLIENTS: ClientPins[] = [sdk1322, sdkClient240, mcpRemote, strictClient, keepNothingClient];
