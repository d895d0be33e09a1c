// Lambda's Node.js runtime client, as a standalone script a process environment runs with
// the local `node`: it loads the handler once (the cold start), then serves invocations over
// the Runtime API 2018-06-01 until the process ends. Node's standard library only.
//
// What a handler sees follows aws-lambda-nodejs-runtime-interface-client 3.3.0 (UserFunction.js,
// Runtime.js, CallbackContext.js, InvokeContext.js, LogPatch.js, Errors.js): handler
// resolution, CommonJS and ES modules, async and callback handlers with
// callbackWaitsForEmptyEventLoop, the context object, error documents with a `trace` array,
// the Runtime.* errors and the console line format; response streaming as ResponseStream.js,
// StreamingContext.js and HttpResponseStream.js send it (awslambda.streamifyResponse).
// Two changes of ours: after each invocation's output, the line END_MARKER + request id on
// stdout (samlite/runtime/environments/base.py reads it); and a message with newlines keeps
// them (Lambda turns them into "\r" so one message is one CloudWatch event; in a terminal a
// "\r" would hide the start of the line).
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const util = require('node:util');
const { pathToFileURL } = require('node:url');

const API_PREFIX = '/2018-06-01/runtime';
const END_MARKER = '\x1esamlite:end ';
const DEBUGGER_ATTACHED_MARKER = '\x1esamlite:debugger-attached';   // base.py reads it too
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';
// Response streaming ("Response streaming" in the Runtime API docs): a chunked POST to
// /response with this mode header, and a failure told in trailers after the body.
const RESPONSE_MODE_HEADER = 'Lambda-Runtime-Function-Response-Mode';
const ERROR_BODY_TRAILER = 'Lambda-Runtime-Function-Error-Body';
const DEFAULT_STREAM_CONTENT_TYPE = 'application/octet-stream';
// What awslambda.streamifyResponse marks a handler with (UserFunction.js).
const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
// Function URLs read a streamed response of this type as a JSON prelude (status, headers,
// cookies), 8 NUL bytes, then the body (HttpResponseStream.js).
const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const PRELUDE_DELIMITER_BYTES = 8;
// samlite's Runtime API serves only the runtime that shows this environment's secret
// (runtime_api.py's TOKEN_VARIABLE and TOKEN_HEADER, repeated: this script imports nothing).
const TOKEN_VARIABLE = '_SAMLITE_RUNTIME_TOKEN';
const TOKEN_HEADER = 'X-Samlite-Runtime-Token';
// Exit codes of the AWS client after posting an uncaught exception / unhandled rejection.
const UNCAUGHT_EXCEPTION_EXIT = 129;
const UNHANDLED_REJECTION_EXIT = 128;

// --- Lambda's error types ------------------------------------------------------------------

function runtimeErrorClass(name) {
  // Constructed from an Error, the message is that error's text ("Error: Cannot find ..."),
  // as the AWS client's `new ImportModuleError(e)` makes it.
  const type = class extends Error {};
  Object.defineProperty(type, 'name', { value: name });
  type.prototype.name = `Runtime.${name}`;
  return type;
}

const ImportModuleError = runtimeErrorClass('ImportModuleError');
const HandlerNotFound = runtimeErrorClass('HandlerNotFound');
const MalformedHandlerName = runtimeErrorClass('MalformedHandlerName');
const UserCodeSyntaxError = runtimeErrorClass('UserCodeSyntaxError');
const UnhandledPromiseRejection = runtimeErrorClass('UnhandledPromiseRejection');
const NODE_JS_EXIT_MESSAGE =
  'The Lambda runtime client detected an unexpected Node.js exit code. This is most ' +
  'commonly caused by a Promise that was never settled. For more information, see ' +
  'https://nodejs.org/docs/latest/api/process.html#exit-codes';
const NodeJsExit = runtimeErrorClass('NodeJsExit');
const MalformedStreamingHandler = runtimeErrorClass('MalformedStreamingHandler');
const InvalidStreamingOperation = runtimeErrorClass('InvalidStreamingOperation');

function looksLikeError(value) {
  return Boolean(value) && typeof value.name === 'string' && typeof value.message === 'string'
    && typeof value.stack === 'string' && value.name !== '' && value.message !== '';
}

/** The document posted to /error: errorType, errorMessage and the stack as a `trace` array. */
function errorDocument(error) {
  try {
    if (util.types.isNativeError(error) || looksLikeError(error)) {
      return {
        errorType: error.name?.replaceAll('\x7F', '%7F'),
        errorMessage: error.message?.replaceAll('\x7F', '%7F'),
        trace: error.stack.replaceAll('\x7F', '%7F').split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while ' +
        'retrieving one or more of its message, name, and stack',
    };
  }
}

function asError(value) {
  return value instanceof Error ? value : new Error(value);
}

/** How the text log shows a failure: a tab, then the error as JSON with its stack as lines. */
function formattedError(error) {
  const withFields = (_key, value) => {
    if (!(value instanceof Error)) {
      return value;
    }
    const fields = { errorType: value.name, errorMessage: value.message, code: value.code,
      ...value };
    if (typeof value.stack === 'string') {
      fields.stack = value.stack.split('\n');
    }
    return fields;
  };
  try {
    return '\t' + JSON.stringify(error, withFields);
  } catch {
    return '\t' + JSON.stringify(errorDocument(error));
  }
}

// --- output and the console ----------------------------------------------------------------

const output = { requestId: undefined, tenantId: undefined, atLineStart: true };

function trackLineStarts(stream) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.length > 0) {
      output.atLineStart = text.endsWith('\n');
    }
    return write(chunk, ...rest);
  };
}

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

function errorFields(value) {
  return { errorType: value?.constructor?.name ?? 'UnknownError', errorMessage: value.message,
    stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack };
}

function jsonLine(level, params) {
  const record = { timestamp: new Date().toISOString(), level, requestId: output.requestId };
  if (output.tenantId !== undefined && output.tenantId !== null) {
    record.tenantId = output.tenantId;
  }
  if (params.length === 1) {
    record.message = params[0];
    try {
      return JSON.stringify(record, (_key, value) =>
        (value instanceof Error ? { ...errorFields(value), ...value } : value));
    } catch {
      record.message = util.format(record.message);
      return JSON.stringify(record);
    }
  }
  record.message = util.format(...params);
  const error = params.find((param) => param instanceof Error);
  if (error !== undefined) {
    Object.assign(record, errorFields(error));
    if (!Array.isArray(record.stackTrace)) {
      record.stackTrace = [];
    }
  }
  return JSON.stringify(record);
}

/** console.* as Lambda's runtime patches it: one line per call, at AWS_LAMBDA_LOG_LEVEL. */
function patchConsole(jsonFormat) {
  const wanted = process.env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase();
  const least = Math.max(LEVELS.indexOf(wanted), 0);   // unknown or unset: everything
  const write = jsonFormat
    ? (level, params) => process.stdout.write(jsonLine(level, params) + '\n')
    : (level, params) => process.stdout.write(
      `${new Date().toISOString()}\t${output.requestId}\t${level}\t${util.format(...params)}\n`);
  const at = (level) => (LEVELS.indexOf(level) >= least || level === 'FATAL'
    ? (...params) => write(level, params)
    : () => {});
  console.trace = at('TRACE');
  console.debug = at('DEBUG');
  console.info = at('INFO');
  console.log = console.info;
  console.warn = at('WARN');
  console.error = at('ERROR');
  console.fatal = at('FATAL');
  return jsonFormat
    ? (_label, error) => console.error(asError(error))
    : (label, error) => console.error(label, formattedError(asError(error)));
}

// --- the Runtime API client ----------------------------------------------------------------

class ServerGone extends Error {}

class RuntimeApi {
  // One keep-alive HTTP/1.1 connection on a plain socket: the Runtime API answers each
  // request with one Content-Length response, and node:http's client costs about half a
  // millisecond more per invoke. The socket is unref'd between requests, so an idle
  // connection does not keep the event loop alive and beforeExit still tells when a
  // handler's work is done.
  constructor(address, token) {
    const [hostname, port] = address.split(':');
    this.hostname = hostname;
    this.port = Number.parseInt(port, 10);
    this.token = token;
    this.auth = token ? `${TOKEN_HEADER}: ${token}\r\n` : '';
    this.socket = null;
    this.pending = null;     // { resolve, reject, retry, request } of the request in flight
    this.buffer = Buffer.alloc(0);
  }

  connect() {
    const socket = net.connect(this.port, this.hostname);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.received(chunk));
    socket.on('error', () => {});   // 'close' follows and says what it means
    socket.on('close', () => this.closed(socket));
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
  }

  call(method, route, body = '', headers = {}) {
    const payload = Buffer.from(body, 'utf8');
    let head = `${method} ${API_PREFIX}${route} HTTP/1.1\r\nHost: ${this.hostname}\r\n` +
      this.auth;
    for (const [name, value] of Object.entries(headers)) {
      head += `${name}: ${value}\r\n`;
    }
    const request = Buffer.concat([Buffer.from(`${head}Content-Length: ${payload.length}` +
      '\r\n\r\n', 'latin1'), payload]);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, retry: true, request };
      this.send(request);
    });
  }

  send(request) {
    if (this.socket === null || this.socket.destroyed) {
      this.connect();
    }
    this.socket.ref();
    this.socket.write(request);
  }

  received(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0 || this.pending === null) {
      return;
    }
    const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    const headers = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const size = Number.parseInt(headers['content-length'] ?? '0', 10);
    if (this.buffer.length < end + 4 + size) {
      return;   // the rest of the body is on its way
    }
    const body = this.buffer.subarray(end + 4, end + 4 + size).toString('utf8');
    this.buffer = this.buffer.subarray(end + 4 + size);
    const { resolve } = this.pending;
    this.pending = null;
    this.socket.unref();
    if (headers.connection?.toLowerCase() === 'close') {
      this.socket.destroy();
    }
    resolve({ status: Number.parseInt(lines[0].split(' ')[1], 10), headers, body });
  }

  closed(socket) {
    if (socket !== this.socket) {
      return;
    }
    this.socket = null;
    const pending = this.pending;
    if (pending === null) {
      return;
    }
    // A keep-alive connection the server closed fails on first use: retry once on a
    // fresh one. Failing again means the server is gone.
    if (pending.retry) {
      pending.retry = false;
      this.send(pending.request);
    } else {
      this.pending = null;
      pending.reject(new ServerGone('the Runtime API closed the connection'));
    }
  }

  async next() {
    const answer = await this.call('GET', '/invocation/next');
    if (answer.status !== 200 || !answer.headers['lambda-runtime-aws-request-id']) {
      process.stderr.write(`samlite runtime client: GET ${API_PREFIX}/invocation/next ` +
        `answered ${answer.status} without a Lambda-Runtime-Aws-Request-Id\n`);
      process.exit(1);
    }
    return answer;
  }

  postResponse(id, body) {
    return this.call('POST', `/invocation/${encodeURIComponent(id)}/response`, body,
      { 'Content-Type': 'application/json' });
  }

  postError(id, document) {
    return this.call('POST', `/invocation/${encodeURIComponent(id)}/error`,
      JSON.stringify(document), { 'Content-Type': 'application/json',
        [ERROR_TYPE_HEADER]: document.errorType });
  }

  /** A streamed /response on a connection of its own (as the AWS client's node:http request):
   * its headers and each chunk leave with the first write and each one after. */
  openResponseStream(id) {
    const headers = {
      [RESPONSE_MODE_HEADER]: 'streaming',
      Trailer: `${ERROR_TYPE_HEADER}, ${ERROR_BODY_TRAILER}`,
      'Content-Type': DEFAULT_STREAM_CONTENT_TYPE,
      'Transfer-Encoding': 'chunked',
    };
    if (this.token) {
      headers[TOKEN_HEADER] = this.token;
    }
    const request = http.request({
      hostname: this.hostname, port: this.port, method: 'POST', headers,
      path: `${API_PREFIX}/invocation/${encodeURIComponent(id)}/response`,
      agent: new http.Agent({ keepAlive: false }),
    });
    const answered = new Promise((resolve, reject) => {
      request.on('response', (response) => {
        response.resume();
        response.on('end', resolve);
        response.on('aborted', reject);
      });
      request.on('error', reject);   // the handler's catch reports it, as the AWS client's
    });
    return { request, answered };
  }

  postInitError(document) {
    return this.call('POST', '/init/error', JSON.stringify(document),
      { 'Content-Type': 'application/json', [ERROR_TYPE_HEADER]: document.errorType });
  }
}

// --- the handler ---------------------------------------------------------------------------

function typeModuleFolder(folder) {
  // The nearest package.json decides; a node_modules folder or the root ends the search.
  if (folder.endsWith('/node_modules')) {
    return false;
  }
  const manifest = path.join(folder, 'package.json');
  if (fs.existsSync(manifest)) {
    try {
      return JSON.parse(fs.readFileSync(manifest, 'utf8'))?.type === 'module';
    } catch (error) {
      console.warn(`${manifest} cannot be read, it will be ignored for ES module detection ` +
        'purposes.', error);
      return false;
    }
  }
  const parent = path.dirname(folder);
  return parent === folder ? false : typeModuleFolder(parent);
}

function requireIfThere(file) {
  return fs.existsSync(file) ? require(file) : undefined;
}

// Node's ES module resolution ignores NODE_PATH. On Lambda an ES module still finds the
// function's node_modules (/var/task, its own folder's parents) and the SDK; here both live
// in samlite's cache, so a bare import that Node cannot resolve is tried from there
// (ESM_PATHS_VARIABLE, set by process.py). Registered only when an ES module is imported.
const ESM_PATHS_VARIABLE = '_SAMLITE_ESM_PATHS';
const ESM_HOOKS = `
import { pathToFileURL } from 'node:url';
let parents = [];
export async function initialize(dirs) {
  parents = dirs.map((dir) => pathToFileURL(dir.endsWith('/') ? dir : dir + '/').href);
}
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const bare = !/^(\\.|\\/|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(specifier);
    if (!bare || error?.code !== 'ERR_MODULE_NOT_FOUND') {
      throw withoutThisModule(error);
    }
    for (const parentURL of parents) {
      try {
        return await next(specifier, { ...context, parentURL });
      } catch {
        // not there either
      }
    }
    throw withoutThisModule(error);
  }
}
// Lambda has no such hook: its frame (this whole source, URL-encoded) stays out of traces.
function withoutThisModule(error) {
  if (typeof error?.stack === 'string') {
    error.stack = error.stack.split('\\n')
      .filter((line) => !line.includes(import.meta.url)).join('\\n');
  }
  return error;
}`;
let esmHooksRegistered = false;

function registerEsmHooks() {
  const dirs = (process.env[ESM_PATHS_VARIABLE] ?? '').split(path.delimiter).filter(Boolean);
  delete process.env[ESM_PATHS_VARIABLE];
  const { register } = require('node:module');
  if (esmHooksRegistered || dirs.length === 0 || typeof register !== 'function') {
    return;
  }
  esmHooksRegistered = true;
  register('data:text/javascript,' + encodeURIComponent(ESM_HOOKS), { data: dirs });
}

async function importIfThere(file) {
  if (!fs.existsSync(file)) {
    return undefined;
  }
  registerEsmHooks();
  return import(pathToFileURL(file).href);
}

/** The module as Lambda finds it: the file itself, then .js (CommonJS unless the nearest
 * package.json says "type": "module"), .mjs and .cjs, then Node's own resolution. */
async function loadModule(appRoot, moduleRoot, name) {
  const file = path.resolve(appRoot, moduleRoot, name);
  const loaded = requireIfThere(file);
  if (loaded) {
    return loaded;
  }
  const isModule = fs.existsSync(file + '.js') && typeModuleFolder(path.dirname(file + '.js'));
  const asCommonJs = isModule ? undefined : requireIfThere(file + '.js');
  if (asCommonJs) {
    return asCommonJs;
  }
  const found = (isModule && await importIfThere(file + '.js'))
    || await importIfThere(file + '.mjs') || requireIfThere(file + '.cjs');
  if (found) {
    return found;
  }
  return require(require.resolve(name, { paths: [appRoot, moduleRoot] }));
}

async function loadHandler(appRoot, fullName) {
  if (fullName.includes('..')) {
    throw new MalformedHandlerName(`'${fullName}' is not a valid handler name. Use absolute ` +
      'paths when specifying root directories in handler names.');
  }
  const base = path.basename(fullName);
  const moduleRoot = fullName.substring(0, fullName.indexOf(base));
  const match = base.match(/^([^.]*)\.(.*)$/);
  if (!match) {
    throw new MalformedHandlerName('Bad handler');
  }
  const [, moduleName, property] = match;
  let app;
  try {
    app = await loadModule(appRoot, moduleRoot, moduleName);
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new UserCodeSyntaxError(error);
    }
    if (error?.code === 'MODULE_NOT_FOUND') {
      throw new ImportModuleError(error);
    }
    throw error;
  }
  const handler = property.split('.').reduce((object, key) => object && object[key], app);
  if (!handler) {
    throw new HandlerNotFound(`${fullName} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new HandlerNotFound(`${fullName} is not a function`);
  }
  return handler;
}

function isAsyncFunction(handler) {
  return handler?.constructor?.name === 'AsyncFunction';
}

function isPromise(value) {
  return Boolean(value) && typeof value.then === 'function';
}

function parseJsonHeader(text, name) {
  if (text === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`Cannot parse ${name} as json: ${error.toString()}`);
  }
}

// --- response streaming ------------------------------------------------------------------

// What a streaming handler's responseStream offers (ResponseStream.js hands out these members
// of its node:http request, no others), so code that works here works on Lambda.
const STREAM_METHODS = ['cork', 'destroy', 'end', 'uncork', 'write', 'addListener', 'emit',
  'eventNames', 'getMaxListeners', 'listenerCount', 'listeners', 'off', 'on', 'once',
  'prependListener', 'prependOnceListener', 'rawListeners', 'removeAllListeners',
  'removeListener', 'setMaxListeners', 'setContentType'];
const STREAM_SETTABLE = ['destroyed', 'writable', '_onBeforeFirstWrite'];
const STREAM_READABLE = ['writableFinished', 'writableObjectMode', 'writableBuffer',
  'writableEnded', 'writableNeedDrain', 'writableHighWaterMark', 'writableCorked',
  'writableLength'];

/** The handler's responseStream over the streamed POST: the content type may change until the
 * first write, which first sends what HttpResponseStream.from queued (its prelude); `ending`
 * runs before the end leaves, so the invocation's output is whole by then. */
function responseStream(request, ending) {
  let written = false;
  const write = request.write.bind(request);
  const end = request.end.bind(request);
  request.setContentType = (contentType) => {
    if (written) {
      throw new InvalidStreamingOperation('Cannot set content-type, too late.');
    }
    request.setHeader('Content-Type', contentType);
  };
  request.write = function writeChunk(chunk, encoding, callback) {
    const bytes = typeof chunk === 'string' || Buffer.isBuffer(chunk)
      || chunk?.constructor === Uint8Array ? chunk : JSON.stringify(chunk);
    if (!written && typeof this._onBeforeFirstWrite === 'function') {
      this._onBeforeFirstWrite((first) => write(first));
    }
    written = true;
    return write(bytes, encoding, callback);
  };
  // As the AWS client's: end takes one argument (a callback, or a last chunk that goes
  // without the prelude's first-write hook).
  request.end = (last) => {
    ending();
    return end(last);
  };
  const stream = Object.fromEntries(STREAM_METHODS.map((name) =>
    [name, request[name].bind(request)]));
  for (const name of STREAM_SETTABLE) {
    Object.defineProperty(stream, name, { get: () => request[name],
      set: (value) => { request[name] = value; } });
  }
  for (const name of STREAM_READABLE) {
    Object.defineProperty(stream, name, { get: () => request[name] });
  }
  return stream;
}

/** awslambda.HttpResponseStream: a function URL's status, headers and cookies, sent as a JSON
 * prelude and 8 NUL bytes before the first chunk of the body. */
class HttpResponseStream {
  static from(stream, prelude) {
    stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const text = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(text);
      write(new Uint8Array(PRELUDE_DELIMITER_BYTES));
    };
    return stream;
  }
}

/** The global `awslambda` Lambda's Node runtimes define before the handler loads (unless
 * AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA is 1 or true). */
function defineAwsLambdaGlobal() {
  const off = process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (off === '1' || off === 'true') {
    return;
  }
  globalThis.awslambda = {
    streamifyResponse: (handler, options) => {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') {
        handler[HANDLER_HIGH_WATER_MARK] = Number.parseInt(options.highWaterMark, 10);
      }
      return handler;
    },
    HttpResponseStream,
  };
}

/** Whether the handler streams its response; another mark than 'response' fails the init. */
function isStreamingHandler(handler) {
  const mark = handler[HANDLER_STREAMING];
  if (mark === undefined || mark === null || mark === false) {
    return false;
  }
  if (mark !== STREAM_RESPONSE) {
    throw new MalformedStreamingHandler('Only response streaming is supported.');
  }
  return true;
}

// --- the loop ------------------------------------------------------------------------------

/** What the context carries besides the callbacks (InvokeContext.js). */
function environmentData(headers, id) {
  const env = process.env;
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  return {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseJsonHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
    identity: parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: id,
    tenantId: output.tenantId,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

class Runtime {
  constructor(api, handler, logError) {
    this.api = api;
    this.handler = handler;
    this.isAsync = isAsyncFunction(handler);
    this.isStreaming = isStreamingHandler(handler);
    this.logError = logError;
    this.beforeExit = () => {};   // what an empty event loop completes (callbacks, no result)
    this.failCurrent = null;      // how an uncaught error ends the invocation in progress
    this.answered = null;         // the response decided this tick, not yet sent
  }

  scheduleNext() {
    setImmediate(() => this.serveOne().catch((error) => this.fatal(error)));
  }

  fatal(error) {
    if (error instanceof ServerGone) {
      process.exit(0);   // the environment is being torn down
    }
    process.stderr.write(`samlite runtime client: ${error?.stack ?? error}\n`);
    process.exit(1);
  }

  endOutput(id) {
    // Before the result is posted, so the service has the whole output by the time it
    // knows the invocation is done (writes to a pipe are synchronous on Linux).
    process.stdout.write(`${output.atLineStart ? '' : '\n'}${END_MARKER}${id}\n`);
  }

  async serveOne() {
    const invocation = await this.api.next();
    const headers = invocation.headers;
    const id = headers['lambda-runtime-aws-request-id'];
    output.requestId = id;
    output.tenantId = headers['lambda-runtime-aws-tenant-id'];
    if (headers['lambda-runtime-trace-id']) {
      process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
    } else {
      delete process.env._X_AMZN_TRACE_ID;
    }
    if (this.isStreaming) {
      await this.serveStreaming(invocation, id);
      return;
    }
    let reported = false;
    let waitForEmptyEventLoop = true;
    const post = (send) => {
      this.beforeExit = () => {};
      send().then(() => this.scheduleNext(), (error) => this.fatal(error));
    };
    const fail = (error) => {
      this.logError('Invoke Error', error);
      this.endOutput(id);
      post(() => this.api.postError(id, errorDocument(error)));
    };
    const complete = (result) => {
      if (reported) {
        console.error('Invocation has already been reported as done. Cannot call complete ' +
          'more than once per invocation.');
        return;
      }
      reported = true;
      let body;
      try {
        body = JSON.stringify(result === undefined ? null : result);
      } catch {
        throw new Error('Unable to stringify response body');
      }
      // Lambda's client posts the response at once (a blocking native call), and a promise
      // rejected but not awaited in the handler is reported later in the same tick, while the
      // invocation is still open: its log line is the invocation's. Sent from the next turn
      // of the loop, so such a rejection is logged before END here too.
      this.answered = () => {
        this.answered = null;
        this.endOutput(id);
        return this.api.postResponse(id, body);
      };
      setImmediate(() => this.answered && post(this.answered));
    };
    const done = (error, result) => {
      this.beforeExit = () => {};
      if (error !== undefined && error !== null) {
        fail(error);
      } else {
        complete(result);
      }
    };
    let finished = false;
    const once = (fn) => (...args) => {
      if (!finished) {
        fn(...args);
        finished = true;
      }
    };
    const callback = once((error, result) => {
      this.beforeExit = () => {};
      if (error !== undefined && error !== null) {
        fail(error);
      } else if (!waitForEmptyEventLoop) {
        complete(result);
      } else {
        this.beforeExit = () => setImmediate(() => complete(result));
      }
    });
    const context = {
      get callbackWaitsForEmptyEventLoop() { return waitForEmptyEventLoop; },
      set callbackWaitsForEmptyEventLoop(value) { waitForEmptyEventLoop = value; },
      succeed: once((result) => done(null, result)),
      fail: once((error) => (error === undefined || error === null
        ? done('handled') : done(error, null))),
      done: once(done),
    };
    this.failCurrent = (error, code) => {
      // The response already went (see `complete`): it stands, and the environment ends.
      const sent = this.answered ? this.answered() : null;
      if (sent) {
        sent.finally(() => process.exit(code));
        return;
      }
      this.endOutput(id);
      this.api.postError(id, errorDocument(error)).finally(() => process.exit(code));
    };
    // Nothing left to run and no result: a callback-style handler that never called back
    // answers null; an async one never settled its promise.
    this.beforeExit = () => {
      reported = true;
      if (this.isAsync) {
        const error = new NodeJsExit(NODE_JS_EXIT_MESSAGE);
        this.logError('Invoke Error', error);
        this.endOutput(id);
        post(() => this.api.postError(id, errorDocument(error)));
      } else {
        this.endOutput(id);
        post(() => this.api.postResponse(id, 'null'));
      }
    };
    try {
      Object.assign(context, environmentData(headers, id));
      const result = this.handler(JSON.parse(invocation.body), context, callback);
      if (isPromise(result)) {
        result.then(context.succeed, context.fail).catch(context.fail);
      }
    } catch (error) {
      callback(error);
    }
  }

  /** One invocation of a streamifyResponse handler, as the AWS client's handleOnceStreaming:
   * (event, responseStream, context); a failure, before or after writes, ends the stream with
   * the error in its trailers. */
  async serveStreaming(invocation, id) {
    let waitForEmptyEventLoop = true;
    const context = {
      get callbackWaitsForEmptyEventLoop() { return waitForEmptyEventLoop; },
      set callbackWaitsForEmptyEventLoop(value) { waitForEmptyEventLoop = value; },
    };
    let outputEnded = false;
    const endOutput = () => {
      if (!outputEnded) {
        outputEnded = true;
        this.endOutput(id);
      }
    };
    const { request, answered } = this.api.openResponseStream(id);
    const end = request.end.bind(request);   // before responseStream wraps it
    const stream = responseStream(request, endOutput);
    const next = () => {
      const serve = () => {
        this.beforeExit = () => {};
        this.scheduleNext();
      };
      if (waitForEmptyEventLoop) {
        this.beforeExit = () => setImmediate(serve);
      } else {
        serve();
      }
    };
    const fail = (error) => {
      this.logError('Invoke Error', error);
      const document = errorDocument(error);
      endOutput();
      request.addTrailers({ [ERROR_TYPE_HEADER]: document.errorType,
        [ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify(document)).toString('base64') });
      end(next);
    };
    this.beforeExit = () => {
      this.beforeExit = () => {};
      this.scheduleNext();
    };
    this.failCurrent = (error, code) => {
      endOutput();
      this.api.postError(id, errorDocument(error)).finally(() => process.exit(code));
    };
    try {
      Object.assign(context, environmentData(invocation.headers, id));
      const result = this.handler(JSON.parse(invocation.body), stream, context);
      if (!isPromise(result)) {
        fail('Streaming does not support non-async handlers.');
        return;
      }
      if (await result !== undefined) {
        console.warn('Streaming handlers ignore return values.');
      }
      await answered;
      if (!stream.writableFinished) {
        fail('Response stream is not finished.');
        return;
      }
      next();
    } catch (error) {
      fail(error);
    }
  }
}

async function main() {
  if (require('node:inspector').url() !== undefined) {
    // --inspect-brk held us before the first line until a debugger let us go: init starts now.
    process.stdout.write(`${DEBUGGER_ATTACHED_MARKER}\n`);
  }
  trackLineStarts(process.stdout);
  trackLineStarts(process.stderr);
  const jsonFormat = process.env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
  const logError = patchConsole(jsonFormat);
  // Taken out of the environment before the handler loads: its code and its children
  // have no use for it.
  const token = process.env[TOKEN_VARIABLE] ?? '';
  delete process.env[TOKEN_VARIABLE];
  const api = new RuntimeApi(process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001', token);
  let runtime = null;
  const uncaught = (label, error, code) => {
    logError(label, error);
    if (runtime?.failCurrent) {
      runtime.failCurrent(error, code);
    } else {
      api.postInitError(errorDocument(error)).finally(() => process.exit(code));
    }
  };
  process.on('uncaughtException', (error) => {
    if (error instanceof ServerGone) {
      process.exit(0);
    }
    uncaught('Uncaught Exception', error, UNCAUGHT_EXCEPTION_EXIT);
  });
  process.on('unhandledRejection', (reason) => {
    uncaught('Unhandled Promise Rejection', new UnhandledPromiseRejection(reason),
      UNHANDLED_REJECTION_EXIT);
  });
  process.on('beforeExit', () => runtime?.beforeExit());
  // The handler loads as the AWS client loads it; a failure is thrown from here, so the
  // uncaught-exception path above posts it as the init error.
  defineAwsLambdaGlobal();
  const handler = await loadHandler(process.cwd(), process.env._HANDLER ?? '');
  if (process.env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === undefined
      && handler.length === 3 && !isAsyncFunction(handler) && !isStreamingHandler(handler)) {
    console.warn('AWS Lambda plans to remove support for callback-based function handlers ' +
      'starting with Node.js 24. You will need to update this function to use an async ' +
      'handler to use Node.js 24 or later. For more information and to provide feedback on ' +
      'this change, see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/' +
      'issues/137. To disable this warning, set the ' +
      'AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment variable.');
  }
  runtime = new Runtime(api, handler, logError);
  runtime.scheduleNext();
}

main().catch((error) => process.emit('uncaughtException', error));
