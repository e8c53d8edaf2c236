// Verify credentials with the Digital Credentials Consortium's verifier-core.
//
// Usage: node verify.mjs [file.json]   (reads standard input without a file)
// The input is one credential or a JSON array of them; the output is one JSON
// result, or an array in the same order. Contexts come from the verifier's
// bundled document loader. Network access is limited to loopback addresses
// (a test may serve a status list there); anything else fails at once.
import { readFileSync } from 'node:fs';

const realFetch = globalThis.fetch;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

globalThis.fetch = async (resource, options) => {
  const url = new URL(resource instanceof Request ? resource.url : String(resource));
  if (!LOOPBACK.has(url.hostname)) {
    throw new TypeError(`offline: refusing to fetch ${url.href}`);
  }
  return realFetch(resource, options);
};

// Imported after the fetch guard so every HTTP client inside sees it.
const { verifyCredential } = await import('@digitalcredentials/verifier-core');

function summarise(result) {
  const { credential, ...rest } = result;
  return JSON.parse(JSON.stringify(rest, (key, value) => (key === 'stackTrace' ? undefined : value)));
}

const source = process.argv[2] ? readFileSync(process.argv[2], 'utf8') : readFileSync(0, 'utf8');
const input = JSON.parse(source);
const credentials = Array.isArray(input) ? input : [input];

// The verifier logs schema-fetch failures to the console; keep stdout for JSON only.
console.log = (...args) => process.stderr.write(args.join(' ') + '\n');
console.error = console.log;

const results = [];
for (const credential of credentials) {
  results.push(summarise(await verifyCredential({ credential, knownDIDRegistries: [] })));
}
process.stdout.write(JSON.stringify(Array.isArray(input) ? results : results[0]) + '\n');
