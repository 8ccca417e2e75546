/**
 * The service definitions servers register, in place of the generated ones of the same name (index.ts
 * exports these): the same methods, with request decoders that report malformed requests (malformed.ts).
 * Clients are unaffected: the generated clients use the generated definitions.
 */
import { AdminService as AdminDefinition } from '../gen/admin.js';
import { ContactService as ContactDefinition, NodeContactService as NodeContactDefinition } from '../gen/contact.js';
import { MetainfoService as MetainfoDefinition } from '../gen/metainfo.js';
import { PiecestoreService as PiecestoreDefinition } from '../gen/piecestore.js';
import { reportingMalformedRequests } from './malformed.js';

export const ContactService = reportingMalformedRequests(ContactDefinition);
export const NodeContactService = reportingMalformedRequests(NodeContactDefinition);
export const MetainfoService = reportingMalformedRequests(MetainfoDefinition);
export const PiecestoreService = reportingMalformedRequests(PiecestoreDefinition);
export const AdminService = reportingMalformedRequests(AdminDefinition);
