/**
 * The uplink names a satellite's refusal by its status code and reason, never by its wording. A real gRPC
 * server over TLS plays the satellite and refuses every call with the code, reason and message a test sets;
 * the uplink's own MetainfoConnection client calls it. Rewording a message changes nothing the uplink reports; the
 * same wording with another reason is another error.
 */
import { generateIdentity } from '@dcsim/identity';
import {
  bindServer,
  MetainfoService,
  RpcError,
  SERVER_OPTIONS,
  status,
  toServiceError,
  Transport,
  type MetainfoServer,
  type Reason,
  type ReasonFacts,
} from '@dcsim/protocol';
import { Server, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  BucketExistsError,
  BucketNotEmptyError,
  BucketNotFoundError,
  InvalidAccessError,
  NotEnoughNodesError,
  ObjectNotFoundError,
  RevokedError,
  SatelliteError,
} from '../src/lib/errors.js';
import { MetainfoConnection } from '../src/lib/metainfo.js';

const satellite = generateIdentity();
let server: Server;
let metainfo: MetainfoConnection;
/** What the satellite answers every call with. */
let answer: Partial<ServiceError> = {};

beforeAll(async () => {
  server = new Server(SERVER_OPTIONS);
  const refuse = (_call: unknown, callback: (err: Partial<ServiceError>) => void) => callback(answer);
  const handlers = Object.fromEntries(Object.keys(MetainfoService).map((name) => [name, refuse]));
  server.addService(MetainfoService, handlers as unknown as MetainfoServer);
  const port = await bindServer(server, '127.0.0.1:0', Transport.of(satellite).server());
  metainfo = new MetainfoConnection(
    { id: satellite.id, address: `127.0.0.1:${port}` },
    new Uint8Array([1, 2, 3]),
    Transport.ephemeral(),
    10_000,
  );
});

afterAll(() => {
  metainfo.close();
  server.forceShutdown();
});

type Call = (m: MetainfoConnection) => Promise<unknown>;
const getBucket: Call = (m) => m.getBucket('photos');
const createBucket: Call = (m) => m.createBucket('photos');
const deleteBucket: Call = (m) => m.deleteBucket('photos', false);
const getObject: Call = (m) => m.getObject('photos', new Uint8Array([9, 9]), { bucket: 'photos', key: 'cats/tom.jpg' });
const projectInfo: Call = (m) => m.projectInfo();
const beginSegment: Call = (m) =>
  m.beginSegment({ streamId: new Uint8Array(16), position: undefined, maxOrderLimit: 0 }, { bucket: 'photos', key: 'k' });

/** The uplink's error for `call` when the satellite refuses it with this reason (and its code) and message. */
async function uplinkError(call: Call, reason: Reason, message: string, facts: ReasonFacts = {}): Promise<Error> {
  answer = toServiceError(new RpcError(reason, message, facts));
  return call(metainfo).then(
    () => expect.unreachable('the call should fail'),
    (err: Error) => err,
  );
}

/** The same, for an answer with a status code and no reason. */
async function uplinkErrorWithoutReason(call: Call, code: status, message: string): Promise<Error> {
  answer = { code, details: message };
  return call(metainfo).then(
    () => expect.unreachable('the call should fail'),
    (err: Error) => err,
  );
}

interface Case {
  reason: Reason;
  call: Call;
  type: new (...args: never[]) => Error;
  /** Two messages the satellite may send with the reason. */
  wordings: [string, string];
  /** The uplink's message for each: its own words, or the satellite's shown after its own. */
  says: (wording: string) => string;
  facts?: ReasonFacts;
}

const cases: Case[] = [
  {
    reason: 'BUCKET_NOT_FOUND',
    call: getBucket,
    type: BucketNotFoundError,
    wordings: ['bucket not found: photos', 'there is no such bucket'],
    says: () => 'bucket not found: photos',
  },
  {
    reason: 'BUCKET_ALREADY_EXISTS',
    call: createBucket,
    type: BucketExistsError,
    wordings: ['bucket already exists: photos', 'taken'],
    says: () => 'bucket already exists: photos',
  },
  {
    reason: 'BUCKET_NOT_EMPTY',
    call: deleteBucket,
    type: BucketNotEmptyError,
    wordings: ['bucket not empty', 'it still holds objects'],
    says: () => 'bucket photos is not empty (delete its objects first, or use --force)',
  },
  {
    reason: 'OBJECT_NOT_FOUND',
    call: getObject,
    type: ObjectNotFoundError,
    wordings: ['object not found', 'nothing under that key'],
    says: () => 'object not found: sj://photos/cats/tom.jpg',
  },
  {
    reason: 'API_KEY_REVOKED',
    call: projectInfo,
    type: RevokedError,
    wordings: ['API key revoked', 'this key was withdrawn'],
    says: () => new RevokedError().message,
  },
  {
    reason: 'API_KEY_UNKNOWN',
    call: projectInfo,
    type: InvalidAccessError,
    wordings: ['invalid API key: not known', 'who are you?'],
    says: (w) => `invalid access: ${w}`,
  },
  {
    reason: 'CAVEAT_REFUSED',
    call: getBucket,
    type: AccessDeniedError,
    facts: { caveat: 'disallow_reads' },
    wordings: ['permission denied: reads are not allowed (disallow_reads)', 'no reading for you'],
    says: (w) => `access denied: ${w.replace('permission denied: ', '')}`,
  },
  {
    reason: 'NOT_ENOUGH_NODES',
    call: beginSegment,
    type: NotEnoughNodesError,
    wordings: ['not enough nodes: need 10, have 3', 'the network is thin'],
    says: (w) => `not enough storage nodes: ${w}`,
  },
];

describe('a satellite refusal reworded', () => {
  it.each(cases)('$reason: the same error type whatever the message says', async ({ reason, call, type, wordings, says, facts }) => {
    for (const wording of wordings) {
      const err = await uplinkError(call, reason, wording, facts);
      expect(err.constructor).toBe(type);
      expect(err.message).toBe(says(wording));
      if (facts?.caveat) expect((err as AccessDeniedError).caveat).toBe(facts.caveat);
    }
  });
});

describe('the same wording with another reason', () => {
  it('is another error', async () => {
    const wording = 'bucket not found: photos';
    expect((await uplinkError(getObject, 'BUCKET_NOT_FOUND', wording)).constructor).toBe(BucketNotFoundError);
    expect((await uplinkError(getObject, 'OBJECT_NOT_FOUND', wording)).constructor).toBe(ObjectNotFoundError);
    expect((await uplinkError(getObject, 'UPLOAD_NOT_FOUND', wording)).constructor).toBe(SatelliteError);
    expect((await uplinkErrorWithoutReason(getObject, status.NOT_FOUND, wording)).constructor).toBe(SatelliteError);

    expect((await uplinkError(projectInfo, 'API_KEY_REVOKED', 'API key revoked')).constructor).toBe(RevokedError);
    expect((await uplinkError(projectInfo, 'API_KEY_UNKNOWN', 'API key revoked')).constructor).toBe(InvalidAccessError);

    expect((await uplinkError(deleteBucket, 'BUCKET_NOT_EMPTY', 'bucket not empty')).constructor).toBe(BucketNotEmptyError);
    expect((await uplinkError(deleteBucket, 'UPLOAD_INCOMPLETE', 'bucket not empty')).constructor).toBe(SatelliteError);
  });
});
