/**
 * Access grants (storj/common grant/access.go): base58check version 0 of a protobuf Scope
 * { 1 satellite_addr, 2 api_key (the binary macaroon), 3 EncryptionAccess }. A grant carries everything an
 * uplink needs: where the satellite is, the API key it shows the satellite, and the keys it never shows anyone.
 *
 * Field numbers (grant/internal/pb): EncryptionAccess { 1 default_key, 2 repeated store_entries, 3
 * default_path_cipher, 4 default_encryption_parameters }; StoreEntry { 1 bucket, 2 unencrypted_path,
 * 3 encrypted_path, 4 key, 5 path_cipher, 6 encryption_parameters }; EncryptionParameters { 1 cipher_suite,
 * 2 block_size }.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { checkDecode, checkEncode } from '@dcsim/common/base58';
import { CipherSuite, type EncryptionParameters } from '../encryption/cipher.js';
import { CryptoError } from '../errors.js';
import { Store, type StoreEntry } from '../encryption/store.js';
import { APIKey } from '../macaroon/apikey.js';
import { limitStore } from './limit.js';

export interface EncryptionAccess {
  store: Store;
  /** Content encryption for new objects; in the protobuf, but Storj neither writes nor reads it. */
  defaultEncryptionParameters?: EncryptionParameters;
}

export interface AccessGrant {
  /** `<node id>@host:port` */
  satelliteAddress: string;
  apiKey: APIKey;
  encAccess: EncryptionAccess;
}

export class AccessError extends CryptoError {
  override name = 'AccessError';
}

const KEY_SIZE = 32;
const utf8 = new TextEncoder();
/** Go's string(bytes) does not validate; invalid UTF-8 shows as U+FFFD rather than failing the grant. */
const utf8Decoder = new TextDecoder();

// Serialize

export function serializeAccess(g: AccessGrant): string {
  if (!g.satelliteAddress) throw new AccessError('access grant is missing satellite address');
  const w = new BinaryWriter();
  w.tag(1, WireType.LengthDelimited).string(g.satelliteAddress);
  const apiKey = g.apiKey.rawBytes();
  if (apiKey.length) w.tag(2, WireType.LengthDelimited).bytes(apiKey);
  w.tag(3, WireType.LengthDelimited).bytes(encodeEncryptionAccess(g.encAccess));
  return checkEncode(w.finish(), 0);
}

/** Field for field as Storj's toProto and pico encoder: zero values left out, entries in store order. */
function encodeEncryptionAccess(e: EncryptionAccess): Uint8Array {
  const w = new BinaryWriter();
  const { store } = e;
  if (store.defaultKey?.length) w.tag(1, WireType.LengthDelimited).bytes(store.defaultKey);
  for (const entry of store.list()) {
    w.tag(2, WireType.LengthDelimited).fork();
    if (entry.bucket) w.tag(1, WireType.LengthDelimited).bytes(utf8.encode(entry.bucket));
    if (entry.unencryptedPath) w.tag(2, WireType.LengthDelimited).bytes(utf8.encode(entry.unencryptedPath));
    if (entry.encryptedPath.length) w.tag(3, WireType.LengthDelimited).bytes(entry.encryptedPath);
    if (entry.key.length) w.tag(4, WireType.LengthDelimited).bytes(entry.key);
    if (entry.pathCipher) w.tag(5, WireType.Varint).int32(entry.pathCipher);
    w.join();
  }
  if (store.defaultPathCipher) w.tag(3, WireType.Varint).int32(store.defaultPathCipher);
  const params = e.defaultEncryptionParameters;
  if (params) {
    w.tag(4, WireType.LengthDelimited).fork();
    if (params.cipherSuite) w.tag(1, WireType.Varint).int32(params.cipherSuite);
    if (params.blockSize) w.tag(2, WireType.Varint).int64(params.blockSize);
    w.join();
  }
  return w.finish();
}

// Parse

/** The Scope's fields, undecoded. */
export interface Scope {
  satelliteAddress: string;
  apiKey: Uint8Array;
  encryptionAccess?: Uint8Array;
}

/**
 * Parses a grant as Storj's ParseAccess: base58check v0, the Scope, the macaroon, the encryption access; then
 * drops every store key the API key's path caveats do not allow (Storj's LimitTo), so a grant can never hold
 * keys for more than it may touch.
 */
export function parseAccess(text: string): AccessGrant {
  const scope = decodeScope(text);
  let apiKey: APIKey;
  try {
    apiKey = APIKey.fromBytes(scope.apiKey);
  } catch (err) {
    throw new AccessError(`invalid access grant: malformed API key: ${withoutPrefix((err as Error).message)}`);
  }
  if (!scope.encryptionAccess) throw new AccessError('invalid access grant: no encryption access');
  let encAccess: EncryptionAccess;
  try {
    encAccess = decodeEncryptionAccess(scope.encryptionAccess);
  } catch (err) {
    throw new AccessError(`invalid access grant: malformed encryption access: ${(err as Error).message}`);
  }
  encAccess.store = limitStore(encAccess.store, apiKey);
  return { satelliteAddress: scope.satelliteAddress, apiKey, encAccess };
}

function withoutPrefix(message: string): string {
  return message.replace(/^invalid API key: /, '');
}

/** base58check and the outer Scope message, checked as far as Storj checks them before the parts. */
function decodeScope(text: string): Scope {
  let decoded;
  try {
    decoded = checkDecode(text.trim());
  } catch (err) {
    throw new AccessError(`invalid access grant: ${(err as Error).message}`);
  }
  if (decoded.version !== 0) throw new AccessError(`invalid access grant: base58check version ${decoded.version}, want 0`);
  const scope: Scope = { satelliteAddress: '', apiKey: new Uint8Array(0) };
  try {
    protobuf('protobuf', decoded.payload, (field, r) => {
      if (field === 1) scope.satelliteAddress = utf8Decoder.decode(r.bytes());
      else if (field === 2) scope.apiKey = r.bytes().slice();
      else if (field === 3) scope.encryptionAccess = r.bytes().slice();
      else return false;
      return true;
    });
  } catch (err) {
    throw new AccessError(`invalid access grant: ${(err as Error).message}`);
  }
  if (!scope.satelliteAddress) throw new AccessError('invalid access grant: no satellite address');
  return scope;
}

function decodeEncryptionAccess(bytes: Uint8Array): EncryptionAccess {
  let defaultKey: Uint8Array | undefined;
  let defaultPathCipher = CipherSuite.Unspecified;
  let params: EncryptionParameters | undefined;
  const entries: StoreEntry[] = [];
  protobuf('encryption access', bytes, (field, r) => {
    if (field === 1) defaultKey = r.bytes().slice();
    else if (field === 2) entries.push(decodeStoreEntry(r.bytes()));
    else if (field === 3) defaultPathCipher = r.varint().int32();
    else if (field === 4) params = decodeParameters(r.bytes());
    else return false;
    return true;
  });
  if (defaultKey?.length && defaultKey.length !== KEY_SIZE)
    throw new AccessError(`default key is ${defaultKey.length} bytes, want ${KEY_SIZE}`);

  const store = new Store({
    defaultKey: defaultKey?.length ? defaultKey : undefined,
    // Grants from before path ciphers moved into the encryption access leave it unspecified: AES-GCM.
    defaultPathCipher: defaultPathCipher === CipherSuite.Unspecified ? CipherSuite.AESGCM : defaultPathCipher,
  });
  for (const entry of entries) {
    try {
      store.add(entry);
    } catch (err) {
      throw new AccessError(`invalid store entry for bucket ${JSON.stringify(entry.bucket)}: ${(err as Error).message}`);
    }
  }
  return { store, defaultEncryptionParameters: params };
}

function decodeStoreEntry(bytes: Uint8Array): StoreEntry {
  const e: StoreEntry = {
    bucket: '',
    unencryptedPath: '',
    encryptedPath: new Uint8Array(0),
    key: new Uint8Array(0),
    pathCipher: CipherSuite.Unspecified,
  };
  protobuf('store entry', bytes, (field, r) => {
    if (field === 1) e.bucket = utf8Decoder.decode(r.bytes());
    else if (field === 2) e.unencryptedPath = utf8Decoder.decode(r.bytes());
    else if (field === 3) e.encryptedPath = r.bytes().slice();
    else if (field === 4) e.key = r.bytes().slice();
    else if (field === 5) e.pathCipher = r.varint().int32();
    else if (field === 6)
      decodeParameters(r.bytes()); // read to validate; Storj ignores it too
    else return false;
    return true;
  });
  if (e.key.length !== KEY_SIZE)
    throw new AccessError(`store entry for bucket ${JSON.stringify(e.bucket)} has a ${e.key.length}-byte key, want ${KEY_SIZE}`);
  return e;
}

function decodeParameters(bytes: Uint8Array): EncryptionParameters {
  const p: EncryptionParameters = { cipherSuite: CipherSuite.Unspecified, blockSize: 0 };
  protobuf('encryption parameters', bytes, (field, r) => {
    if (field === 1) p.cipherSuite = r.varint().int32();
    else if (field === 2) p.blockSize = Number(r.varint().int64());
    else return false;
    return true;
  });
  return p;
}

interface FieldReader {
  varint(): BinaryReader;
  bytes(): Uint8Array;
}

/**
 * Walks one protobuf message: `known` reads a field it knows (with the wire type Storj's decoder expects,
 * else an error) and returns true; unknown fields are skipped, as in Storj. Errors name the message.
 */
function protobuf(what: string, bytes: Uint8Array, known: (field: number, r: FieldReader) => boolean): void {
  const r = new BinaryReader(bytes);
  try {
    while (r.pos < r.len) {
      const [field, type] = r.tag();
      const expect = (want: WireType) => {
        if (type !== want) throw new Error(`field ${field} has wire type ${type}, want ${want}`);
      };
      const reader: FieldReader = {
        varint: () => (expect(WireType.Varint), r),
        bytes: () => (expect(WireType.LengthDelimited), r.bytes()),
      };
      if (!known(field, reader)) r.skip(type, field);
    }
  } catch (err) {
    if (err instanceof AccessError) throw err;
    // The reader throws RangeError when a length or varint runs past the end.
    if (err instanceof RangeError) throw new AccessError(`truncated ${what}`);
    throw new AccessError(`malformed ${what}: ${(err as Error).message}`);
  }
}
