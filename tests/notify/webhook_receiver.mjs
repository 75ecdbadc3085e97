// A webhook receiver for the notification tests: checks each POST's Standard Webhooks 1.0
// signature with the standardwebhooks package (an implementation independent of creditgate's),
// records every request as one JSON line, and answers as the path asks.
//
//   node tests/notify/webhook_receiver.mjs --port 0 --out hooks.jsonl --secrets secrets.json
//
// Listens on 127.0.0.1 only; prints "listening on 127.0.0.1:PORT" once ready (--port 0: a port
// the OS chooses). SIGTERM or SIGINT ends it (exit 0).
//
// --secrets: a JSON object from URL path prefix to a list of secrets ("whsec_" + base64), read
// again for every request (rewrite it to rotate). A prefix matches the path itself or the path
// below it ("/hooks/acme" matches "/hooks/acme" and "/hooks/acme/x", not "/hooks/acme2"); the
// longest one wins. Each secret is tried in turn; Webhook.verify also enforces the 5-minute
// timestamp tolerance.
//
// The answer: the first path segment of these forms decides,
//   status-NNN  NNN, always
//   flaky-N     500 to the first N requests with a given webhook-id (per path), then 200
//   slow-MS     200 after MS milliseconds (other requests are answered meanwhile)
// otherwise 200 when the signature verified and 401 when it did not.
//
// Each request's line, written when it is answered: path, webhook_id, webhook_timestamp,
// webhook_signature (null when absent), verified, verified_with (index of the secret), verify_error,
// status, body (parsed JSON, or the text when it is not JSON), headers, received_at_ms.
import fs from "node:fs";
import http from "node:http";
import process from "node:process";
import { parseArgs } from "node:util";
import { Webhook } from "standardwebhooks";

const { values: options } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    out: { type: "string" },
    secrets: { type: "string" },
  },
});

function readSecrets() {
  if (!options.secrets) return [{}, null];
  try {
    const parsed = JSON.parse(fs.readFileSync(options.secrets, "utf8"));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      return [{}, "secrets file is not a JSON object"];
    }
    return [parsed, null];
  } catch (error) {
    return [{}, `secrets file: ${error.message}`];
  }
}

function prefixMatches(prefix, path) {
  if (prefix === "" || prefix === "/") return true;
  const bare = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  return path === bare || path.startsWith(`${bare}/`);
}

// { verified, verified_with, verify_error } for this request.
function verify(path, body, headers) {
  const [secretsByPrefix, fileError] = readSecrets();
  if (fileError) return { verified: false, verified_with: null, verify_error: fileError };
  let best = null;
  for (const prefix of Object.keys(secretsByPrefix)) {
    if (prefixMatches(prefix, path) && (best === null || prefix.length > best.length)) {
      best = prefix;
    }
  }
  if (best === null) {
    return { verified: false, verified_with: null, verify_error: `no secrets for ${path}` };
  }
  const secrets = [].concat(secretsByPrefix[best]);
  const errors = [];
  for (const [index, secret] of secrets.entries()) {
    try {
      new Webhook(secret).verify(body, headers, { jsonParse: false });
      return { verified: true, verified_with: index, verify_error: null };
    } catch (error) {
      if (!errors.includes(error.message)) errors.push(error.message);
    }
  }
  const why = errors.length ? errors.join("; ") : `empty secret list for ${best}`;
  return { verified: false, verified_with: null, verify_error: why };
}

const flakyCounts = new Map(); // path + webhook-id -> requests seen

// [status, delay in ms] for a request, from its path segments.
function answerFor(path, webhookId, verified) {
  for (const segment of path.split("/")) {
    let m;
    if ((m = /^status-([1-5][0-9][0-9])$/.exec(segment))) return [Number(m[1]), 0];
    if ((m = /^flaky-([0-9]+)$/.exec(segment))) {
      const key = `${path}\n${webhookId ?? ""}`;
      const seen = (flakyCounts.get(key) ?? 0) + 1;
      flakyCounts.set(key, seen);
      return [seen <= Number(m[1]) ? 500 : 200, 0];
    }
    if ((m = /^slow-([0-9]+)$/.exec(segment))) return [200, Number(m[1])];
  }
  return [verified ? 200 : 401, 0];
}

function parsedBody(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const server = http.createServer((request, response) => {
  const receivedAtMs = Date.now();
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    if (request.method !== "POST") {
      response.writeHead(405, { Allow: "POST" }).end();
      return;
    }
    const body = Buffer.concat(chunks);
    const path = new URL(request.url, "http://127.0.0.1").pathname;
    const headers = request.headers;
    const check = verify(path, body, headers);
    const [status, delayMs] = answerFor(path, headers["webhook-id"], check.verified);
    const record = {
      path,
      webhook_id: headers["webhook-id"] ?? null,
      webhook_timestamp: headers["webhook-timestamp"] ?? null,
      webhook_signature: headers["webhook-signature"] ?? null,
      ...check,
      status,
      body: parsedBody(body.toString("utf8")),
      headers,
      received_at_ms: receivedAtMs,
    };
    setTimeout(() => {
      if (options.out) fs.appendFileSync(options.out, `${JSON.stringify(record)}\n`);
      response.writeHead(status, { "Content-Type": "text/plain" }).end(`${status}\n`);
    }, delayMs);
  });
});

function stop() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

server.listen(Number(options.port), "127.0.0.1", () => {
  process.stdout.write(`listening on 127.0.0.1:${server.address().port}\n`);
});
