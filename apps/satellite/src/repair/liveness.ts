/**
 * Refreshing node liveness: ping every known node now (NodeContact.PingNode over TLS, expecting its ID, as the
 * ping back of a check-in does) and record the outcome as a check-in's ping back would be. A node that does not
 * answer counts as offline at once, so its pieces are unhealthy for the checker that runs next; a node that
 * answers is online again. Storj has no such ping (liveness comes only from check-ins aged by the online window;
 * testplanet back-dates them instead): dcsim runs it before a manual repair, so a test needs no sleep after
 * stopping a node.
 */
import { nodeIdString } from '@dcsim/common/nodeid';
import type { Clock } from '@dcsim/process';
import type { Transport } from '@dcsim/protocol';
import type { SatelliteDb } from '../db/index.js';
import type { Logger } from '../log.js';
import type { Overlay } from '../overlay.js';
import { pingBack } from '../pingback.js';

/** A node on loopback answers within milliseconds; one that does not answer in this time counts as offline. */
const LIVENESS_PING_TIMEOUT_MS = 3_000;

export async function refreshLiveness(db: SatelliteDb, overlay: Overlay, transport: Transport, clock: Clock, log: Logger): Promise<string> {
  const nodes = db.nodes.all();
  const results = await Promise.all(
    nodes.map(async (node) => ({ node, ping: await pingBack(transport, node.id, node.address, LIVENESS_PING_TIMEOUT_MS) })),
  );
  const now = clock.now();
  let offline = 0;
  for (const { node, ping } of results) {
    const wasOnline = overlay.isOnline(node, now);
    db.nodes.recordPing(node.id, ping.ok, now);
    if (!ping.ok) offline++;
    if (!ping.ok && wasOnline) log(`node ${nodeIdString(node.id)} did not answer a liveness ping, now offline: ${ping.reason}`);
    if (ping.ok && !wasOnline) log(`node ${nodeIdString(node.id)} answered a liveness ping: online again`);
  }
  return `liveness: pinged ${nodes.length} node(s), ${nodes.length - offline} online, ${offline} offline`;
}
