/**
 * One JavaScript file per app, so that starting 50 storage nodes does not transpile the same TypeScript
 * 50 times. The app and the workspace packages (@dcsim/*) are bundled; npm packages stay external and load
 * from node_modules as usual (native ones like better-sqlite3 could not be bundled anyway). A worker thread's
 * module the app starts (`new URL('./<name>-worker.ts', import.meta.url)`) is bundled into a file of its own
 * beside the app's, and the URL points there.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { TestnetError } from './errors.js';

/** Builds started by this process, by entry: the testnets one process starts (a test file's) build each app once. */
const built = new Map<string, Promise<string>>();

/** The app's code does not build (esbuild names file and line): running it through tsx would fail too. */
export class BundleError extends TestnetError {}

/** esbuild itself cannot be loaded: the caller may run the app through tsx instead. */
export class BundlerMissingError extends TestnetError {}

/**
 * Bundles `entry` into `<root>/node_modules/.cache/dcsim-testnet/<app>.mjs` (once per process, and only when
 * one of the files it is built from changed since the last build) and returns its path. Kept inside the repo so
 * the external npm imports resolve from the repo's node_modules.
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
  const bundle = async (entryPoint: string, out: string, workers: Map<string, string>) => {
    try {
      return await esbuild.build({
        entryPoints: [entryPoint],
        outfile: out,
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
        plugins: [npmPackagesExternal, ownUrls(app, workers)],
      });
    } catch (err) {
      throw new BundleError(`could not bundle ${entryPoint}: ${(err as Error).message}`);
    }
  };
  const workers = new Map<string, string>();
  const results = [await bundle(entry, outfile, workers)];
  // The workers the app starts: before the app in the list, so that they are written before it.
  for (const [source, name] of workers) results.unshift(await bundle(source, join(dirname(outfile), name), new Map()));
  mkdirSync(dirname(outfile), { recursive: true });
  // Several testnets (parallel test files) may build at once: write aside, then rename over atomically.
  // Each map goes before its bundle, so a bundle never points at a missing or older map.
  for (const result of results) {
    const files = [...result.outputFiles].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')));
    for (const file of files) writeAtomically(file.path, file.contents);
  }
  // Last: the list of what went in and came out, so the next start can skip a build whose inputs did not change.
  const inputs = [...new Set(results.flatMap((r) => Object.keys(r.metafile.inputs)))].map((path) => resolve(root, path));
  const outputs = results.flatMap((r) => r.outputFiles.map((f) => f.path));
  writeAtomically(manifest, JSON.stringify({ version: BUNDLE_VERSION, inputs: inputs.map((path) => [path, stamp(path)]), outputs }));
  return outfile;
}

/** Bump when the build options change, so bundles made with the old ones are rebuilt. */
const BUNDLE_VERSION = 3;

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

/** The bundle and its workers exist and none of the files they were built from changed since (nor were any deleted). */
function upToDate(outfile: string, manifest: string): boolean {
  if (!existsSync(outfile) || !existsSync(manifest)) return false;
  try {
    const { version, inputs, outputs } = JSON.parse(readFileSync(manifest, 'utf8')) as {
      version: number;
      inputs: [string, string][];
      outputs: string[];
    };
    return (
      version === BUNDLE_VERSION && outputs.every(existsSync) && inputs.every(([path, was]) => existsSync(path) && stamp(path) === was)
    );
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

/** A worker thread's module, as the code names it (the pattern Vite and webpack recognise too), or `import.meta.*`. */
const OWN_URLS = /new URL\((['"])\.\/([\w-]+-worker)\.ts\1, import\.meta\.url\)|import\.meta\.(url|dirname|filename)\b/g;

/**
 * URLs in the bundle of `app`:
 * - A module that finds files next to itself (`new URL('./schema.sql', import.meta.url)`) must still find them
 *   once bundled: each workspace file gets its own original URL in place of `import.meta.url`.
 * - A worker's module (`new URL('./segment-worker.ts', import.meta.url)`) becomes the worker's own bundle beside
 *   the app's (`<app>.segment-worker.mjs`): `workers` collects them, source path to file name, for the caller to build.
 */
function ownUrls(app: string, workers: Map<string, string>): Plugin {
  return {
    name: 'own-urls',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta')) return undefined;
        const contents = source.replace(OWN_URLS, (_match, _quote, worker: string | undefined, property: string | undefined) => {
          if (worker) {
            const name = `${app}.${worker}.mjs`;
            workers.set(join(dirname(args.path), `${worker}.ts`), name);
            return `new URL(${JSON.stringify(`./${name}`)}, import.meta.url)`;
          }
          if (property === 'url') return JSON.stringify(pathToFileURL(args.path).href);
          return JSON.stringify(property === 'dirname' ? dirname(args.path) : args.path);
        });
        const loader = /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js';
        return { contents, loader };
      });
    },
  };
}
