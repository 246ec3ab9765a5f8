// Just enough JSON-RPC 2.0 for the MCP endpoint and the bearer guard to agree on what a body holds.

export interface JsonRpcMessage {
  jsonrpc?: unknown;
  id?: string | number | null;
  method?: unknown;
  params?: unknown;
}

export interface JsonRpcBody {
  messages: JsonRpcMessage[];
  batch: boolean;
}

/** The messages in a POST body, or undefined when it is not JSON-RPC at all. */
export function parseJsonRpc(text: string): JsonRpcBody | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const batch = Array.isArray(value);
  const items = batch ? (value as unknown[]) : [value];
  if (items.length === 0 || !items.every((item) => item !== null && typeof item === 'object' && !Array.isArray(item))) return undefined;
  return { messages: items as JsonRpcMessage[], batch };
}

export function methodOf(message: JsonRpcMessage): string | undefined {
  return typeof message.method === 'string' ? message.method : undefined;
}

/** A message with an id expects an answer; one without is a notification (or a response to us). */
export function expectsAnswer(message: JsonRpcMessage): boolean {
  return message.id !== undefined && methodOf(message) !== undefined;
}

export function paramsOf(message: JsonRpcMessage): Record<string, unknown> {
  return message.params && typeof message.params === 'object' && !Array.isArray(message.params) ? (message.params as Record<string, unknown>) : {};
}
