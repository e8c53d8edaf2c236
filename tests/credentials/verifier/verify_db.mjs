// Verify credentials with Digital Bazaar's stack: @digitalbazaar/vc, data-integrity,
// eddsa-rdfc-2022-cryptosuite and vc-bitstring-status-list; did:key through did-method-key.
//
// Usage: node verify_db.mjs [file.json]   (reads standard input without a file)
// The input is one credential or a JSON array of them; the output is one JSON result, or an
// array in the same order. Each result says whether the proof verified, whether the
// credential has expired, and its revocation status, with the error messages seen.
//
// The document loader never uses the network for contexts: the W3C VC 2.0 context comes from
// @digitalbazaar/credentials-context, the OB 3.0.3 and extensions contexts from the copies
// vendored in backpack/credentials/contexts/; did:key documents are made from the key itself.
// Status list credentials are fetched over HTTP from loopback addresses only (the tests serve them there).
import { readFileSync } from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';

import { offlineLoader } from './offline_loader.mjs';
import { messages } from './results.mjs';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

// Status lists only, from the loopback servers the tests start.
async function fromLoopback(url) {
  const parsed = new URL(url);
  if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && LOOPBACK.has(parsed.hostname)) {
    const response = await fetch(parsed, { headers: { Accept: 'application/vc+ld+json, application/json' } });
    if (!response.ok) {
      throw new Error(`HTTP ${response.status} for ${url}`);
    }
    return { contextUrl: null, documentUrl: url, document: await response.json() };
  }
  throw new Error(`offline: refusing to load ${url}`);
}

const V2 = 'https://www.w3.org/ns/credentials/v2';
const documentLoader = offlineLoader([[V2, credentialsContexts.get(V2)]], fromLoopback);

const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });

function status(options) {
  return checkStatus({ ...options, suite, verifyBitstringStatusListCredential: true, verifyMatchingIssuers: true });
}

async function run(credential, now) {
  const result = await vc.verifyCredential({ credential, suite, documentLoader, checkStatus: status, now });
  const statuses = (result.statusResult && result.statusResult.results) || [];
  return {
    verified: result.verified === true,
    proofVerified: (result.results || []).some((item) => item.verified === true),
    hasStatus: Boolean(credential.credentialStatus),
    statusChecked: Boolean(result.statusResult && result.statusResult.verified),
    revoked: statuses.some((item) => item.credentialStatus.statusPurpose === 'revocation' && item.status === true),
    errors: messages(result, result.statusResult && result.statusResult.error),
  };
}

async function verify(credential) {
  const current = await run(credential);
  const expired = current.errors.some((message) => message.includes('is after "validUntil"'));
  if (!expired) {
    return { ...current, expired: false };
  }
  // Expired: check everything else as of one minute before validUntil.
  const before = new Date(Date.parse(credential.validUntil) - 60_000);
  return { ...(await run(credential, before)), expired: true, expiryErrors: current.errors };
}

const source = process.argv[2] ? readFileSync(process.argv[2], 'utf8') : readFileSync(0, 'utf8');
const input = JSON.parse(source);
const credentials = Array.isArray(input) ? input : [input];

// Keep stdout for JSON only.
console.log = (...args) => process.stderr.write(args.join(' ') + '\n');

const results = [];
for (const credential of credentials) {
  results.push(await verify(credential));
}
process.stdout.write(JSON.stringify(Array.isArray(input) ? results : results[0]) + '\n');
