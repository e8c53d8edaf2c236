// The Learner Credential Wallet's side of a VC-API exchange, played with the DCC's own libraries
// (@digitalcredentials/vc, ed25519-signature-2020, did-method-key), as app/lib/exchanges.ts does.
//
// Usage: node lcw.mjs < {"interactionUrl": ..., "protocols"?: ..., "seed": <64 hex>, "twist"?: ...}
// Reads the protocols (?iuv=1), POSTs {} to the exchange, signs a DID Authentication presentation
// with the request's challenge and domain, POSTs it, and prints every step as JSON:
// {did, protocols, request, answer: {status, body}, replay?: {status, body}}.
// twist (for refusals): "wrong-challenge", "other-key" (signed by a key that is not the holder's),
// "replay" (send the same presentation twice). Only loopback addresses are fetched.
import { readFileSync } from 'node:fs';
import * as vc from '@digitalcredentials/vc';
import { Ed25519Signature2020 } from '@digitalcredentials/ed25519-signature-2020';
import { Ed25519VerificationKey2020 } from '@digitalcredentials/ed25519-verification-key-2020';
import { DidKeyDriver } from '@digitalcredentials/did-method-key';
import { securityLoader } from '@digitalcredentials/security-document-loader';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const guardedFetch = async (resource, options) => {
  const url = new URL(String(resource));
  if (!LOOPBACK.has(url.hostname)) throw new TypeError(`offline: refusing to fetch ${url.href}`);
  return fetch(resource, options);
};

const input = JSON.parse(readFileSync(0, 'utf8'));

async function didKey(seedHex) {
  const driver = new DidKeyDriver();
  driver.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519VerificationKey2020.from });
  const verificationKeyPair = await Ed25519VerificationKey2020.generate({ seed: Uint8Array.from(Buffer.from(seedHex, 'hex')) });
  const { didDocument, methodFor } = await driver.fromKeyPair({ verificationKeyPair });
  // The DID document names the authentication key; the wallet signs with the pair that holds it.
  verificationKeyPair.id = methodFor({ purpose: 'authentication' }).id;
  verificationKeyPair.controller = didDocument.id;
  return { did: didDocument.id, key: verificationKeyPair };
}

async function post(url, body) {
  const response = await guardedFetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const holder = await didKey(input.seed);
const signer = input.twist === 'other-key' ? await didKey('11'.repeat(32)) : holder;
// A wallet that read the protocols earlier (input.protocols) goes straight to the exchange.
let protocols = input.protocols;
if (!protocols) {
  const interaction = await guardedFetch(`${input.interactionUrl}?iuv=1`, { headers: { Accept: 'application/json' } });
  protocols = (await interaction.json()).protocols;
}
const request = await post(protocols.vcapi, {});
const output = { did: holder.did, protocols, request };
const vpr = request.body.verifiablePresentationRequest;
if (vpr) {
  const challenge = input.twist === 'wrong-challenge' ? 'a-challenge-we-made-up' : vpr.challenge;
  const presentation = vc.createPresentation({ holder: holder.did });
  const verifiablePresentation = await vc.signPresentation({
    presentation,
    suite: new Ed25519Signature2020({ key: signer.key }),
    challenge,
    domain: vpr.domain,
    documentLoader: securityLoader().build(),
  });
  output.answer = await post(protocols.vcapi, { verifiablePresentation });
  if (input.twist === 'replay') output.replay = await post(protocols.vcapi, { verifiablePresentation });
}
process.stdout.write(JSON.stringify(output) + '\n');
