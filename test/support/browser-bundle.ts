// A module bundled as a browser would get it (esbuild, platform browser: packages' browser builds),
// with every import of a Node built-in it would need, and the chain of imports that reaches it. A
// browser has none of them, so the library's msw entry point must need none.
import { build, type Metafile, type Plugin } from 'esbuild';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { ROOT } from './compiled.js';

export interface NodeImport {
  /** As written: `node:crypto`, `fs`... */
  specifier: string;
  /** From the entry point to the module that imports it, relative to the project root. */
  chain: string[];
}

export interface BrowserBundle {
  code: string;
  nodeImports: NodeImport[];
}

const BUILTINS = new Set(builtinModules);

/**
 * Node built-ins are left out of the bundle (marked external) so that one build lists them all; a
 * bare name such as `events` counts only when no package of that name resolves.
 */
const builtinsExternal: Plugin = {
  name: 'node-builtins-external',
  setup(bundle) {
    bundle.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'probe') return undefined;
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      if (!BUILTINS.has(args.path.split('/')[0])) return undefined;
      const found = await bundle.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'probe' });
      return found.errors.length > 0 ? { path: args.path, external: true } : undefined;
    });
  },
};

/** Shortest import chains from `entry` to each module that imports a built-in. */
function nodeImportsOf(metafile: Metafile, entry: string): NodeImport[] {
  const parent = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  const found: NodeImport[] = [];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      if (imported.external) {
        const chain: string[] = [];
        for (let at: string | undefined = file; at !== undefined; at = parent.get(at)) chain.unshift(at);
        found.push({ specifier: imported.path, chain });
      } else if (!parent.has(imported.path)) {
        parent.set(imported.path, file);
        queue.push(imported.path);
      }
    }
  }
  return found;
}

/** Bundles `entry` (relative to the project root) as one ES module for a browser. */
export async function bundleForBrowser(entry: string): Promise<BrowserBundle> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: 'bundle.js',
    plugins: [builtinsExternal],
  });
  return { code: result.outputFiles[0].text, nodeImports: nodeImportsOf(result.metafile, path.normalize(entry)) };
}

/** One line per built-in: `node:crypto <- mocks/tokens.ts <- ... <- library/msw.ts`. */
export function describeNodeImports(imports: readonly NodeImport[]): string {
  return imports.map(({ specifier, chain }) => [specifier, ...[...chain].reverse()].join(' <- ')).join('\n');
}
