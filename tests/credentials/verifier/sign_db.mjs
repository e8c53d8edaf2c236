// Signs VC 2.0 credentials with Digital Bazaar's current stack, not the app: @digitalbazaar/vc
// issue(), a DataIntegrityProof of cryptosuite eddsa-rdfc-2022, a key from
// @digitalbazaar/ed25519-multikey named as a did:key.
// stdin: {"seed": base64 32 bytes, "credentials": [{...}], "statusLists"?: [{"id", "revoked": [index...], "validFrom"}]}
//   -> stdout: {"did", "keyId", "credentials": [signed...], "statusLists": [signed...]}
// "{{did}}" is replaced by the did:key first. Status lists are BitstringStatusListCredentials for
// revocation made by @digitalbazaar/vc-bitstring-status-list, issued by the same key.
// Contexts: the W3C VC 2.0 context from @digitalbazaar/credentials-context, the OB 3.0.3 and
// extensions contexts from backpack/credentials/contexts/; nothing is fetched.
import { readFileSync } from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { createCredential, createList } from '@digitalbazaar/vc-bitstring-status-list';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';

import { offlineLoader } from './offline_loader.mjs';

const V2 = 'https://www.w3.org/ns/credentials/v2';
const documentLoader = offlineLoader([[V2, credentialsContexts.get(V2)]]);

// Keep stdout for JSON only.
console.log = (...args) => process.stderr.write(args.join(' ') + '\n');

const input = JSON.parse(readFileSync(0, 'utf8'));
const key = await Ed25519Multikey.generate({ seed: Buffer.from(input.seed, 'base64') });
const did = `did:key:${key.publicKeyMultibase}`;
key.controller = did;
key.id = `${did}#${key.publicKeyMultibase}`;
const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 });
const credentials = [];
for (const unsigned of input.credentials) {
  const credential = JSON.parse(JSON.stringify(unsigned).replaceAll('{{did}}', did));
  credentials.push(await vc.issue({ credential, suite, documentLoader }));
}
const statusLists = [];
for (const wanted of input.statusLists || []) {
  const list = await createList({ length: 131072 });
  for (const index of wanted.revoked) {
    list.setStatus(index, true);
  }
  const credential = await createCredential({ id: wanted.id, list, statusPurpose: 'revocation' });
  credential.issuer = did;
  credential.validFrom = wanted.validFrom;
  statusLists.push(await vc.issue({ credential, suite, documentLoader }));
}
process.stdout.write(JSON.stringify({ did, keyId: key.id, credentials, statusLists }));
