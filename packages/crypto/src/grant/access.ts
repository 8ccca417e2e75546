/**
 * Access grants (storj/common grant/access.go): base58check version 0 of a protobuf Scope
 * { 1 satellite_addr, 2 api_key (raw macaroon), 3 EncryptionAccess }. A grant carries everything an uplink
 * needs: where the satellite is, the API key it may show, and the keys it must never show anyone.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { checkDecode, checkEncode } from '../base58.js';
import { CipherSuite, type EncryptionParameters } from '../encryption/cipher.js';
import { Store } from '../encryption/store.js';
import { APIKey, ApiKeyError } from '../macaroon/apikey.js';

export interface EncryptionAccess {
  store: Store;
  defaultEncryptionParameters?: EncryptionParameters;
}

export interface AccessGrant {
  satelliteAddress: string;
  apiKey: APIKey;
  encAccess: EncryptionAccess;
}

export class AccessError extends Error {
  override name = 'AccessError';
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

function writeParams(w: BinaryWriter, field: number, p: EncryptionParameters | undefined): void {
  if (!p) return;
  w.uint32((field << 3) | WireType.LengthDelimited).fork();
  if (p.cipherSuite) w.uint32(8).int32(p.cipherSuite);
  if (p.blockSize) w.uint32(16).int64(p.blockSize);
  w.join();
}

function readParams(bytes: Uint8Array): EncryptionParameters {
  const r = new BinaryReader(bytes);
  const p: EncryptionParameters = { cipherSuite: CipherSuite.Unspecified, blockSize: 0 };
  while (r.pos < r.len) {
    const [f, t] = r.tag();
    if (f === 1) p.cipherSuite = r.int32();
    else if (f === 2) p.blockSize = Number(r.int64());
    else r.skip(t);
  }
  return p;
}

export function encodeEncryptionAccess(e: EncryptionAccess): Uint8Array {
  const w = new BinaryWriter();
  const { store } = e;
  if (store.defaultKey?.length) w.uint32(10).bytes(store.defaultKey);
  for (const entry of store.list()) {
    w.uint32(18).fork();
    if (entry.bucket) w.uint32(10).bytes(utf8.encode(entry.bucket));
    if (entry.unencryptedPath) w.uint32(18).bytes(utf8.encode(entry.unencryptedPath));
    if (entry.encryptedPath.length) w.uint32(26).bytes(entry.encryptedPath);
    if (entry.key.length) w.uint32(34).bytes(entry.key);
    if (entry.pathCipher) w.uint32(40).int32(entry.pathCipher);
    w.join();
  }
  if (store.defaultPathCipher) w.uint32(24).int32(store.defaultPathCipher);
  writeParams(w, 4, e.defaultEncryptionParameters);
  return w.finish();
}

export function decodeEncryptionAccess(bytes: Uint8Array): EncryptionAccess {
  const r = new BinaryReader(bytes);
  const store = new Store();
  let params: EncryptionParameters | undefined;
  let cipher = CipherSuite.Unspecified;
  const entries: Parameters<Store['add']>[0][] = [];
  while (r.pos < r.len) {
    const [f, t] = r.tag();
    if (f === 1) store.defaultKey = r.bytes().slice();
    else if (f === 2) entries.push(decodeStoreEntry(r.bytes()));
    else if (f === 3) cipher = r.int32();
    else if (f === 4) params = readParams(r.bytes());
    else r.skip(t);
  }
  // Storj treats an unspecified default path cipher as AES-GCM.
  store.defaultPathCipher = cipher === CipherSuite.Unspecified ? CipherSuite.AESGCM : cipher;
  for (const entry of entries) store.add(entry);
  if (store.defaultKey && store.defaultKey.length !== 32) throw new AccessError(`default key is ${store.defaultKey.length} bytes, want 32`);
  return { store, defaultEncryptionParameters: params };
}

function decodeStoreEntry(bytes: Uint8Array) {
  const r = new BinaryReader(bytes);
  const e = { bucket: '', unencryptedPath: '', encryptedPath: new Uint8Array(0) as Uint8Array, key: new Uint8Array(0) as Uint8Array, pathCipher: CipherSuite.AESGCM };
  while (r.pos < r.len) {
    const [f, t] = r.tag();
    if (f === 1) e.bucket = utf8Decoder.decode(r.bytes());
    else if (f === 2) e.unencryptedPath = utf8Decoder.decode(r.bytes());
    else if (f === 3) e.encryptedPath = r.bytes().slice();
    else if (f === 4) e.key = r.bytes().slice();
    else if (f === 5) e.pathCipher = r.int32() || CipherSuite.AESGCM;
    else r.skip(t);
  }
  if (e.key.length !== 32) throw new AccessError(`store entry for ${JSON.stringify(e.bucket)} has a ${e.key.length}-byte key, want 32`);
  return e;
}

export function serializeAccess(g: AccessGrant): string {
  const w = new BinaryWriter();
  w.uint32(10).string(g.satelliteAddress);
  w.uint32(18).bytes(g.apiKey.rawBytes());
  w.uint32(26).bytes(encodeEncryptionAccess(g.encAccess));
  return checkEncode(w.finish(), 0);
}

/** The raw Scope fields, before any of them is interpreted (inspect prints from these). */
export function decodeScope(text: string): { satelliteAddress: string; apiKey: Uint8Array; encryptionAccess: Uint8Array } {
  let decoded;
  try {
    decoded = checkDecode(text.trim());
  } catch (err) {
    throw new AccessError(`invalid access grant: ${(err as Error).message}`);
  }
  if (decoded.version !== 0) throw new AccessError(`invalid access grant: version ${decoded.version}, want 0`);
  const scope = { satelliteAddress: '', apiKey: new Uint8Array(0) as Uint8Array, encryptionAccess: new Uint8Array(0) as Uint8Array };
  try {
    const r = new BinaryReader(decoded.payload);
    while (r.pos < r.len) {
      const [f, t] = r.tag();
      if (f === 1 && t === WireType.LengthDelimited) scope.satelliteAddress = r.string();
      else if (f === 2 && t === WireType.LengthDelimited) scope.apiKey = r.bytes().slice();
      else if (f === 3 && t === WireType.LengthDelimited) scope.encryptionAccess = r.bytes().slice();
      else r.skip(t);
    }
  } catch {
    throw new AccessError('invalid access grant: truncated or malformed protobuf');
  }
  if (!scope.satelliteAddress) throw new AccessError('invalid access grant: no satellite address');
  if (scope.apiKey.length === 0) throw new AccessError('invalid access grant: no API key');
  return scope;
}

export function parseAccess(text: string): AccessGrant {
  const scope = decodeScope(text);
  let apiKey: APIKey;
  try {
    apiKey = APIKey.fromBytes(scope.apiKey);
  } catch (err) {
    throw new AccessError(`invalid access grant: ${(err as ApiKeyError).message}`);
  }
  let encAccess: EncryptionAccess;
  try {
    encAccess = decodeEncryptionAccess(scope.encryptionAccess);
  } catch (err) {
    throw new AccessError(`invalid access grant: encryption access: ${(err as Error).message}`);
  }
  return { satelliteAddress: scope.satelliteAddress, apiKey, encAccess };
}
