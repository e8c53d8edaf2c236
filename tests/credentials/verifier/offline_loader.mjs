// The document loader Digital Bazaar's scripts here share: JSON-LD contexts from memory (the OB
// 3.0.3 and extensions contexts read from the copies vendored in backpack/credentials/contexts/),
// did:key documents made from the key itself, and nothing fetched unless the caller's fallback does.
import { readFileSync } from 'node:fs';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';

const CONTEXTS_DIR = new URL('../../../backpack/credentials/contexts/', import.meta.url);
const VENDORED = {
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-context-3.0.3.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json': 'ob-extensions.json',
};

const didKeyDriver = didKey.driver();
didKeyDriver.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from });

function refuse(url) {
  throw new Error(`offline: refusing to load ${url}`);
}

// contexts: [url, document] pairs from the caller's context packages; the vendored OB ones are added.
export function offlineLoader(contexts, fallback = refuse) {
  const known = new Map(contexts);
  for (const [url, file] of Object.entries(VENDORED)) {
    known.set(url, JSON.parse(readFileSync(new URL(file, CONTEXTS_DIR), 'utf8')));
  }
  return async function documentLoader(url) {
    if (known.has(url)) {
      return { contextUrl: null, documentUrl: url, document: known.get(url) };
    }
    if (url.startsWith('did:key:')) {
      return { contextUrl: null, documentUrl: url, document: await didKeyDriver.get({ url }) };
    }
    return fallback(url);
  };
}
