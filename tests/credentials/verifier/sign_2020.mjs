// Signs credentials with Ed25519Signature2020 using the DCC libraries (@digitalcredentials/vc,
// ed25519-signature-2020, ed25519-verification-key-2020, security-document-loader), not the app.
// stdin: {"seed": base64 32 bytes, "credentials": [{...}], "controller"?: did:web}
//   -> stdout: {"did", "keyId", "publicKeyMultibase", "credentials": [signed...]}
// "{{did}}" anywhere in a credential is replaced by the key's did:key first.
// Contexts come from the bundled security document loader; nothing is fetched.
import { readFileSync } from 'node:fs';
import { Ed25519VerificationKey2020 } from '@digitalcredentials/ed25519-verification-key-2020';
import { Ed25519Signature2020 } from '@digitalcredentials/ed25519-signature-2020';
import { securityLoader } from '@digitalcredentials/security-document-loader';
import * as vc from '@digitalcredentials/vc';

const input = JSON.parse(readFileSync(0, 'utf8'));
const seed = Buffer.from(input.seed, 'base64');
const key = await Ed25519VerificationKey2020.generate({ seed });
// With "controller" (a did:web), the key is that DID's "#key-1"; otherwise a did:key.
const did = input.controller || `did:key:${key.fingerprint()}`;
key.controller = did;
key.id = input.controller ? `${did}#key-1` : `${did}#${key.fingerprint()}`;
const documentLoader = securityLoader().build();
const suite = new Ed25519Signature2020({ key });
const credentials = [];
for (const unsigned of input.credentials) {
  const credential = JSON.parse(JSON.stringify(unsigned).replaceAll('{{did}}', did));
  credentials.push(await vc.issue({ credential, suite, documentLoader }));
}
process.stdout.write(JSON.stringify({ did, keyId: key.id, publicKeyMultibase: key.publicKeyMultibase, credentials }));
