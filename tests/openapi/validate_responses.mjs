#!/usr/bin/env node
// Checks the responses creditgate-server gave in its end-to-end tests against docs/openapi.yaml.
//
//   node validate_responses.mjs LOGFILE [--spec docs/openapi.yaml]
//
// LOGFILE is JSON lines, one exchange per line (tests/server/http_client.cpp writes it when
// CREDITGATE_API_RESPONSE_LOG names a file):
//
//   {"method":"POST","target":"/v1/batches/b1/decide","status":200,
//    "content_type":"application/json","body":"<the response body, as text>"}
//
// with an optional "headers" object (response header names in lower case -> values): when it is
// there, the headers the spec marks required for that response (Retry-After, WWW-Authenticate,
// Allow) are checked too. Other keys are ignored.
//
// Each line is matched to its operation by path template and method (the query string is ignored;
// an id segment matches as sent, percent-encoded or not). A request no operation describes is
// checked against the spec's x-unrouted-responses (unknown path: 404; documented path, other
// method: 405). Then: the status must be documented, the Content-Type's media type must be the
// documented one, and the body must validate against the documented schema (JSON Schema 2020-12,
// Ajv). Beyond the schema, for JSON bodies: every money pair X / X_micros must be the same amount,
// and where a body has both `reason` and `error`, error.code must equal reason and error.message
// detail.
//
// Exit status: 0 when every line passes and every documented operation appears at least once; 1
// otherwise (every failure is listed, then a coverage table); 2 for a usage error.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SPEC_ID = 'https://creditgate.invalid/openapi.json';

function usage(message) {
  if (message) console.error(`validate_responses: ${message}`);
  console.error('usage: node validate_responses.mjs LOGFILE [--spec docs/openapi.yaml]');
  process.exit(2);
}

function parseArgs(argv) {
  let log = null;
  let spec = path.resolve(here, '../../docs/openapi.yaml');
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--spec') {
      if (i + 1 >= argv.length) usage('--spec needs a file');
      spec = argv[++i];
    } else if (argv[i] === '-h' || argv[i] === '--help') {
      usage();
    } else if (argv[i].startsWith('-')) {
      usage(`unknown option ${argv[i]}`);
    } else if (log === null) {
      log = argv[i];
    } else {
      usage(`one LOGFILE only (got ${log} and ${argv[i]})`);
    }
  }
  if (log === null) usage('LOGFILE is required');
  return { log, spec };
}

// JSON pointer helpers (RFC 6901).
const escapeToken = (t) => String(t).replaceAll('~', '~0').replaceAll('/', '~1');
const unescapeToken = (t) => t.replaceAll('~1', '/').replaceAll('~0', '~');

function at(doc, pointer) {
  let node = doc;
  for (const token of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = node[unescapeToken(token)];
  }
  return node;
}

// Follows local $refs ("#/components/...") to the object they name, and returns it with its pointer.
function resolve(doc, node, pointer) {
  const seen = new Set();
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    if (!node.$ref.startsWith('#/')) throw new Error(`${pointer}: only local $refs are supported`);
    if (seen.has(node.$ref)) throw new Error(`${pointer}: $ref cycle at ${node.$ref}`);
    seen.add(node.$ref);
    const ref = node.$ref;
    pointer = ref.slice(1);
    node = at(doc, pointer);
    if (node === undefined) throw new Error(`$ref ${ref} names nothing`);
  }
  return { node, pointer };
}

function mediaEssence(contentType) {
  return String(contentType).split(';')[0].trim().toLowerCase();
}

const isJsonMedia = (essence) => essence === 'application/json' || essence.endsWith('+json');

function formatMicros(micros) {
  const negative = micros < 0n;
  const magnitude = negative ? -micros : micros;
  const fraction = (magnitude % 1000000n).toString().padStart(6, '0');
  return `${negative ? '-' : ''}${magnitude / 1000000n}.${fraction}`;
}

// Money pairs and refusal consistency: what the schema cannot say.
function semanticProblems(body) {
  const problems = [];
  const walk = (node, where) => {
    if (Array.isArray(node)) {
      node.forEach((element, i) => walk(element, `${where}/${i}`));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      walk(value, `${where}/${escapeToken(key)}`);
      const microsKey = `${key}_micros`;
      if (key.endsWith('_micros') || !(microsKey in node)) continue;
      const micros = node[microsKey];
      if ((value === null) !== (micros === null)) {
        problems.push(`${where}/${key} and ${microsKey}: one is null and the other is not`);
      } else if (typeof value === 'string' && typeof micros === 'string' && /^-?[0-9]+$/.test(micros)) {
        const expected = formatMicros(BigInt(micros));
        if (value !== expected) {
          problems.push(`${where}/${key} is "${value}" but ${microsKey} "${micros}" is ${expected}`);
        }
      }
    }
  };
  walk(body, '');
  if (body && typeof body === 'object' && !Array.isArray(body) && 'reason' in body &&
      body.error && typeof body.error === 'object') {
    if (body.error.code !== body.reason) {
      problems.push(`/error/code "${body.error.code}" differs from /reason "${body.reason}"`);
    }
    if ('detail' in body && body.error.message !== body.detail) {
      problems.push('/error/message differs from /detail');
    }
  }
  return problems;
}

function formatAjvErrors(errors) {
  return (errors ?? []).map((e) => {
    const where = e.instancePath === '' ? '(body)' : e.instancePath;
    const params = Object.keys(e.params ?? {}).length ? ` ${JSON.stringify(e.params)}` : '';
    return `${where}: ${e.message}${params}  [${e.schemaPath}]`;
  });
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  let spec;
  try {
    spec = YAML.parse(fs.readFileSync(args.spec, 'utf8'));
  } catch (e) {
    usage(`cannot read the spec ${args.spec}: ${e.message}`);
  }
  let logText;
  try {
    logText = fs.readFileSync(args.log, 'utf8');
  } catch (e) {
    usage(`cannot read ${args.log}: ${e.message}`);
  }

  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,     // allOf fragments constrain properties without repeating `type: object`
    strictRequired: false,  // ditto for `required` next to properties declared in another branch
    allowUnionTypes: true,  // type: [string, "null"]
  });
  addFormats(ajv);
  // OpenAPI's own keywords in Schema Objects; every other unknown keyword is a mistake (strict).
  for (const keyword of ['example', 'discriminator', 'xml', 'externalDocs']) ajv.addKeyword(keyword);
  // The whole document is added as one schema, so that "#/components/..." references resolve as
  // they do in the spec; its top-level members (openapi, info, paths, ...) are not JSON Schema
  // keywords, and are declared as inert ones so that strict mode accepts the root.
  for (const key of Object.keys(spec)) ajv.addKeyword(key);
  ajv.addSchema({ ...spec, $id: SPEC_ID });
  const validators = new Map();
  const validatorAt = (pointer) => {
    if (!validators.has(pointer)) {
      const validate = ajv.getSchema(`${SPEC_ID}#${pointer}`);
      if (!validate) throw new Error(`no schema at ${pointer}`);
      validators.set(pointer, validate);
    }
    return validators.get(pointer);
  };

  // The operations, in spec order, and the fallbacks for requests no operation describes.
  const operations = [];
  for (const [template, item] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      if (!item[method]) continue;
      operations.push({
        key: `${method.toUpperCase()} ${template}`,
        operationId: item[method].operationId ?? '',
        template,
        segments: template.split('/'),
        method: method.toUpperCase(),
        pointer: `/paths/${escapeToken(template)}/${method}`,
        seen: new Map(),
      });
    }
  }
  const unrouted = spec['x-unrouted-responses'] ?? {};
  const fallback = (name, label) => ({
    key: label,
    pointer: `/x-unrouted-responses/${name}`,
    responses: unrouted[name]?.responses ?? {},
    seen: new Map(),
  });
  const unknownPath = fallback('unknown-path', '(unknown path)');
  const otherMethod = fallback('other-method', '(documented path, other method)');

  const segmentMatches = (pattern, segment) => /^\{[^}]+\}$/.test(pattern) || pattern === segment;
  const pathMatches = (op, segments) =>
    op.segments.length === segments.length &&
    op.segments.every((pattern, i) => segmentMatches(pattern, segments[i]));

  const failures = [];
  let checked = 0;
  let withHeaders = 0;
  const lines = logText.split('\n');
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    if (raw.trim() === '') return;
    const fail = (what, details = [], entry = null) => {
      const head = entry ? `${entry.method} ${entry.target} -> ${entry.status}` : '(unreadable line)';
      failures.push({ lineNo, head, what, details });
    };
    let entry;
    try {
      entry = JSON.parse(raw);
    } catch (e) {
      fail(`not JSON: ${e.message}`);
      return;
    }
    const shapeProblems = [];
    if (typeof entry.method !== 'string') shapeProblems.push('"method" must be a string');
    if (typeof entry.target !== 'string') shapeProblems.push('"target" must be a string');
    if (!Number.isInteger(entry.status)) shapeProblems.push('"status" must be an integer');
    if (typeof entry.content_type !== 'string') shapeProblems.push('"content_type" must be a string');
    if (typeof entry.body !== 'string') shapeProblems.push('"body" must be a string (the raw body)');
    if ('headers' in entry && (entry.headers === null || typeof entry.headers !== 'object' ||
                               Array.isArray(entry.headers))) {
      shapeProblems.push('"headers", when present, must be an object');
    }
    if (shapeProblems.length) {
      fail('not a log entry', shapeProblems, typeof entry === 'object' && entry ? entry : null);
      return;
    }
    checked += 1;

    // Which operation (or fallback) the request is for.
    const pathPart = entry.target.split('?')[0];
    const segments = pathPart.startsWith('/') ? pathPart.split('/') : null;
    const byPath = segments ? operations.filter((op) => pathMatches(op, segments)) : [];
    const op = byPath.find((o) => o.method === entry.method.toUpperCase());
    const target = op ?? (byPath.length ? otherMethod : unknownPath);
    const responses = op ? at(spec, op.pointer).responses ?? {} : target.responses;
    const responsesPointer = op ? `${op.pointer}/responses` : `${target.pointer}/responses`;
    const status = String(entry.status);
    target.seen.set(status, (target.seen.get(status) ?? 0) + 1);
    const where = op ? `${op.key}` : target.key;

    const statusKey = [status, `${status[0]}XX`, 'default'].find((k) => k in responses);
    if (!statusKey) {
      fail(`status ${status} is not documented for ${where} (documented: ${Object.keys(responses).join(', ')})`,
           [], entry);
      return;
    }
    let response;
    try {
      response = resolve(spec, responses[statusKey], `${responsesPointer}/${escapeToken(statusKey)}`);
    } catch (e) {
      fail(`spec: ${e.message}`, [], entry);
      return;
    }
    const problems = [];

    // Headers, when the log has them.
    if (entry.headers) {
      withHeaders += 1;
      const got = Object.fromEntries(Object.entries(entry.headers).map(([k, v]) => [k.toLowerCase(), v]));
      for (const [name, headerRef] of Object.entries(response.node.headers ?? {})) {
        const header = resolve(spec, headerRef, `${response.pointer}/headers/${escapeToken(name)}`);
        const value = got[name.toLowerCase()];
        if (value === undefined) {
          if (header.node.required) problems.push(`header ${name} is missing`);
          continue;
        }
        if (header.node.schema) {
          const validate = validatorAt(`${header.pointer}/schema`);
          if (!validate(value)) {
            problems.push(...formatAjvErrors(validate.errors).map((m) => `header ${name}: ${m}`));
          }
        }
      }
      if (entry.status === 405 && !op && byPath.length) {
        const allowed = byPath.map((o) => o.method).join(', ');
        if (got.allow !== undefined && got.allow !== allowed) {
          problems.push(`header Allow is "${got.allow}"; the spec has ${allowed} for this path`);
        }
      }
    }

    // Content type and body.
    const content = response.node.content;
    if (!content) {
      if (entry.body !== '') problems.push('the spec documents no body for this response, but one came');
    } else {
      const essence = mediaEssence(entry.content_type);
      const mediaKey = Object.keys(content).find((k) => mediaEssence(k) === essence);
      if (!mediaKey) {
        problems.push(`Content-Type "${entry.content_type}" is not documented (documented: ${Object.keys(content).join(', ')})`);
      } else {
        let body = entry.body;
        let parsed = true;
        if (isJsonMedia(essence)) {
          try {
            body = JSON.parse(entry.body);
          } catch (e) {
            problems.push(`the body is not JSON: ${e.message}`);
            parsed = false;
          }
        }
        const schema = content[mediaKey].schema;
        if (parsed && schema) {
          const validate = validatorAt(`${response.pointer}/content/${escapeToken(mediaKey)}/schema`);
          if (!validate(body)) problems.push(...formatAjvErrors(validate.errors));
        }
        if (parsed && isJsonMedia(essence)) problems.push(...semanticProblems(body));
      }
    }
    if (problems.length) {
      const preview = entry.body.length > 400 ? `${entry.body.slice(0, 400)}...` : entry.body;
      fail(`does not match the spec (${where}, ${statusKey})`, [...problems, `body: ${preview}`], entry);
    }
  });

  // Report.
  for (const f of failures) {
    console.log(`FAIL line ${f.lineNo}: ${f.head}: ${f.what}`);
    for (const d of f.details) console.log(`    ${d}`);
  }
  const missing = operations.filter((op) => op.seen.size === 0);
  const statusList = (seen) =>
    [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}x${n}`).join(' ');
  console.log('');
  console.log('coverage (operation -> statuses seen, "x" count; documented but unseen):');
  const width = Math.max(...operations.map((op) => op.key.length), unknownPath.key.length, otherMethod.key.length);
  for (const op of operations) {
    const documented = Object.keys(at(spec, op.pointer).responses ?? {});
    const unseen = documented.filter((s) => !op.seen.has(s));
    const seen = op.seen.size ? statusList(op.seen) : 'NEVER EXERCISED';
    console.log(`  ${op.key.padEnd(width)}  ${seen}${unseen.length ? `   (unseen: ${unseen.join(' ')})` : ''}`);
  }
  for (const fb of [unknownPath, otherMethod]) {
    console.log(`  ${fb.key.padEnd(width)}  ${fb.seen.size ? statusList(fb.seen) : '-'}`);
  }
  console.log('');
  if (checked > 0 && withHeaders === 0) {
    console.log('note: no line has "headers": Retry-After, WWW-Authenticate and Allow were not checked');
  }
  for (const op of missing) {
    console.log(`FAIL coverage: ${op.key} (${op.operationId}) never appears in ${args.log}`);
  }
  const ok = failures.length === 0 && missing.length === 0;
  console.log(`${ok ? 'OK' : 'FAILED'}: ${checked} responses checked against ${path.relative(process.cwd(), args.spec) || args.spec}, ` +
              `${failures.length} failing, ${missing.length} of ${operations.length} operations never exercised`);
  process.exit(ok ? 0 : 1);
}

main();
