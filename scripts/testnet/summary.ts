/** What `testnet start` prints once the network is up: what runs where, and how to use it. */
import { isAbsolute, relative } from 'node:path';
import { DEFAULT_PASSPHRASE } from './config.js';
import type { StartedTestnet } from './start.js';

function timing(t: StartedTestnet['timings']): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const gateway = t.gatewayMs > 0 ? `, gateway ${s(t.gatewayMs)} alongside` : '';
  const steps = `prepare ${s(t.prepareMs)}, satellite ${s(t.satelliteMs)}, nodes ${s(t.nodesMs)}`;
  return `${s(t.totalMs)} (${steps}, grant ${s(t.grantMs)} alongside${gateway})`;
}

/** A path relative to the current directory when it is inside it, else absolute. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

export function startedSummary(started: StartedTestnet, detached: boolean, passphraseGiven: boolean): string {
  const { state } = started;
  const dirFlag = shown(state.dir) === '.testnet' ? '' : ` --dir ${shown(state.dir)}`;
  const ports = state.nodes.map((n) => n.port);
  // Planned ports are consecutive; OS-chosen ones (port base 0) are listed.
  const nodePorts =
    state.portBase === 0 ? `ports ${ports.join(', ')}` : `ports ${ports[0]}${ports.length > 1 ? `-${ports[ports.length - 1]}` : ''}`;
  return [
    '',
    `dcsim testnet is up in ${shown(state.dir)} after ${timing(started.timings)}`,
    `  satellite      ${state.satellite.url}   (pid ${state.satellite.pid})`,
    `  storage nodes  ${state.nodes.length} on 127.0.0.1, ${nodePorts}`,
    `  redundancy     ${state.scheme}  (k/repair/optimal/n)`,
    `  passphrase     ${passphraseGiven ? '(the one you gave)' : JSON.stringify(DEFAULT_PASSPHRASE)}  ` +
      '(local testnet only: anyone with it reads your test data)',
    ...(state.gateway ? [`  S3 gateway     ${state.gateway.url}   (auth service ${state.auth?.url}; keys in the env file)`] : []),
    `  logs           ${shown(state.dir)}/logs/`,
    '',
    'In another terminal:',
    `  source ${shown(started.envFile)}            # UPLINK_ACCESS, SATELLITE_ADDR${state.gateway ? ', AWS_*' : ''}`,
    '  npx uplink mb sj://demo',
    '  npx uplink cp ./file sj://demo/',
    '  npx uplink ls sj://demo',
    ...(state.gateway ? ['  aws s3 ls s3://demo                   # or rclone, any S3 client: AWS_* are in the env file'] : []),
    '',
    `  npx testnet status${dirFlag}           # processes, ports, node IDs`,
    `  npx testnet node stop 3${dirFlag}      # also: node start 3, node corrupt 3`,
    detached ? `  npx testnet stop${dirFlag}             # stop everything (destroy: also delete the data)` : '',
    detached ? '' : 'Ctrl-C stops the testnet.',
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
}
