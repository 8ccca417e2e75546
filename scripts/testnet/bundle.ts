/**
 * One JavaScript file per app, so that starting 50 storage nodes does not transpile the same TypeScript
 * 50 times. The app and the workspace packages (@dcsim/*) are bundled; npm packages stay external and load
 * from node_modules as usual (native ones like better-sqlite3 could not be bundled anyway).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';

const built = new Map<string, Promise<string>>();

/** The app's code does not build (esbuild names file and line): running it through tsx would fail too. */
export class BundleError extends Error {
  override name = 'BundleError';
}

/** esbuild itself cannot be loaded: the caller may run the app through tsx instead. */
export class BundlerMissingError extends Error {
  override name = 'BundlerMissingError';
}

/**
 * Bundles `entry` into `<root>/node_modules/.cache/dcsim-testnet/<app>.mjs` (once per process) and returns
 * its path. Kept inside the repo so the external npm imports resolve from the repo's node_modules.
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
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (err) {
    throw new BundlerMissingError(`esbuild (installed with tsx) cannot be loaded: ${(err as Error).message}`);
  }
  const outfile = join(root, 'node_modules', '.cache', 'dcsim-testnet', `${app}.mjs`);
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
      write: false,
      logLevel: 'silent',
      plugins: [npmPackagesExternal, keepOwnImportMetaUrl],
    });
  } catch (err) {
    throw new BundleError(`could not bundle ${entry}: ${(err as Error).message}`);
  }
  mkdirSync(dirname(outfile), { recursive: true });
  // Several testnets (parallel test files) may build at once: write aside, then rename over atomically.
  // The map goes first so the bundle never points at a missing or older map.
  const files = [...result.outputFiles].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')));
  for (const file of files) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
  return outfile;
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
