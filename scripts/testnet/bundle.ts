/**
 * One JavaScript file per app, so that starting 50 storage nodes does not transpile the same TypeScript
 * 50 times. The app and the workspace packages (@dcsim/*) are bundled; npm packages stay external and load
 * from node_modules as usual (native ones like better-sqlite3 could not be bundled anyway).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { TestnetError } from './errors.js';

const built = new Map<string, Promise<string>>();

/** The app's code does not build (esbuild names file and line): running it through tsx would fail too. */
export class BundleError extends TestnetError {}

/** esbuild itself cannot be loaded: the caller may run the app through tsx instead. */
export class BundlerMissingError extends TestnetError {}

/**
 * Bundles `entry` into `<root>/node_modules/.cache/dcsim-testnet/<app>.mjs` (once per process, and only when
 * one of the files it is built from changed since the last build) and returns its path. Kept inside the repo so the external npm imports resolve from the repo's node_modules.
 */
export function bundleApp(app: string, entry: string, root: string): Promise<string> {
  let promise = built.get(entry);
  if (!promise) {
    promise = build(app, entry, root);
    built.set(entry, promise);
    promise.catch(() => built.delete(entry));
  }
  return promise;
}

async function build(app: string, entry: string, root: string): Promise<string> {
  const outfile = join(root, 'node_modules', '.cache', 'dcsim-testnet', `${app}.mjs`);
  const manifest = `${outfile}.inputs.json`;
  if (upToDate(outfile, manifest)) return outfile;
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (err) {
    throw new BundlerMissingError(`esbuild (installed with tsx) cannot be loaded: ${(err as Error).message}`);
  }
  let result;
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Stack traces name the original .ts files when node runs with --enable-source-maps.
      sourcemap: 'linked',
      sourcesContent: false, // traces need only the mappings; the sources are in the repo, and a smaller map loads faster
      write: false,
      logLevel: 'silent',
      metafile: true,
      absWorkingDir: root,
      plugins: [npmPackagesExternal, keepOwnImportMetaUrl],
    });
  } catch (err) {
    throw new BundleError(`could not bundle ${entry}: ${(err as Error).message}`);
  }
  mkdirSync(dirname(outfile), { recursive: true });
  // Several testnets (parallel test files) may build at once: write aside, then rename over atomically.
  // The map goes first so the bundle never points at a missing or older map.
  const files = [...result.outputFiles].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')));
  for (const file of files) writeAtomically(file.path, file.contents);
  // Last: the list of what went in, so the next start can skip a build whose inputs did not change.
  const inputs = Object.keys(result.metafile.inputs).map((path) => resolve(root, path));
  writeAtomically(manifest, JSON.stringify({ version: BUNDLE_VERSION, inputs: inputs.map((path) => [path, stamp(path)]) }));
  return outfile;
}

/** Bump when the build options change, so bundles made with the old ones are rebuilt. */
const BUNDLE_VERSION = 2;

function writeAtomically(path: string, contents: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/** Size and modification time: what changes when a source file is edited. */
function stamp(path: string): string {
  const s = statSync(path);
  return `${s.size}:${s.mtimeMs}`;
}

/** The bundle exists and none of the files it was built from changed since (nor were any deleted). */
function upToDate(outfile: string, manifest: string): boolean {
  if (!existsSync(outfile) || !existsSync(manifest)) return false;
  try {
    const { version, inputs } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: number; inputs: [string, string][] };
    return version === BUNDLE_VERSION && inputs.every(([path, was]) => existsSync(path) && stamp(path) === was);
  } catch {
    return false;
  }
}

/** Bare imports other than @dcsim/* (npm packages, node builtins) stay imports. */
const npmPackagesExternal: Plugin = {
  name: 'npm-packages-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@dcsim/') ? undefined : { path: args.path, external: true }));
  },
};

/**
 * A module that finds files next to itself (`new URL('./schema.sql', import.meta.url)`) must still find them
 * once bundled: each workspace file gets its own original URL in place of `import.meta.url`.
 */
const keepOwnImportMetaUrl: Plugin = {
  name: 'keep-own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta')) return undefined;
      const contents = source
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path));
      const loader = /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js';
      return { contents, loader };
    });
  },
};
