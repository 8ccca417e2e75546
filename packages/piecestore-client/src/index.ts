/**
 * @dcsim/piecestore-client: the client side of the Piecestore protocol (Storj's `uplink/private/piecestore`).
 * One connection per node, one piece up or down under a satellite-signed order limit, every answer checked
 * against the node's signature. The uplink uses it for uploads and downloads, the satellite's repairer for
 * GET_REPAIR and PUT_REPAIR transfers.
 */
export { NodeClient, NodeClients } from './nodes.js';
export { downloadPiece, type PieceDownloadRequest, type PieceMemory } from './piece-download.js';
export { uploadPiece, DEFAULT_UPLOAD_CHUNK, type PieceSource, type PieceUploadOptions } from './piece-upload.js';
export { pieceHashProblem } from './piece-hash.js';
export { orderSigner, rememberPieceKey } from './order-keys.js';
export { PieceError, PiecestoreClientError } from './errors.js';
