// A wallet played by an independent OpenID4VCI client library (@openid4vc/openid4vci).
//
// Usage: node oid4vci.mjs < {"interactionUrl": ..., "txCode": ...}
// Reads the interaction URL (as a QR code gives it), asks it for the protocols (?iuv=1), then
// walks the pre-authorized code flow with the library: offer, metadata, token, nonce, a jwt proof
// signed with a fresh Ed25519 key of its own (did:key), and the credential. Prints JSON:
// {did, offer, metadata, credential}. Only loopback addresses are fetched.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { clientAuthenticationAnonymous, setGlobalConfig } from '@openid4vc/oauth2';
import { Openid4vciClient } from '@openid4vc/openid4vci';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const guardedFetch = async (resource, options) => {
  const url = new URL(resource instanceof Request ? resource.url : String(resource));
  if (!LOOPBACK.has(url.hostname)) throw new TypeError(`offline: refusing to fetch ${url.href}`);
  return fetch(resource, options);
};

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58(bytes) {
  let number = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));
  let out = '';
  while (number > 0n) { out = BASE58[Number(number % 58n)] + out; number /= 58n; }
  for (const byte of bytes) { if (byte !== 0) break; out = '1' + out; }
  return out;
}
const b64url = (data) => Buffer.from(data).toString('base64url');

const input = JSON.parse(readFileSync(0, 'utf8'));
// The test server speaks plain HTTP on loopback; a real wallet would insist on HTTPS.
setGlobalConfig({ allowInsecureUrls: true });

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const publicJwk = publicKey.export({ format: 'jwk' });
const multibase = 'z' + base58(Buffer.concat([Buffer.from([0xed, 0x01]), Buffer.from(publicJwk.x, 'base64url')]));
const did = `did:key:${multibase}`;
const didUrl = `${did}#${multibase}`;

const callbacks = {
  fetch: guardedFetch,
  generateRandom: (length) => randomBytes(length),
  hash: (data, algorithm) => createHash(algorithm.replace('-', '').toLowerCase()).update(data).digest(),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (signer, { header, payload }) => {
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const signature = sign(null, Buffer.from(signingInput), privateKey);
    return { jwt: `${signingInput}.${b64url(signature)}`, signerJwk: publicJwk };
  },
};

const protocols = (await (await guardedFetch(`${input.interactionUrl}?iuv=1`, { headers: { Accept: 'application/json' } })).json()).protocols;
const client = new Openid4vciClient({ callbacks });
const offer = await client.resolveCredentialOffer(protocols.OID4VCI);
const metadata = await client.resolveIssuerMetadata(offer.credential_issuer);
const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer: offer,
  issuerMetadata: metadata,
  txCode: input.txCode,
});
const { c_nonce: nonce } = await client.requestNonce({ issuerMetadata: metadata });
const credentialConfigurationId = offer.credential_configuration_ids[0];
const { jwt } = await client.createCredentialRequestJwtProof({
  issuerMetadata: metadata,
  credentialConfigurationId,
  nonce,
  signer: { method: 'did', didUrl, alg: 'EdDSA' },
});
const { credentialResponse } = await client.retrieveCredentials({
  issuerMetadata: metadata,
  accessToken: accessTokenResponse.access_token,
  credentialConfigurationId,
  proofs: { jwt: [jwt] },
});
process.stdout.write(JSON.stringify({
  did,
  offer,
  version: metadata.originalDraftVersion,
  credential: credentialResponse.credentials[0].credential,
}) + '\n');
