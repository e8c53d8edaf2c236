// Signs payloads as compact JWS with npm `jose` (panva), an implementation independent of
// the app's joserfc, so the import tests read JWTs made by someone else.
// stdin: a JSON list of jobs; stdout: a JSON list of results, one per job.
// With --lines it stays running: each line in is a list of jobs, each line out its results
// (or {"error"}), so a test run starts Node once (tests/credentials/jose_tokens.py).
//   {"command": "generate", "alg": "EdDSA" | "ES256" | "RS256"} -> {"privateJwk", "publicJwk", "publicPem"}
//   {"command": "sign", "privateJwk", "header": {"alg", ...}, "payload": {...}} -> {"jwt"}
import { createInterface } from 'node:readline';
import { CompactSign, exportJWK, exportSPKI, generateKeyPair, importJWK } from 'jose';

async function perform(input) {
  const results = [];
  for (const job of input) {
    if (job.command === 'generate') {
      const options = job.alg === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : { extractable: true };
      const { privateKey, publicKey } = await generateKeyPair(job.alg, options);
      results.push({
        privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey), publicPem: await exportSPKI(publicKey),
      });
    } else if (job.command === 'sign') {
      const key = await importJWK(job.privateJwk, job.header.alg);
      const body = new TextEncoder().encode(JSON.stringify(job.payload));
      results.push({ jwt: await new CompactSign(body).setProtectedHeader(job.header).sign(key) });
    } else {
      throw new Error(`unknown command ${job.command}`);
    }
  }
  return results;
}

if (process.argv.includes('--lines')) {
  for await (const line of createInterface({ input: process.stdin })) {
    let answer;
    try {
      answer = await perform(JSON.parse(line));
    } catch (error) {
      answer = { error: String(error?.stack ?? error) };
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
} else {
  const input = JSON.parse(await new Promise((resolve) => {
    let text = '';
    process.stdin.on('data', (chunk) => { text += chunk; });
    process.stdin.on('end', () => resolve(text));
  }));
  process.stdout.write(JSON.stringify(await perform(input)));
}
