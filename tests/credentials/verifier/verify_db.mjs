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
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';

const CONTEXTS_DIR = new URL('../../../backpack/credentials/contexts/', import.meta.url);
const VENDORED = {
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-context-3.0.3.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json': 'ob-extensions.json',
};
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const contexts = new Map([
  ['https://www.w3.org/ns/credentials/v2', credentialsContexts.get('https://www.w3.org/ns/credentials/v2')],
]);
for (const [url, file] of Object.entries(VENDORED)) {
  contexts.set(url, JSON.parse(readFileSync(new URL(file, CONTEXTS_DIR), 'utf8')));
}

const didKeyDriver = didKey.driver();
didKeyDriver.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from });

async function documentLoader(url) {
  if (contexts.has(url)) {
    return { contextUrl: null, documentUrl: url, document: contexts.get(url) };
  }
  if (url.startsWith('did:key:')) {
    return { contextUrl: null, documentUrl: url, document: await didKeyDriver.get({ url }) };
  }
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

const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });

function status(options) {
  return checkStatus({ ...options, suite, verifyBitstringStatusListCredential: true, verifyMatchingIssuers: true });
}

function messages(result) {
  const found = [];
  const visit = (error) => {
    if (!error) return;
    if (Array.isArray(error)) return error.forEach(visit);
    found.push(String(error.message || error));
    visit(error.errors);
    visit(error.cause);
  };
  visit(result.error);
  for (const item of result.results || []) visit(item.error);
  visit(result.statusResult && result.statusResult.error);
  return [...new Set(found)];
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
    errors: messages(result),
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
