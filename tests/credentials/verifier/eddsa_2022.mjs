// Signs and verifies VC 1.1 credentials with the `eddsa-2022` cryptosuite (the draft name of
// eddsa-rdfc-2022, as issuers used it in 2023) through Digital Bazaar's own libraries of that time:
// @digitalbazaar/eddsa-2022-cryptosuite 1, @digitalbazaar/data-integrity 1 (installed as
// "data-integrity-1") and jsonld-signatures 11; keys from @digitalbazaar/ed25519-multikey, did:key
// resolved by @digitalbazaar/did-method-key. Not the app's code.
//
// stdin: {"command": "sign", "seed": base64 32 bytes, "created": dateTime, "credentials": [{...}]}
//   -> stdout: {"did", "keyId", "credentials": [signed...]}   ("{{did}}" is replaced by the did:key first)
// stdin: {"command": "verify", "credentials": [{...}]}
//   -> stdout: [{"verified", "errors"}...]
// Contexts come from DB's context packages and the OB copies in backpack/credentials/contexts/;
// nothing is fetched.
import { readFileSync } from 'node:fs';

import jsigs from 'jsonld-signatures';
import { DataIntegrityProof } from 'data-integrity-1';
import { cryptosuite as eddsa2022 } from '@digitalbazaar/eddsa-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';

import { offlineLoader } from './offline_loader.mjs';
import { messages } from './results.mjs';

const { AssertionProofPurpose } = jsigs.purposes;
const documentLoader = offlineLoader([...credentialsContexts, ...dataIntegrityContext.contexts]);

async function sign(input) {
  const key = await Ed25519Multikey.generate({ seed: Buffer.from(input.seed, 'base64') });
  const fingerprint = key.publicKeyMultibase;
  const did = `did:key:${fingerprint}`;
  key.controller = did;
  key.id = `${did}#${fingerprint}`;
  const suite = new DataIntegrityProof({ signer: key.signer(), date: input.created, cryptosuite: eddsa2022 });
  const credentials = [];
  for (const unsigned of input.credentials) {
    const credential = JSON.parse(JSON.stringify(unsigned).replaceAll('{{did}}', did));
    credentials.push(await jsigs.sign(credential, { suite, purpose: new AssertionProofPurpose(), documentLoader }));
  }
  return { did, keyId: key.id, credentials };
}

async function verify(input) {
  const suite = new DataIntegrityProof({ cryptosuite: eddsa2022 });
  const results = [];
  for (const credential of input.credentials) {
    const result = await jsigs.verify(credential, { suite, purpose: new AssertionProofPurpose(), documentLoader });
    results.push({ verified: result.verified === true, errors: messages(result) });
  }
  return results;
}

// Keep stdout for JSON only.
console.log = (...args) => process.stderr.write(args.join(' ') + '\n');

const input = JSON.parse(readFileSync(0, 'utf8'));
const output = input.command === 'sign' ? await sign(input) : await verify(input);
process.stdout.write(JSON.stringify(output) + '\n');
