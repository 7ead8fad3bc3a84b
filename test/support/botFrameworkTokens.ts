import nock from 'nock';
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';

const OPENID_HOST = 'https://login.botframework.com';
const ISSUER = 'https://api.botframework.com';

/**
 * A stand-in for the Bot Framework's token service: its signing keys are published (through nock)
 * where the SDK fetches them, endorsed for the channels a real Bot Connector key is, and tokens
 * are signed with them as the Bot Connector signs its requests to a bot.
 */
export class BotFrameworkTokens {
  private readonly kid = `test-${randomUUID()}`;
  private readonly privateKey: KeyObject;
  private readonly jwk: { n: string; e: string };
  private scope: nock.Scope | undefined;

  constructor(private readonly appId: string, private readonly endorsements: readonly string[] = ['msteams', 'sms', 'webchat', 'directline']) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    this.jwk = { n: jwk.n, e: jwk.e };
  }

  /** Publishes the key where the SDK looks for it (OpenID metadata, then its jwks_uri). */
  publish(): void {
    this.scope = nock(OPENID_HOST)
      .persist()
      .get('/v1/.well-known/openidconfiguration')
      .reply(200, { issuer: ISSUER, jwks_uri: `${OPENID_HOST}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'] })
      .get('/v1/.well-known/keys')
      .reply(200, { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, n: this.jwk.n, e: this.jwk.e, endorsements: this.endorsements }] });
  }

  unpublish(): void {
    this.scope?.persist(false);
    nock.cleanAll();
  }

  /** `Bearer <jwt>` as the Bot Connector sends it for an activity with this serviceUrl. */
  authorization(serviceUrl: string): string {
    const now = Math.floor(Date.now() / 1000);
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${part({ alg: 'RS256', kid: this.kid, typ: 'JWT' })}.${part({ iss: ISSUER, aud: this.appId, serviceurl: serviceUrl, nbf: now - 60, exp: now + 3600 })}`;
    const signature = createSign('RSA-SHA256').update(unsigned).sign(this.privateKey).toString('base64url');
    return `Bearer ${unsigned}.${signature}`;
  }
}
