export * from '../gen/orders.js';
export * from '../gen/piecestore.js';
export * from '../gen/contact.js';
export * from '../gen/metainfo.js';
export * from './signing.js';
export * from './grpc.js';
export * from './flow-control.js';
export * from './transport/index.js';
