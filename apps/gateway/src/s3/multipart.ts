/** Multipart uploads (next step). */
import type { S3Context } from './context.js';
import { S3Error } from './errors.js';

const notYet = async (..._args: unknown[]): Promise<void> => {
  throw new S3Error('NotImplemented', 'multipart uploads are not implemented yet');
};
export const listUploads: (ctx: S3Context, bucket: string) => Promise<void> = notYet;
export const uploadPart: (ctx: S3Context, bucket: string, key: string, uploadId: string) => Promise<void> = notYet;
export const listParts: (ctx: S3Context, bucket: string, key: string, uploadId: string) => Promise<void> = notYet;
export const abortUpload: (ctx: S3Context, bucket: string, key: string, uploadId: string) => Promise<void> = notYet;
export const createUpload: (ctx: S3Context, bucket: string, key: string) => Promise<void> = notYet;
export const completeUpload: (ctx: S3Context, bucket: string, key: string, uploadId: string) => Promise<void> = notYet;
