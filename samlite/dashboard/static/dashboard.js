// samlite's dashboard: fills the server-rendered page from the JSON API (/api/...) and keeps
// it live from the event stream (/api/events). Plain JS, no libraries, no build step.
"use strict";

const page = document.body.dataset.page;
const arg = document.body.dataset.arg;
const content = document.getElementById("content");
// Each listener gets a batch (an array, oldest first): one page update per message, not per row.
const listeners = { invocations: [], reloads: [] };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, options) {
  const response = await fetch(path, options);
  const text = await response.text();
  let data;
  try { data = JSON.parse(text); } catch (_) { data = text; }
  if (!response.ok) throw new Error((data && data.error) || response.statusText);
  return data;
}

function post(path, body) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" },
                     body: JSON.stringify(body || {}) });
}

function notice(message, isError) {
  const box = el("p", { class: isError ? "notice error" : "notice", role: "status" }, message);
  document.getElementById("notices").prepend(box);
  setTimeout(() => box.remove(), 8000);
}

function guarded(action) {
  return async (event) => {
    try { await action(event); } catch (error) { notice(String(error.message || error), true); }
  };
}

function table(headers, rows, attrs) {
  return el("table", attrs || {}, el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
            el("tbody", {}, rows));
}

function ms(value) { return value === null || value === undefined ? "–" : `${value} ms`; }
function time(seconds) { return new Date(seconds * 1000).toLocaleTimeString(); }

// --- the stream ------------------------------------------------------------------------------
let source = null;
// What a page's stream carries of new invocations, when the page says (connect's query).
let wanted = null;

// Opens the stream (closing the one before), `query` saying what it carries of new
// invocations (GET /api/events's parameters); resolves once the server sends to it.
function connect(query) {
  if (source) source.close();
  const live = document.getElementById("live");
  source = new EventSource(`/api/events${query}`);
  const opened = new Promise((resolve) => {
    source.addEventListener("open", resolve, { once: true });
    source.addEventListener("error", resolve, { once: true });   // the list loads anyway
  });
  source.onopen = () => live.classList.add("on");
  source.onerror = () => live.classList.remove("on");
  // Each message is a batch, oldest first: "invocations" as column names and one array of
  // values per row (made into objects here), "reloads" as a JSON array of objects.
  const tell = (kind, batch) => { for (const listener of listeners[kind]) listener(batch); };
  source.addEventListener("invocations", (message) => {
    if (!listeners.invocations.length) return;   // this page shows no invocation
    const { columns, rows } = JSON.parse(message.data);
    // A plain loop: a busy message brings hundreds of rows, and building each through
    // fromEntries and map made a dozen short-lived arrays per row.
    tell("invocations", rows.map((values) => {
      const row = {};
      for (let i = 0; i < columns.length; i++) row[columns[i]] = values[i];
      return row;
    }));
  });
  source.addEventListener("reloads", (message) => tell("reloads", JSON.parse(message.data)));
  return opened;
}

// --- App: the graph --------------------------------------------------------------------------
async function appPage() {
  const [graph, functions] = await Promise.all([api("/api/graph"), api("/api/functions")]);
  const columns = [[], [], []];
  for (const node of graph.nodes) columns[node.column].push(node);
  const width = 1000, rowHeight = 56, boxWidth = 250, boxHeight = 36;
  const height = Math.max(...columns.map((c) => c.length), 1) * rowHeight + 20;
  const at = {};
  columns.forEach((nodes, column) => nodes.forEach((node, row) => {
    at[node.id] = { x: 20 + column * ((width - boxWidth - 80) / 2), y: 10 + row * rowHeight };
  }));
  const svgNs = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNs, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "graph");
  svg.innerHTML = '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" ' +
    'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#98a2b3"/></marker></defs>';
  for (const edge of graph.edges) {
    const a = at[edge.source], b = at[edge.target];
    const line = document.createElementNS(svgNs, "path");
    const x1 = a.x + boxWidth, y1 = a.y + boxHeight / 2, x2 = b.x, y2 = b.y + boxHeight / 2;
    const mid = (x1 + x2) / 2;
    const right = a.x + boxWidth, bend = right + 40;   // same column: a loop on the right
    line.setAttribute("d", b.x > a.x ? `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`
      : b.x === a.x ? `M${right},${y1} C${bend},${y1} ${bend},${y2} ${right},${y2}`
      : `M${a.x},${y1} C${a.x - 60},${y1} ${b.x + boxWidth + 60},${y2} ${b.x + boxWidth},${y2}`);
    line.setAttribute("class", `edge ${edge.kind}`);
    line.setAttribute("marker-end", "url(#arrow)");
    const title = document.createElementNS(svgNs, "title");
    title.textContent = `${edge.source} → ${edge.target} (${edge.kind}${edge.label ? ": " + edge.label : ""})`;
    line.append(title);
    svg.append(line);
  }
  const status = Object.fromEntries(functions.map((f) => [f.name, f.last_status]));
  for (const node of graph.nodes) {
    const { x, y } = at[node.id];
    const group = document.createElementNS(svgNs, "a");
    if (node.kind === "function") group.setAttribute("href", `/invocations?function=${encodeURIComponent(node.id)}`);
    else if (node.kind === "queue") group.setAttribute("href", "/queues");
    else if (node.kind === "bucket") group.setAttribute("href", "/buckets");
    else if (node.kind === "schedule") group.setAttribute("href", "/schedules");
    group.setAttribute("class", `node ${node.kind.replace(" ", "-")}${status[node.id] && status[node.id] !== "ok" ? " failed" : ""}`);
    group.setAttribute("data-node", node.id);
    const rect = document.createElementNS(svgNs, "rect");
    Object.entries({ x, y, width: boxWidth, height: boxHeight, rx: 6 }).forEach(([k, v]) => rect.setAttribute(k, v));
    const label = document.createElementNS(svgNs, "text");
    label.setAttribute("x", x + 10); label.setAttribute("y", y + 23);
    label.textContent = `${node.kind}: ${node.id}`.slice(0, 34);
    group.append(rect, label);
    svg.append(group);
  }
  content.replaceChildren(svg, el("p", { class: "hint" }, "Click a function to see its invocations."));
  // A function stays lit while it runs and goes dark LIT_MS after its last invocation. A lit
  // node is left alone (no class change, no new timer): restarting its light on every batch
  // forced a style and layout pass and restarted the fill's transition, so a busy gateway
  // kept chromium animating, and rasterizing, the graph at every frame.
  const LIT_MS = 1200;
  const nodes = new Map([...svg.querySelectorAll("[data-node]")].map((node) => [node.dataset.node, node]));
  const litUntil = new Map();   // node -> performance.now() when it goes dark
  const darken = (node) => {
    const wait = litUntil.get(node) - performance.now();
    if (wait > 0) { setTimeout(darken, wait, node); return; }
    litUntil.delete(node);
    node.classList.remove("lit");
  };
  wanted = "?per=function";   // a function's newest row of a batch is all its light needs
  listeners.invocations.push((rows) => {
    const last = new Map(rows.map((row) => [row.function, row]));   // each function's newest
    for (const [name, row] of last) {
      const node = nodes.get(name);
      if (!node) continue;
      const failed = row.status !== "ok";
      if (node.classList.contains("failed") !== failed) node.classList.toggle("failed", failed);
      if (!litUntil.has(node)) { node.classList.add("lit"); setTimeout(darken, LIT_MS, node); }
      litUntil.set(node, performance.now() + LIT_MS);
    }
  });
}

// --- Functions -------------------------------------------------------------------------------
async function functionsPage() {
  const render = async () => {
    const functions = await api("/api/functions");
    const rows = functions.map((f) => el("tr", { "data-function": f.name },
      el("td", {}, el("a", { href: `/invocations?function=${encodeURIComponent(f.name)}` }, f.name)),
      el("td", {}, f.runtime || "–"), el("td", {}, `${f.memory_mb} MB`), el("td", {}, `${f.timeout_s} s`),
      el("td", { class: "environments" }, f.environments.length ? f.environments.map((e) => el("div", {},
        `${e.is_busy ? "busy" : e.is_initialized ? "warm" : "starting"}, up ${e.age_s} s` + (e.is_busy ? "" : `, idle ${e.idle_s} s`))) : "none"),
      el("td", {}, `${f.concurrency} (peak ${f.peak_concurrency})`), el("td", {}, f.throttles),
      el("td", {}, f.invocations), el("td", {}, f.errors),
      el("td", {}, f.cold_starts), el("td", {}, ms(f.p50_ms)), el("td", {}, ms(f.p99_ms)),
      el("td", {}, f.max_memory_used_mb === null ? "–" : `${f.max_memory_used_mb} MB`),
      el("td", {}, [...f.routes, ...f.triggers].join(", ") || "–")));
    const reloaded = functions.length && functions[0].last_reload_s ? `Last reload at ${time(functions[0].last_reload_s)}.` : "No reload yet.";
    content.replaceChildren(table(["Function", "Runtime", "Memory", "Timeout", "Environments", "Concurrency",
      "Throttles", "Invocations", "Errors", "Cold starts", "p50", "p99", "Max memory used", "Routes and triggers"], rows),
      el("p", { class: "hint" }, reloaded));
  };
  await render();
  wanted = "?rows=1";   // any invocation means new figures to fetch: one row says so
  let pending = false;
  listeners.invocations.push(() => {
    if (pending) return;
    pending = true;
    setTimeout(() => { pending = false; render(); }, 300);
  });
}

// --- Invocations -----------------------------------------------------------------------------
// toLocaleTimeString's own fields, with the formatter made once: a row is built in a few µs.
const clock = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "numeric", second: "numeric" });
// Every cell holds one text node from the start, so filling a row only changes text.
const rowTemplate = el("tr", {}, el("td", {}, ""), el("td", {}, el("a", {}, "")), el("td", { class: "trigger" }, ""),
  el("td", { class: "status" }, ""), el("td", {}, ""), el("td", {}, ""), el("td", {}, ""), el("td", {}, ""),
  el("td", { class: "request-id" }, ""));

function invocationRow(row) {
  return fillRow(rowTemplate.cloneNode(true), row);
}

// Writes only what differs from what the row showed: a busy gateway's rows mostly repeat
// the function, trigger, status and memory, and text left alone is not laid out again.
function fillRow(tr, row) {
  const cells = tr.cells;
  const status = row.status + (row.error_type ? ` (${row.error_type})` : "");
  const link = cells[1].firstChild;
  setAttribute(tr, "class", `status-${row.status}`);
  setAttribute(tr, "data-request-id", row.request_id);
  setAttribute(tr, "data-function", row.function);
  setText(cells[0], clock.format(row.started_at_s * 1000));
  setAttribute(link, "href", `/invocations/${encodeURIComponent(row.request_id)}`);
  setText(link, row.function);
  setText(cells[2], row.trigger);
  setAttribute(cells[2], "title", row.trigger);   // the cell cuts a long one short (one line per row)
  setText(cells[3], status);
  setAttribute(cells[3], "title", status);
  setText(cells[4], row.is_cold ? "cold" : "warm");
  setText(cells[5], ms(row.duration_ms));
  setText(cells[6], ms(row.billed_duration_ms));
  setText(cells[7], `${row.max_memory_used_mb}/${row.memory_size_mb} MB`);
  setText(cells[8], row.request_id);
  return tr;
}

function setText(node, value) {
  const text = node.firstChild;
  if (text.data !== value) text.data = value;
}

function setAttribute(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

const KEPT_ROWS = 500;   // as many as GET /api/invocations gives
const MARGIN_ROWS = 10;  // built above and below the visible ones, so a scroll shows no gap
// After a draw that replaced every row in view (rows come faster than anyone reads them),
// the next batch waits this long: each such draw lays out, paints and composites a
// screenful of new text, ~2/3 of what the open page costs chromium at 1,000 requests a
// second when redrawn every 250 ms (docs/dashboard.md, "Bounded cost").
const BUSY_REDRAW_MS = 1000;

// The kept rows are data; only those in view (plus a margin) are in the DOM, between two
// spacer rows that stand for the rest. A busy gateway's batches are merged into the data at
// once and drawn at most once per animation frame: a prepended batch builds the few rows in
// view, not all it brings, and a hidden tab draws nothing until it is shown. A scroll is
// drawn at the next frame, and so is a batch unless the last draw was a busy one.
class InvocationList {
  constructor(head, body, foot) {
    this.rows = [];              // newest first, at most KEPT_ROWS
    this.built = new Map();      // request id -> its <tr>, for the rows in the DOM
    this.added = 0;              // rows prepended since the last draw (to keep a scrolled view still)
    this.rowHeight = 0;          // measured from the first rows drawn
    this.headRow = head.rows[0];
    this.body = body;
    this.above = head.appendChild(spacer());
    this.below = foot.appendChild(spacer());
    this.frame = 0;
    this.timer = 0;
    this.busyUntil = 0;          // performance.now() before which a batch waits to be drawn
    addEventListener("scroll", () => this.schedule(), { passive: true });
    addEventListener("resize", () => this.schedule());
  }

  replace(rows) {
    this.rows = rows.slice(0, KEPT_ROWS);
    this.added = 0;
    this.body.replaceChildren();
    this.built.clear();
    this.schedule();
  }

  prepend(oldestFirst) {
    // A row can come twice: in the list loaded and in a batch sent while it loaded.
    const known = new Set(this.rows.map((row) => row.request_id));
    const newestFirst = oldestFirst.filter((row) => !known.has(row.request_id)).slice(-KEPT_ROWS).reverse();
    this.rows = newestFirst.concat(this.rows.slice(0, KEPT_ROWS - newestFirst.length));
    this.added += newestFirst.length;
    if (this.frame || this.timer) return;
    const wait = this.busyUntil - performance.now();
    if (wait > 0) this.timer = setTimeout(() => this.schedule(), wait);
    else this.schedule();
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = 0;
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  }

  draw() {
    // Reads first (the layout is still clean at the start of a frame), then writes.
    const first = this.body.firstElementChild, last = this.body.lastElementChild;
    if (!this.rowHeight && first !== last) {   // rows' tops apart: borders collapse between them
      this.rowHeight = (last.getBoundingClientRect().top - first.getBoundingClientRect().top)
        / (this.body.rows.length - 1);
    }
    const height = this.rowHeight || 30;
    let top = this.headRow.getBoundingClientRect().bottom;   // row 0's top, in the viewport
    // Reading older rows (the newest are above the window): rows prepended since the last
    // draw scroll the window down with them, so the rows read stay where they are.
    const shift = top < 0 ? this.added * height : 0;
    top -= shift;
    this.added = 0;
    const start = Math.max(0, Math.floor(-top / height) - MARGIN_ROWS);
    const end = Math.min(this.rows.length, Math.ceil((innerHeight - top) / height) + MARGIN_ROWS);
    const wanted = this.rows.slice(start, Math.max(start, end));
    const ids = new Set(wanted.map((row) => row.request_id));
    // Rows that leave the window are refilled with the rows that enter it, in place where
    // they stand: a busy batch that replaces every row in view changes text only, with no
    // element added or removed (no new elements to style, no table rows to rebuild).
    const spare = new Set();
    for (const [id, tr] of this.built) if (!ids.has(id)) { spare.add(tr); this.built.delete(id); }
    // The rows kept in the DOM stay in order (the data only grows at the top and is cut at
    // the bottom), so a row already shown is never moved; a new one takes the place of a
    // spare one, or a spare one (or a new element) is inserted.
    let next = this.body.firstElementChild, made = 0;
    for (const row of wanted) {
      let tr = this.built.get(row.request_id);
      if (tr === next) { next = next.nextElementSibling; continue; }
      if (!tr) {
        made++;
        if (spare.has(next)) { tr = next; next = next.nextElementSibling; }
        else tr = spare.size ? spare.values().next().value : rowTemplate.cloneNode(true);
        spare.delete(tr);
        fillRow(tr, row);
      }
      this.built.set(row.request_id, tr);
      if (tr.nextElementSibling !== next || tr.parentNode !== this.body) this.body.insertBefore(tr, next);
    }
    for (const tr of spare) tr.remove();
    this.above.firstChild.style.height = `${start * height}px`;
    this.below.firstChild.style.height = `${(this.rows.length - start - wanted.length) * height}px`;
    if (shift) scrollBy(0, shift);
    const inView = Math.ceil(innerHeight / height);
    this.busyUntil = made >= Math.min(inView, wanted.length) && made > 1 ? performance.now() + BUSY_REDRAW_MS : 0;
    if (!this.rowHeight && wanted.length > 1) this.schedule();   // measure, then draw the window again
  }
}

function spacer() {
  return el("tr", { class: "spacer", "aria-hidden": "true" }, el("td", { colspan: 9 }));
}

async function invocationsPage() {
  const params = new URLSearchParams(location.search);
  const functions = await api("/api/functions");
  const filter = {
    function: el("select", { name: "function", "aria-label": "function" }, el("option", { value: "" }, "all functions"),
      functions.map((f) => el("option", { value: f.name, selected: params.get("function") === f.name }, f.name))),
    status: el("select", { name: "status", "aria-label": "status" }, ["", "ok", "error", "timeout"].map((s) =>
      el("option", { value: s, selected: params.get("status") === s }, s || "any status"))),
    trigger: el("input", { name: "trigger", placeholder: "trigger contains…", value: params.get("trigger") || "" }),
    q: el("input", { name: "q", placeholder: "text in event or logs…", value: params.get("q") || "" }),
  };
  const body = el("tbody", {});
  const head = el("thead", {}, el("tr", {}, ["Time", "Function", "Trigger", "Status", "Start",
    "Duration", "Billed", "Memory", "Request id"].map((h) => el("th", {}, h))));
  const foot = el("tfoot", {});
  const list = new InvocationList(head, body, foot);
  const matches = (row) => (!filter.function.value || row.function === filter.function.value)
    && (!filter.status.value || row.status === filter.status.value)
    && (!filter.trigger.value || row.trigger.toLowerCase().includes(filter.trigger.value.toLowerCase()));
  // The stream carries only the rows this list shows: those its filters match, and of a
  // batch no more than the list keeps (a busy gateway's thousands a second were bytes the
  // browser received and parsed only to drop them). A text filter is the server's: the list
  // is loaded again for it, and streamed nothing.
  let streamed = null;
  const streamQuery = () => {
    if (filter.q.value) return "?rows=0";
    const query = new URLSearchParams({ rows: KEPT_ROWS });
    for (const name of ["function", "status", "trigger"]) if (filter[name].value) query.set(name, filter[name].value);
    return `?${query}`;
  };
  let arrived = null;   // rows streamed while the list loads, oldest first
  const loadOnce = async () => {
    const query = new URLSearchParams();
    for (const [name, input] of Object.entries(filter)) if (input.value) query.set(name, input.value);
    history.replaceState(null, "", `?${query}`);
    // The stream first, so a row that ends while the list loads is in one or both (and
    // shown once): none falls between the list read and the stream's start.
    arrived = [];
    let rows = null;
    try {
      if (streamQuery() !== streamed) { streamed = streamQuery(); await connect(streamed); }
      rows = await api(`/api/invocations?${query}`);
    } finally {
      const during = arrived;
      arrived = null;
      if (rows) list.replace(rows);
      if (during.length) list.prepend(during);
    }
  };
  // One load at a time: filters changed quickly load in turn, each with its own rows arrived.
  let loading = Promise.resolve();
  const load = () => (loading = loading.then(loadOnce, loadOnce));
  listeners.invocations.push((rows) => {
    if (filter.q.value) return;   // a text filter needs the server: reload
    const shown = rows.filter(matches);
    if (!shown.length) return;
    if (arrived) arrived.push(...shown);
    else list.prepend(shown);
  });
  for (const input of Object.values(filter)) input.addEventListener("change", guarded(load));
  content.replaceChildren(el("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); load(); } },
    Object.values(filter), el("button", { type: "submit" }, "Filter")), el("table", { id: "timeline" }, head, body, foot));
  await load();
}

function pre(text, label) {
  return el("section", {}, el("h2", {}, label), el("pre", { class: label.toLowerCase().replace(/\W+/g, "-") }, text));
}

function pretty(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (_) { return text; }
}

async function invocationDetail(rid) {
  const record = await api(`/api/invocations/${encodeURIComponent(rid)}`);
  const event = el("textarea", { id: "event", rows: 14, spellcheck: "false" }, pretty(record.event.text));
  const replay = guarded(async () => {
    const result = await post(`/api/invocations/${encodeURIComponent(rid)}/replay`, { event: event.value });
    notice(`Replayed: ${result.status}`);
    content.prepend(el("p", { class: "replayed" }, "Replayed as ",
      el("a", { href: `/invocations/${result.request_id}` }, result.request_id), ` (${result.status})`));
  });
  const cut = (payload) => payload.is_truncated ? ` (cut: ${payload.size_bytes} bytes in all)` : "";
  content.replaceChildren(
    el("dl", { class: "summary" }, [["Function", record.function], ["Version", record.version],
      ["Trigger", record.trigger], ["Status", record.status + (record.error_type ? ` (${record.error_type})` : "")],
      ["Start", record.is_cold ? `cold (init ${record.init_duration_ms} ms)` : "warm"],
      ["Duration", ms(record.duration_ms)], ["Billed duration", ms(record.billed_duration_ms)],
      ["Memory", `${record.max_memory_used_mb} of ${record.memory_size_mb} MB`], ["Request id", record.request_id],
      ["Started", new Date(record.started_at_s * 1000).toISOString()]].map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
    el("section", {}, el("h2", {}, "Event" + cut(record.event)), event,
      el("button", { id: "replay", onclick: replay }, "Replay with this event")),
    pre(pretty(record.response.text), record.status === "ok" ? "Response" : "Error") ,
    pre(record.log_lines.join("\n"), "Logs"),
    el("section", {}, el("h2", {}, "Chain"), table(["Time", "Function", "Trigger", "Status", "Start", "Duration",
      "Billed", "Memory", "Request id"], record.chain.map(invocationRow))));
}

// --- Invoke ----------------------------------------------------------------------------------
async function invokePage() {
  const [functions, templates] = await Promise.all([api("/api/functions"), api("/api/event-templates")]);
  const fn = el("select", { name: "function", "aria-label": "function" }, functions.map((f) => el("option", { value: f.name }, f.name)));
  const sample = el("select", { name: "template", "aria-label": "sample event" }, el("option", { value: "" }, "{} (empty event)"),
    Object.keys(templates).map((name) => el("option", { value: name }, name)));
  const event = el("textarea", { id: "event", rows: 18, spellcheck: "false" }, "{}");
  sample.addEventListener("change", () => {
    event.value = sample.value ? JSON.stringify(templates[sample.value], null, 2) : "{}";
  });
  const output = el("div", { id: "result" });
  const invoke = guarded(async () => {
    const result = await post("/api/invoke", { function: fn.value, event: event.value });
    output.replaceChildren(el("p", {}, `${result.status}: `,
      el("a", { href: `/invocations/${result.request_id}` }, result.request_id)), el("pre", {}, pretty(result.response)));
  });
  content.replaceChildren(el("div", { class: "filters" }, fn, sample), event,
    el("button", { id: "invoke", onclick: invoke }, "Invoke"), output);
}

// --- Queues ----------------------------------------------------------------------------------
async function queuesPage() {
  const render = async () => {
    const queues = await api("/api/queues");
    const sections = [];
    for (const queue of queues) {
      const body = el("input", { name: "body", placeholder: "message body", "aria-label": `message for ${queue.name}` });
      const messages = el("div", { class: "messages" });
      const peek = guarded(async () => {
        const list = await api(`/api/queues/${encodeURIComponent(queue.name)}/messages`);
        messages.replaceChildren(list.length ? table(["Message id", "Receives", "Body"], list.map((m) =>
          el("tr", {}, el("td", {}, m.message_id), el("td", {}, m.receive_count), el("td", {}, el("pre", {}, m.body)))))
          : el("p", {}, "No visible messages."));
      });
      const action = (name, body) => guarded(async () => {
        const result = await post(`/api/queues/${encodeURIComponent(queue.name)}/${name}`, body && body());
        notice(name === "redrive" ? `Moved ${result.moved} message(s) to ${result.to}.`
          : name === "send" ? `Sent message ${result.message_id}.` : `Purged ${queue.name}.`);
        await render();
      });
      sections.push(el("section", { class: "queue", "data-queue": queue.name },
        el("h2", {}, queue.logical_id || queue.name, el("small", {}, ` ${queue.name}`)),
        el("p", {}, `${queue.visible} visible · ${queue.in_flight} in flight · ${queue.delayed} delayed`,
          queue.dead_letter_queue ? ` · dead letters go to ${queue.dead_letter_queue}` : "",
          queue.is_dead_letter_queue_of.length ? ` · dead-letter queue of ${queue.is_dead_letter_queue_of.join(", ")}` : ""),
        el("div", { class: "actions" }, body, el("button", { class: "send", onclick: action("send", () => ({ body: body.value })) }, "Send"),
          el("button", { class: "peek", onclick: peek,
            title: "Receives up to 10 messages with a 0 s visibility timeout: as the console's poll does, it counts as a receive (maxReceiveCount)" }, "Show messages"),
          queue.is_dead_letter_queue_of.length ? el("button", { class: "redrive", onclick: action("redrive") }, "Redrive to source") : null,
          el("button", { class: "purge danger", onclick: action("purge") }, "Purge")),
        messages));
    }
    content.replaceChildren(...(sections.length ? sections : [el("p", {}, "This app has no queues.")]));
    for (const section of content.querySelectorAll(".queue")) {
      if (section.querySelector(".redrive")) section.querySelector(".peek").click();
    }
  };
  await render();
}

// --- Buckets ---------------------------------------------------------------------------------
async function bucketsPage() {
  const buckets = await api("/api/buckets");
  const params = new URLSearchParams(location.search);
  const chooser = el("select", { name: "bucket", "aria-label": "bucket" }, buckets.map((b) =>
    el("option", { value: b.name, selected: params.get("bucket") === b.name }, b.logical_id ? `${b.logical_id} (${b.name})` : b.name)));
  const prefix = el("input", { name: "prefix", placeholder: "key prefix" });
  const file = el("input", { type: "file", name: "file", "aria-label": "file to upload" });
  const listing = el("div", { id: "objects" });
  const objectUrl = (key, download) => `/api/buckets/${encodeURIComponent(chooser.value)}/object?key=${encodeURIComponent(key)}${download ? "&download=1" : ""}`;
  const list = async () => {
    if (!chooser.value) { listing.replaceChildren(el("p", {}, "This app has no buckets.")); return; }
    const objects = await api(`/api/buckets/${encodeURIComponent(chooser.value)}/objects?prefix=${encodeURIComponent(prefix.value)}`);
    listing.replaceChildren(objects.length ? table(["Key", "Size", "Last modified", ""], objects.map((o) =>
      el("tr", { "data-key": o.key }, el("td", {}, el("a", { href: objectUrl(o.key), target: "_blank" }, o.key)),
        el("td", {}, `${o.size_bytes} B`), el("td", {}, o.last_modified),
        el("td", {}, el("a", { href: objectUrl(o.key, true) }, "download"), " ",
          el("button", { class: "delete danger", onclick: guarded(async () => {
            await api(objectUrl(o.key), { method: "DELETE" }); await list(); }) }, "Delete")))))
      : el("p", {}, "No objects."));
  };
  const upload = guarded(async () => {
    if (!file.files.length) throw new Error("choose a file to upload");
    const chosen = file.files[0];
    const key = prefix.value + chosen.name;
    await api(objectUrl(key), { method: "PUT", body: chosen, headers: { "Content-Type": chosen.type || "application/octet-stream" } });
    notice(`Uploaded ${key}`);
    await list();
  });
  chooser.addEventListener("change", guarded(list));
  prefix.addEventListener("change", guarded(list));
  content.replaceChildren(el("div", { class: "filters" }, chooser, prefix, file,
    el("button", { id: "upload", onclick: upload }, "Upload")), listing);
  await list();
}

// --- Schedules -------------------------------------------------------------------------------
async function schedulesPage() {
  const render = async () => {
    const rows = (await api("/api/schedules")).map((s) => el("tr", { "data-schedule": s.name },
      el("td", {}, s.name), el("td", {}, s.expression), el("td", {}, s.functions.join(", ")),
      el("td", {}, s.is_enabled ? (s.next_fire || "–") : "disabled"),
      el("td", {}, s.last ? el("a", { href: `/invocations/${s.last.request_id}` }, `${s.last.status} at ${time(s.last.started_at_s)}`) : "–"),
      el("td", {}, el("button", { class: "fire", onclick: guarded(async () => {
        const result = await post(`/api/schedules/${encodeURIComponent(s.name)}/fire`);
        notice(`Fired ${s.name}: ${result.request_id}`);
      }) }, "Fire now"))));
    content.replaceChildren(rows.length ? table(["Schedule", "Expression", "Functions", "Next fire", "Last result", ""], rows)
      : el("p", {}, "This app has no schedules."));
  };
  await render();
  wanted = "?trigger=schedule";   // only the schedules' invocations (and what merely names one)
  listeners.invocations.push((rows) => { if (rows.some((row) => row.trigger.startsWith("schedule"))) render(); });
}

// --- Reloads ---------------------------------------------------------------------------------
async function reloadsPage() {
  const list = el("ol", { id: "reloads", reversed: true });
  const item = (r) => el("li", {}, el("time", {}, r.at_s ? time(r.at_s) : "now"), el("pre", {}, r.line));
  list.replaceChildren(...(await api("/api/reloads")).map(item));
  content.replaceChildren(list, el("p", { class: "hint" }, "Save a function's code or the template and its reload appears here."));
  listeners.reloads.push((batch) => { for (const r of batch) list.prepend(item(r)); });
}

const pages = { app: appPage, functions: functionsPage, invocations: invocationsPage, invoke: invokePage,
                queues: queuesPage, buckets: bucketsPage, schedules: schedulesPage, reloads: reloadsPage };

(async () => {
  try {
    if (page === "invocations" && arg) await invocationDetail(arg);
    else await pages[page]();
  } catch (error) {
    notice(String(error.message || error), true);
  }
  // Pages that show no invocation get none.
  if (!source) await connect(wanted ?? (listeners.invocations.length ? "" : "?rows=0"));
  document.body.dataset.ready = "true";
})();
