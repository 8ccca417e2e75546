/** ProjectInfo (the salt for the root key) and RevokeAPIKey. */
import { ActionType } from '@dcsim/crypto/macaroon';
import type { ProjectInfoRequest, ProjectInfoResponse, RevokeAPIKeyRequest, RevokeAPIKeyResponse } from '@dcsim/protocol';
import { MAX_API_KEY_SIZE } from '../auth.js';
import type { MetainfoEndpoint } from './context.js';
import { checkBytes } from './validate.js';

export function projectInfo(m: MetainfoEndpoint, req: ProjectInfoRequest): ProjectInfoResponse {
  const auth = m.auth.authorize(req.header, { op: ActionType.ProjectInfo });
  return { projectSalt: auth.project.salt, projectPublicId: uuidBytes(auth.project.id) };
}

export function revokeApiKey(m: MetainfoEndpoint, req: RevokeAPIKeyRequest): RevokeAPIKeyResponse {
  checkBytes('api_key', 'API key to revoke', req.apiKey, MAX_API_KEY_SIZE, true);
  const { revoker, caveats } = m.auth.revoke(req.header, req.apiKey);
  m.log(
    `API key revoked: a macaroon with ${caveats} caveat(s) derived from key "${revoker.apiKey.name}" ` +
      `of project ${revoker.project.name}; it and every key derived from it are now refused`,
  );
  return {};
}

function uuidBytes(uuid: string): Uint8Array {
  return new Uint8Array(Buffer.from(uuid.replace(/-/g, ''), 'hex'));
}
