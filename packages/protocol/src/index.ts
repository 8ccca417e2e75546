export * from '../gen/orders.js';
export * from '../gen/piecestore.js';
export * from '../gen/contact.js';
export * from '../gen/metainfo.js';
// Explicit exports win over the `export *` above: servers get the definitions of services.ts.
export { ContactService, MetainfoService, NodeContactService, PiecestoreService } from './services.js';
export { MalformedRequest, rejectMalformedRequests, reportingMalformedRequests } from './malformed.js';
export * from './signing.js';
export * from './grpc.js';
export * from './flow-control.js';
export { encodeDownloadResponse, encodeUploadRequest, pieceUploadCall, UploadMessageWriter, type MessageMemory } from './piecestore-wire.js';
export * from './transport/index.js';
