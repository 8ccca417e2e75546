/**
 * The service definitions servers register, in place of the generated ones of the same name (index.ts
 * exports these): the same methods, with request decoders that report malformed requests (malformed.ts),
 * and Piecestore's download chunks written with one copy (piecestore-wire.ts). Clients are unaffected: the
 * generated clients use the generated definitions.
 */
import { AdminService as AdminDefinition } from '../gen/admin.js';
import { GracefulExitService as GracefulExitDefinition } from '../gen/gracefulexit.js';
import { ContactService as ContactDefinition, NodeContactService as NodeContactDefinition } from '../gen/contact.js';
import { MetainfoService as MetainfoDefinition } from '../gen/metainfo.js';
import { OrdersService as OrdersDefinition } from '../gen/orders.js';
import { PiecestoreService as PiecestoreDefinition } from '../gen/piecestore.js';
import { reportingMalformedRequests } from './malformed.js';
import { encodeDownloadResponse } from './piecestore-wire.js';

export const ContactService = reportingMalformedRequests(ContactDefinition);
export const NodeContactService = reportingMalformedRequests(NodeContactDefinition);
export const MetainfoService = reportingMalformedRequests(MetainfoDefinition);
export const AdminService = reportingMalformedRequests(AdminDefinition);
export const OrdersService = reportingMalformedRequests(OrdersDefinition);
export const GracefulExitService = reportingMalformedRequests(GracefulExitDefinition);
const piecestore = reportingMalformedRequests(PiecestoreDefinition);
/** The node's Piecestore: Download answers are written with one copy (piecestore-wire.ts). */
export const PiecestoreService = { ...piecestore, download: { ...piecestore.download, responseSerialize: encodeDownloadResponse } };
