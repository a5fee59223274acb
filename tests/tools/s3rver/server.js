#!/usr/bin/env node
'use strict';

/*
 * s3rver-sigv4: a local S3 test server that authenticates like real S3.
 *
 * s3rver 3.7.1 parses SigV4 Authorization headers but never checks the
 * signature (lib/middleware/authentication.js: "Signature version 4
 * calculation is unimplemented") and lets anonymous requests through. A client
 * that signs slightly wrong (bad canonical URI/query encoding, unsorted query,
 * wrong header list) would therefore pass its tests here and fail against AWS
 * or MinIO. This wrapper puts a strict SigV4 verifier in front of s3rver so
 * such bugs show up as 403s in the test suite.
 *
 * Usage:
 *   node server.js --dir DIR --port PORT --address 127.0.0.1 \
 *       --access-key AK --secret-key SK [--port-file FILE] [--region REGION]
 *
 * PORT 0 picks a free port; the chosen port is written to --port-file (if
 * given) once the server is listening. --region, if given, makes requests
 * signed for any other region fail with AuthorizationHeaderMalformed, as AWS
 * does; by default any region in the credential scope is accepted.
 *
 * Only header-based SigV4 (Authorization: AWS4-HMAC-SHA256 ...) is accepted.
 * Presigned (query-string) URLs and SigV2 are rejected.
 */

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const LEGACY_FLAG = '--openssl-legacy-provider';
const REEXEC_MARKER = 'S3RVER_SIGV4_REEXECED';

// s3rver encrypts ListObjectsV2 continuation tokens with single DES, which
// OpenSSL 3 only offers through its legacy provider. Without it the first
// truncated listing fails with a 500 deep inside s3rver, which is a confusing
// way to find out. Probe once at start-up instead and, if DES is missing,
// restart ourselves with the flag.
function desAvailable() {
  try {
    crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch (err) {
    return false;
  }
}

function reexecWithLegacyProvider() {
  const env = { ...process.env, [REEXEC_MARKER]: '1' };
  env.NODE_OPTIONS = [process.env.NODE_OPTIONS, LEGACY_FLAG]
    .filter(Boolean)
    .join(' ');
  const child = spawn(
    process.execPath,
    [...process.execArgv, __filename, ...process.argv.slice(2)],
    { stdio: 'inherit', env },
  );
  // The caller only knows our pid, so signals sent to us must reach the
  // child, which owns the listening socket.
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.on(sig, () => child.kill(sig));
  }
  child.on('error', err => {
    console.error(`s3rver-sigv4: cannot re-exec node: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      // Report the same death to our own parent; drop our forwarding handler
      // first so the signal is not swallowed.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code === null ? 1 : code);
  });
}

// ---------------------------------------------------------------------------
// Command line

function usage(msg) {
  if (msg) console.error(`s3rver-sigv4: ${msg}`);
  console.error(
    'usage: node server.js --dir DIR --port PORT --address ADDR ' +
      '--access-key AK --secret-key SK [--port-file FILE] [--region REGION]',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const known = new Set([
    'dir',
    'port',
    'address',
    'access-key',
    'secret-key',
    'port-file',
    'region',
  ]);
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (!arg.startsWith('--')) usage(`unexpected argument: ${arg}`);
    arg = arg.slice(2);
    let value;
    const eq = arg.indexOf('=');
    if (eq !== -1) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    } else {
      if (i + 1 >= argv.length) usage(`--${arg} needs a value`);
      value = argv[++i];
    }
    if (!known.has(arg)) usage(`unknown option --${arg}`);
    opts[arg] = value;
  }
  for (const req of ['dir', 'port', 'access-key', 'secret-key']) {
    if (opts[req] === undefined || opts[req] === '') usage(`--${req} is required`);
  }
  if (!/^\d+$/.test(opts.port) || Number(opts.port) > 65535) {
    usage(`invalid --port: ${opts.port}`);
  }
  return {
    dir: path.resolve(opts.dir),
    port: Number(opts.port),
    address: opts.address || '127.0.0.1',
    accessKey: opts['access-key'],
    secretKey: opts['secret-key'],
    portFile: opts['port-file'],
    region: opts.region,
  };
}

// ---------------------------------------------------------------------------
// SigV4 helpers

const EMPTY_SHA256 = crypto.createHash('sha256').update('').digest('hex');
const MAX_SKEW_MS = 15 * 60 * 1000;

class AuthError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra; // additional XML elements (never secrets)
  }
}

const HEX = '0123456789ABCDEF';

// RFC 3986 percent-encoding of the UTF-8 bytes of `str`, keeping only the
// unreserved set. This is the encoding AWS applies when it builds the
// canonical request, independent of how the client spelled the URL.
function strictEncode(str) {
  let out = '';
  for (const b of Buffer.from(str, 'utf8')) {
    if (
      (b >= 0x41 && b <= 0x5a) || // A-Z
      (b >= 0x61 && b <= 0x7a) || // a-z
      (b >= 0x30 && b <= 0x39) || // 0-9
      b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e // - . _ ~
    ) {
      out += String.fromCharCode(b);
    } else {
      out += '%' + HEX[b >> 4] + HEX[b & 15];
    }
  }
  return out;
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

// Percent-decodes `str` to a Unicode string. Node hands us the request line
// as latin1 (one char per byte), so raw non-ASCII bytes are taken back as
// bytes and the whole result is decoded as UTF-8. Malformed escapes or
// invalid UTF-8 throw, and become InvalidURI like on S3. In the query part
// '+' means space (as on S3 and MinIO); in the path it is a literal '+'.
function percentDecode(str, plusIsSpace) {
  const bytes = [];
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hex = str.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error('bad escape');
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === 0x2b /* + */ && plusIsSpace) {
      bytes.push(0x20);
    } else if (c <= 0xff) {
      bytes.push(c);
    } else {
      bytes.push(...Buffer.from(str[i], 'utf8'));
    }
  }
  return utf8Fatal.decode(Uint8Array.from(bytes));
}

function canonicalUri(rawPath) {
  // S3 is the one service whose canonical URI is encoded once, not twice,
  // and is not normalized ('//' and '.' segments stay as sent).
  return rawPath
    .split('/')
    .map(seg => strictEncode(percentDecode(seg, false)))
    .join('/');
}

function canonicalQuery(rawQuery) {
  const pairs = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue; // "a=1&&b=2" and a trailing '&' add nothing
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    pairs.push([
      strictEncode(percentDecode(name, true)),
      strictEncode(percentDecode(value, true)),
    ]);
  }
  // Sorting happens on the encoded form, byte-wise, as the spec says. Plain
  // < comparison is byte order here because both sides are pure ASCII.
  pairs.sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
  );
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function canonicalHeaderValue(req, name) {
  // headersDistinct keeps repeated headers apart; SigV4 joins them with ','
  // (Node's req.headers would join most of them with ', ').
  const values = req.headersDistinct[name];
  if (!values) return '';
  return values.map(v => v.trim().replace(/\s+/g, ' ')).join(',');
}

// Parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
function parseAuthorization(header) {
  const malformed = detail =>
    new AuthError(
      400,
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; ${detail}`,
    );
  const m = /^(\S+)\s+(.*)$/s.exec(header.trim());
  const algorithm = m ? m[1] : header.trim();
  if (algorithm !== 'AWS4-HMAC-SHA256') {
    throw new AuthError(
      400,
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. ' +
        'Please use AWS4-HMAC-SHA256.',
    );
  }
  if (!m) throw malformed('missing Credential, SignedHeaders and Signature.');
  const fields = new Map();
  for (const comp of m[2].split(',')) {
    const c = comp.trim();
    const eq = c.indexOf('=');
    if (eq === -1) throw malformed(`unexpected component "${c}".`);
    const key = c.slice(0, eq);
    if (fields.has(key)) throw malformed(`duplicate ${key}.`);
    fields.set(key, c.slice(eq + 1));
  }
  for (const key of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!fields.has(key)) throw malformed(`missing ${key}.`);
  }
  if (fields.size !== 3) {
    throw malformed(
      'the authorization header requires three components: ' +
        'Credential, SignedHeaders, and Signature.',
    );
  }
  const cred = fields.get('Credential').split('/');
  if (cred.length !== 5) {
    throw malformed(
      'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  }
  const [accessKey, date, region, service, terminal] = cred;
  if (!/^\d{8}$/.test(date)) throw malformed(`incorrect date format "${date}".`);
  if (service !== 's3') throw malformed(`incorrect service "${service}".`);
  if (terminal !== 'aws4_request') {
    throw malformed(`incorrect terminal "${terminal}".`);
  }
  const signedHeaders = fields.get('SignedHeaders').split(';');
  if (signedHeaders.some(h => h === '')) throw malformed('empty SignedHeaders entry.');
  return {
    accessKey,
    date,
    region,
    signedHeaders,
    signedHeadersRaw: fields.get('SignedHeaders'),
    signature: fields.get('Signature'),
  };
}

// x-amz-date must be ISO 8601 basic format, e.g. 20240131T235959Z.
function parseAmzDate(value) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value || '');
  if (!m) return null;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(t) ? null : t;
}

function hmac(key, data) {
  return crypto.createHmac('sha256', key).update(data, 'utf8').digest();
}

function xmlEscape(s) {
  return String(s).replace(
    /[&<>"']/g,
    ch => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch],
  );
}

// ---------------------------------------------------------------------------
// The verifier

function sigv4Middleware({ credentials, region: requiredRegion }) {
  return async function sigv4(ctx, next) {
    const requestId = crypto.randomBytes(8).toString('hex').toUpperCase();
    const rawUrl = ctx.req.url;
    const qpos = rawUrl.indexOf('?');
    const rawPath = qpos === -1 ? rawUrl : rawUrl.slice(0, qpos);
    const rawQuery = qpos === -1 ? '' : rawUrl.slice(qpos + 1);

    try {
      verify(ctx.req, rawPath, rawQuery);
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      const extra = Object.entries(err.extra)
        .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
        .join('');
      ctx.status = err.status;
      ctx.set('x-amz-request-id', requestId);
      ctx.type = 'application/xml';
      ctx.body =
        '<?xml version="1.0" encoding="UTF-8"?>' +
        `<Error><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message>` +
        extra +
        `<Resource>${xmlEscape(rawPath)}</Resource>` +
        `<RequestId>${requestId}</RequestId></Error>`;
      // One line per rejection so a failing client test can be diagnosed
      // from the server log. Only public values are logged.
      console.error(
        `s3rver-sigv4: ${ctx.method} ${rawUrl} -> ${err.status} ${err.code}: ${err.message}` +
          (err.canonicalRequest
            ? `\n--- canonical request ---\n${err.canonicalRequest}\n--- string to sign ---\n${err.extra.StringToSign}\n---`
            : ''),
      );
      return;
    }
    ctx.set('x-amz-request-id', requestId);
    await next();
  };

  function verify(req, rawPath, rawQuery) {
    const authHeader = req.headers['authorization'];
    if (authHeader === undefined) {
      const presigned = /(^|&)X-Amz-(Algorithm|Signature)=/i.test(rawQuery);
      throw new AuthError(
        403,
        'AccessDenied',
        presigned
          ? 'Access Denied (query-string authentication is not supported by this test server)'
          : 'Access Denied',
      );
    }
    const auth = parseAuthorization(authHeader);

    const secret = credentials.get(auth.accessKey);
    if (secret === undefined) {
      throw new AuthError(
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
        { AWSAccessKeyId: auth.accessKey },
      );
    }

    const amzDate = req.headers['x-amz-date'];
    const requestTime = parseAmzDate(amzDate);
    if (requestTime === null) {
      throw new AuthError(
        403,
        'AccessDenied',
        'AWS authentication requires a valid Date or x-amz-date header',
      );
    }
    if (amzDate.slice(0, 8) !== auth.date) {
      throw new AuthError(
        400,
        'AuthorizationHeaderMalformed',
        `The authorization header is malformed; Invalid credential date "${auth.date}". ` +
          'This date is not the same as X-Amz-Date.',
      );
    }
    if (requiredRegion && auth.region !== requiredRegion) {
      throw new AuthError(
        400,
        'AuthorizationHeaderMalformed',
        `The authorization header is malformed; the region '${auth.region}' ` +
          `is wrong; expecting '${requiredRegion}'`,
        { Region: requiredRegion },
      );
    }
    const now = Date.now();
    if (Math.abs(now - requestTime) > MAX_SKEW_MS) {
      throw new AuthError(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
        {
          RequestTime: amzDate,
          ServerTime: new Date(now).toISOString().replace(/\.\d+/, ''),
          MaxAllowedSkewMilliseconds: MAX_SKEW_MS,
        },
      );
    }

    // AWS refuses requests whose Host or x-amz-* headers are outside the
    // signature, since those could be altered in flight. Checking it here
    // catches clients that add such a header after signing.
    const signed = new Set(auth.signedHeaders.map(h => h.toLowerCase()));
    const unsigned = Object.keys(req.headers).filter(
      h => (h === 'host' || h.startsWith('x-amz-')) && !signed.has(h),
    );
    if (unsigned.length) {
      throw new AuthError(
        403,
        'AccessDenied',
        'There were headers present in the request which were not signed',
        { HeadersNotSigned: unsigned.join(', ') },
      );
    }

    let uri;
    let query;
    try {
      uri = canonicalUri(rawPath);
      query = canonicalQuery(rawQuery);
    } catch (e) {
      throw new AuthError(400, 'InvalidURI', "Couldn't parse the specified URI.");
    }

    const payloadHash = req.headers['x-amz-content-sha256'] || EMPTY_SHA256;
    const canonicalRequest = [
      req.method,
      uri,
      query,
      ...auth.signedHeaders.map(
        h => `${h.toLowerCase()}:${canonicalHeaderValue(req, h.toLowerCase())}`,
      ),
      '',
      auth.signedHeadersRaw,
      payloadHash,
    ].join('\n');
    // Header values arrive as latin1 strings; hashing in latin1 gives back
    // exactly the bytes the client sent and signed. Everything else in the
    // canonical request is ASCII, which latin1 leaves unchanged.
    const scope = `${auth.date}/${auth.region}/s3/aws4_request`;
    const stringToSign = [
      'AWS4-HMAC-SHA256',
      amzDate,
      scope,
      crypto.createHash('sha256').update(canonicalRequest, 'latin1').digest('hex'),
    ].join('\n');

    let key = hmac('AWS4' + secret, auth.date);
    key = hmac(key, auth.region);
    key = hmac(key, 's3');
    key = hmac(key, 'aws4_request');
    const expected = Buffer.from(hmac(key, stringToSign).toString('hex'), 'latin1');
    const provided = Buffer.from(auth.signature, 'latin1');

    // timingSafeEqual needs equal lengths; a length mismatch reveals nothing
    // beyond the (public) signature format.
    const ok =
      expected.length === provided.length &&
      crypto.timingSafeEqual(expected, provided);
    if (!ok) {
      const err = new AuthError(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature ' +
          'you provided. Check your key and signing method.',
        {
          AWSAccessKeyId: auth.accessKey,
          StringToSign: stringToSign,
          SignatureProvided: auth.signature,
          CanonicalRequest: canonicalRequest,
        },
      );
      err.canonicalRequest = canonicalRequest;
      throw err;
    }
  }
}

// ---------------------------------------------------------------------------
// Start-up

async function main() {
  const opts = parseArgs(process.argv.slice(2));

  // Required here, after the DES check, so that a failed check does not
  // pay for loading koa and friends twice.
  const S3rver = require('s3rver');
  const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account');

  // s3rver's own (non-verifying) auth still runs after ours and looks the
  // key up in its registry, so the key pair must exist there too. The
  // well-known S3RVER/S3RVER pair is removed so it cannot be used.
  DUMMY_ACCOUNT.createKeyPair(opts.accessKey, opts.secretKey);
  if (opts.accessKey !== 'S3RVER') DUMMY_ACCOUNT.revokeAccessKey('S3RVER');

  fs.mkdirSync(opts.dir, { recursive: true });
  const server = new S3rver({
    port: opts.port,
    address: opts.address,
    directory: opts.dir,
    silent: true,
    // Path-style only: with vhost buckets on, a request to a hostname
    // other than localhost/an IP would be routed to a bucket named after it.
    vhostBuckets: false,
    configureBuckets: [],
  });
  // Koa composes server.middleware when listening, so putting the verifier
  // at index 0 makes it run before s3rver's logger, router and handlers.
  server.middleware.unshift(
    sigv4Middleware({
      credentials: new Map([[opts.accessKey, opts.secretKey]]),
      region: opts.region,
    }),
  );

  const { port, address } = await server.run();

  if (opts.portFile) {
    // Write-then-rename so a poller never reads a half-written file.
    const tmp = `${opts.portFile}.tmp${process.pid}`;
    fs.writeFileSync(tmp, `${port}\n`);
    fs.renameSync(tmp, opts.portFile);
  }
  console.log(`s3rver-sigv4 listening on ${address}:${port}`);

  let closing = false;
  const shutdown = sig => {
    if (closing) return;
    closing = true;
    // Idle keep-alive sockets would otherwise hold close() open.
    server.close().then(
      () => process.exit(0),
      err => {
        console.error(`s3rver-sigv4: close failed on ${sig}: ${err.message}`);
        process.exit(1);
      },
    );
    server.httpServer.closeAllConnections();
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));

  // When started through the re-exec wrapper, a SIGKILLed wrapper cannot
  // forward anything; notice being orphaned instead of lingering on the port.
  if (process.env[REEXEC_MARKER]) {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) shutdown('parent exit');
    }, 1000).unref();
  }
}

if (require.main === module) {
  if (!desAvailable()) {
    if (process.env[REEXEC_MARKER]) {
      console.error(
        's3rver-sigv4: DES is unavailable even with --openssl-legacy-provider; ' +
          "s3rver's ListObjectsV2 continuation tokens cannot work on this Node/OpenSSL.",
      );
      process.exit(1);
    }
    reexecWithLegacyProvider();
  } else {
    main().catch(err => {
      console.error(`s3rver-sigv4: ${err && err.stack ? err.stack : err}`);
      process.exit(1);
    });
  }
}

module.exports = { canonicalUri, canonicalQuery, strictEncode, percentDecode };
