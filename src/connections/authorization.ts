/**
 * @module connections/authorization
 * The OAuth2 authorization-code flow as the API runs it. `startAuthorization` makes a state
 * and a PKCE verifier, keeps them sealed in the store for 10 minutes (single use), and gives
 * the provider's URL to send the user to. `completeAuthorization` takes the callback's
 * parameters, finds the pending authorization by its state, exchanges the code and stores the
 * tokens sealed. A state is bound to one connection, one redirect URI and one verifier.
 *
 * @example
 *   const url = await startAuthorization(connections, 'crm', 'https://hookflow.example/oauth/callback');
 *   // … the provider redirects the browser to /oauth/callback?code=…&state=…
 *   const name = await completeAuthorization(connections, new URL(request.url, base).searchParams);
 */
import * as oauth from 'oauth4webapi';
import { ConnectionError } from './errors.js';
import type { ConnectionRegistry, Entry } from './registry.js';

/** How long the user has to finish logging in and consenting at the provider. */
export const AUTHORIZATION_TTL_MS = 10 * 60_000;

interface Pending {
  codeVerifier: string;
  redirectUri: string;
}

export async function startAuthorization(
  connections: ConnectionRegistry,
  name: string,
  redirectUri: string,
): Promise<string> {
  const entry = authorizable(connections, name);
  const { vault, store } = connections.deps;
  const state = oauth.generateRandomState();
  const pending: Pending = { codeVerifier: oauth.generateRandomCodeVerifier(), redirectUri };
  const data = await vault.seal(
    JSON.stringify(pending),
    stateContext(state),
    `authorizing '${name}' stores its OAuth2 tokens`,
  );
  const url = await entry.client.authorizationUrl({ ...pending, state });
  await store.saveOAuthState({
    state,
    connection: name,
    data,
    expiresAt: Date.now() + AUTHORIZATION_TTL_MS,
  });
  return url;
}

/** Finishes an authorization from the callback's query; returns the connection's name. */
export async function completeAuthorization(
  connections: ConnectionRegistry,
  params: URLSearchParams,
): Promise<string> {
  const state = params.get('state');
  if (!state) {
    throw new ConnectionError(
      'oauth_state_invalid',
      'the callback has no state parameter; start again from Connect (GET /api/connections/NAME/authorize)',
    );
  }
  const { vault, store } = connections.deps;
  const found = await store.takeOAuthState(state, Date.now());
  if (!found) {
    throw new ConnectionError(
      'oauth_state_invalid',
      'this authorization is unknown, already used or older than 10 minutes; start again from Connect',
    );
  }
  const pending = JSON.parse(vault.open(found.data, stateContext(state))) as Pending;
  const entry = authorizable(connections, found.connection);
  const tokens = await entry.client.exchangeCode(params, { ...pending, state });
  await entry.session.authorized(tokens);
  connections.deps.log.info({ connection: found.connection }, 'oauth2 connection authorized');
  return found.connection;
}

function authorizable(
  connections: ConnectionRegistry,
  name: string,
): Required<{ [K in keyof Entry]: NonNullable<Entry[K]> }> {
  const entry = connections.lookup(name);
  const { client, session, connection } = entry;
  if (!client || !session || connection.oauth2?.grant !== 'authorization_code') {
    const what =
      connection.type === 'oauth2'
        ? 'uses grant client_credentials, which needs no authorization'
        : `is a ${connection.type} connection, not oauth2`;
    throw new ConnectionError('not_authorizable', `connection '${name}' ${what}`);
  }
  return { connection, client, session };
}

function stateContext(state: string): string {
  return `oauth-state:${state}`;
}
