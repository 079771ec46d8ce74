/**
 * @module connections/read-oauth2
 * The settings of an `oauth2` connection: grant, server URLs (or an issuer to discover them
 * from), client credentials and how they are sent, scopes and extra parameters.
 */
import type { MapView, Reader } from '../workflow/index.js';
import { describeNode } from '../workflow/index.js';
import { readPlainStrings, readUrl } from './read-fields.js';
import type { Secrets } from './read-secrets.js';
import { OAUTH2_GRANTS } from './types.js';
import type { OAuth2Settings } from './types.js';

export function readOAuth2(r: Reader, root: MapView, s: Secrets): OAuth2Settings | null {
  const grant = r.oneOf(root, 'grant', OAUTH2_GRANTS, 'authorization_code');
  const issuer = readUrl(r, root, 'issuer') ?? null;
  const authorizationUrl = readUrl(r, root, 'authorization_url') ?? null;
  const tokenUrl = readUrl(r, root, 'token_url') ?? null;
  if (!issuer) {
    if (!tokenUrl && !root.fields.has('token_url'))
      r.report(root.line, "an oauth2 connection needs 'token_url' (or 'issuer', to discover it)");
    if (
      grant === 'authorization_code' &&
      !authorizationUrl &&
      !root.fields.has('authorization_url')
    )
      r.report(
        root.line,
        "grant authorization_code needs 'authorization_url' (or 'issuer', to discover it)",
      );
  }
  if (!root.fields.has('client_id'))
    r.report(root.line, "an oauth2 connection needs 'client_id' (missing)");
  const clientId = r.string(root, 'client_id') ?? '';
  const clientSecret = r.string(root, 'client_secret') ?? null;
  if (clientSecret !== null) s.add(['client_secret'], clientSecret);
  const clientAuth = r.oneOf(
    root,
    'client_auth',
    ['basic', 'post', 'none'] as const,
    clientSecret === null ? 'none' : 'basic',
  );
  if (clientAuth !== 'none' && clientSecret === null && !root.fields.has('client_secret')) {
    r.report(r.valueLine(root, 'client_auth'), `client_auth ${clientAuth} needs 'client_secret'`);
  }
  if (grant === 'client_credentials' && clientAuth === 'none') {
    r.report(root.line, "grant client_credentials needs 'client_secret'");
  }
  return {
    grant,
    issuer,
    authorizationUrl,
    tokenUrl,
    clientId,
    clientSecret,
    clientAuth,
    scopes: readScopes(r, root),
    authorizeParams: Object.fromEntries(readPlainStrings(r, root, 'authorize_params')),
    tokenParams: Object.fromEntries(readPlainStrings(r, root, 'token_params')),
  };
}

function readScopes(r: Reader, root: MapView): string[] {
  if (!root.fields.has('scopes')) return [];
  const value = r.toJS(r.node(root, 'scopes') ?? null);
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  r.bad(
    root,
    'scopes',
    `must be a list of scopes or a space-separated string${describeNode(r.node(root, 'scopes') ?? null)}`,
  );
  return [];
}
