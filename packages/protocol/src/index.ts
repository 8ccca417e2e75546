export * from '../gen/orders.js';
export * from '../gen/piecestore.js';
export * from '../gen/contact.js';
export * from '../gen/metainfo.js';
export * from '../gen/admin.js';
export * from '../gen/gracefulexit.js';
// Explicit exports win over the `export *` above: servers get the definitions of services.ts.
export {
  AdminService,
  ContactService,
  GracefulExitService,
  MetainfoService,
  NodeContactService,
  OrdersService,
  PiecestoreService,
} from './services.js';
export { MalformedRequest, rejectMalformedRequests, reportingMalformedRequests } from './malformed.js';
export { ProtocolError } from './errors.js';
export * from './signing.js';
export * from './order-signing.js';
export * from './grpc.js';
export * from './reasons.js';
export * from './rpc-error.js';
export * from './flow-control.js';
export {
  encodeDownloadResponse,
  encodeUploadRequest,
  pieceUploadCall,
  UploadMessageWriter,
  type MessageMemory,
} from './piecestore-wire.js';
export * from './transport/index.js';
