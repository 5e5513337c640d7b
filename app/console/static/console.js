// privsim console: plain JavaScript, no framework, no build step.
//
// Security rules this file keeps:
// - the API key lives in `state.key` (and, only if the user asks, in this tab's
//   sessionStorage); it is sent only in the Authorization header, never in a URL,
//   a cookie or localStorage;
// - text from the server is written with textContent (or as SVG attribute values),
//   never parsed as HTML; the page's CSP forbids inline code and HTML sinks anyway.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const SESSION_KEY = "privsim.console.key";
const POLL_MS = 300;

const state = {
  key: null,
  role: null,         // admin, owner or analyst: GET /v1/keys/me
  keyName: null,
  datasets: [],
  dataset: null,      // the dataset shown
  structure: null,    // the structure plotted
  kernels: null,      // GET /v1/kernels, loaded once
  generation: 0,      // bumped at sign-out: stale replies and polls are dropped
};

// ---------------------------------------------------------------------------- helpers

const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

function fmt(value) {
  if (value === null || value === undefined) return "\u2014";
  if (typeof value !== "number") return String(value);
  if (value === 0) return "0";
  return String(Number(value.toPrecision(4)));
}

function shortId(id) {
  return id ? String(id).slice(0, 8) : "\u2014";
}

function when(iso) {
  return iso ? String(iso).replace("T", " ").replace(/\.\d+/, "").replace("Z", " UTC") : "";
}

function showError(node, message) {
  node.textContent = message || "";
  node.hidden = !message;
}

function row(cells) {
  const tr = el("tr");
  for (const cell of cells) {
    const td = el("td");
    if (cell instanceof Node) td.appendChild(cell);
    else td.textContent = cell === undefined || cell === null ? "" : String(cell);
    tr.appendChild(td);
  }
  return tr;
}

// -------------------------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, problem) {
    const title = problem && problem.title ? problem.title : `HTTP ${status}`;
    const detail = problem && problem.detail ? `: ${problem.detail}` : "";
    super(`${title}${detail}`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(method, path, body, extraHeaders) {
  if (!state.key) throw new ApiError(401, { title: "Not signed in" });
  const generation = state.generation;
  const headers = { Authorization: `Bearer ${state.key}`, Accept: "application/json" };
  const init = {
    method, headers, credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer",
    redirect: "error",
  };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  Object.assign(headers, extraHeaders || {});
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (generation !== state.generation) throw new ApiError(0, { title: "Signed out" });
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    error.retryAfter = Number(response.headers.get("Retry-After")) || 1;
    throw error;
  }
  return data;
}

async function listAll(path, field) {
  const items = [];
  let after = null;
  for (let page = 0; page < 100; page += 1) {
    const query = after === null ? "" : `?after=${encodeURIComponent(after)}`;
    const data = await api("GET", path + query);
    items.push(...data[field]);
    if (data.next_after === null || data.next_after === undefined) break;
    after = data.next_after;
  }
  return items;
}

const datasetPath = (id) => `/v1/datasets/${encodeURIComponent(id)}`;
const structurePath = (id) => `/v1/structures/${encodeURIComponent(id)}`;

// ---------------------------------------------------------------------------- sign in

async function signIn(key, remember) {
  showError($("sign-in-error"), "");
  state.generation += 1;
  state.key = key;
  let datasets;
  try {
    datasets = await listAll("/v1/datasets", "datasets");
  } catch (error) {
    state.key = null;
    sessionStorage.removeItem(SESSION_KEY);
    const message = error.status === 401
      ? "This key was not accepted (unknown or revoked)."
      : `Could not sign in. ${error.message}`;
    showError($("sign-in-error"), message);
    return;
  }
  // the key's own role: admin, owner or analyst (GET /v1/keys/me, any key)
  let me;
  try {
    me = await api("GET", "/v1/keys/me");
  } catch (error) {
    state.key = null;
    showError($("sign-in-error"), `Could not sign in. ${error.message}`);
    return;
  }
  state.role = me.role;
  state.keyName = me.name;
  if (remember) sessionStorage.setItem(SESSION_KEY, key);
  $("key").value = "";
  state.datasets = datasets;
  $("sign-in").hidden = true;
  $("who").hidden = false;
  $("who-text").textContent = roleText(datasets);
  renderDatasets();
}

function roleText(datasets) {
  const managed = datasets.filter((d) => d.row_count !== null).length;
  const read = datasets.length - managed;
  const who = `Signed in as "${state.keyName}"`;
  if (state.role === "admin") return `${who}, an admin: all ${datasets.length} dataset(s)`;
  if (state.role === "owner") {
    return `${who}, an owner: manages ${managed} dataset(s), reads ${read} granted`;
  }
  return `${who}, an analyst: read and query access to ${read} granted dataset(s)`;
}

function signOut() {
  state.generation += 1;
  state.key = null;
  state.role = null;
  state.keyName = null;
  state.datasets = [];
  state.dataset = null;
  state.structure = null;
  sessionStorage.removeItem(SESSION_KEY);
  for (const id of ["datasets", "dataset", "who"]) $(id).hidden = true;
  $("sign-in").hidden = false;
  $("key").focus();
}

// --------------------------------------------------------------------------- datasets

function domainText(domain) {
  if (domain.type === "l2_ball") return `l2 ball, radius ${fmt(domain.radius)}`;
  if (domain.type === "box") {
    const lows = new Set(domain.low), highs = new Set(domain.high);
    if (lows.size === 1 && highs.size === 1) {
      return `box [${fmt(domain.low[0])}, ${fmt(domain.high[0])}]`;
    }
    return "box (per-coordinate bounds)";
  }
  return String(domain.type);
}

function budgetBar(symbol, amounts) {
  const total = Number(amounts.total), spent = Number(amounts.spent);
  const remaining = Number(amounts.remaining);
  const block = el("div", undefined, "budget");
  block.dataset.symbol = symbol;
  block.dataset.total = String(total);
  block.dataset.spent = String(spent);
  block.dataset.remaining = String(remaining);
  if (!(total > 0)) {
    block.appendChild(el("span", `${symbol}: none (total 0)`, "budget-text"));
    return block;
  }
  const share = Math.min(1, Math.max(0, spent / total));
  const bar = svg("svg", {
    viewBox: "0 0 200 12", preserveAspectRatio: "none", class: "budget-bar", role: "img",
    "aria-label": `${symbol} spent ${fmt(spent)} of ${fmt(total)}`,
  });
  bar.appendChild(svg("rect", { x: 0, y: 0, width: 200, height: 12, class: "remaining" }));
  bar.appendChild(svg("rect", { x: 0, y: 0, width: 200 * share, height: 12, class: "spent" }));
  block.appendChild(bar);
  block.appendChild(el("span",
    `${symbol}: spent ${fmt(spent)} of ${fmt(total)}, remaining ${fmt(remaining)}`,
    "budget-text"));
  return block;
}

function budgetBlock(budget) {
  const block = el("div");
  block.appendChild(budgetBar("\u03b5", budget.epsilon));
  block.appendChild(budgetBar("\u03b4", budget.delta));
  if (budget.accounting) block.appendChild(el("span", `accounting: ${budget.accounting}`, "note"));
  return block;
}

function renderDatasets() {
  const body = $("datasets-table").tBodies[0];
  clear(body);
  $("datasets-empty").hidden = state.datasets.length > 0;
  for (const dataset of state.datasets) {
    const open = el("button", "Open");
    open.type = "button";
    open.addEventListener("click", guard(() => openDataset(dataset.id)));
    const tr = row([dataset.name, dataset.dim, domainText(dataset.domain),
                    dataset.row_count === null ? "hidden" : dataset.row_count,
                    budgetBlock(dataset.budget), open]);
    tr.dataset.datasetId = dataset.id;
    body.appendChild(tr);
  }
  $("datasets").hidden = false;
}

function manages(dataset) {
  return dataset.row_count !== null;  // the row count is shown to the owner and admins only
}

async function openDataset(id) {
  const dataset = await api("GET", datasetPath(id));
  state.dataset = dataset;
  state.structure = null;
  $("dataset-name").textContent = dataset.name;
  $("plot").hidden = true;
  $("job").hidden = true;
  showError($("build-error"), "");
  renderDatasetBudget(dataset);
  $("dataset").hidden = false;
  const managed = manages(dataset);
  $("build-form").hidden = !managed;
  $("build-denied").hidden = managed;
  $("ledger-denied").hidden = managed;
  $("ledger-table").hidden = !managed;
  $("audit-table").hidden = !managed;
  $("audit-heading").hidden = !managed;
  const work = [loadStructures()];
  if (managed) work.push(loadKernels(), loadRecords());
  await Promise.all(work);
}

function renderDatasetBudget(dataset) {
  const holder = $("dataset-budget");
  clear(holder);
  holder.appendChild(budgetBlock(dataset.budget));
  const index = state.datasets.findIndex((d) => d.id === dataset.id);
  if (index >= 0) {
    state.datasets[index] = dataset;
    renderDatasets();
  }
}

// ------------------------------------------------------------------------- structures

function errorModelText(model) {
  if (!model) return "\u2014";
  return `noise std (sum) ${fmt(model.noise_std_sum)}; count noise std ` +
    `${fmt(model.count_noise_std)}; approximation std (mean) ${fmt(model.approximation_std_mean)}`;
}

async function loadStructures() {
  const dataset = state.dataset;
  const all = await listAll("/v1/structures", "structures");
  const mine = all.filter((s) => s.dataset_id === dataset.id);
  const body = $("structures-table").tBodies[0];
  clear(body);
  $("structures-empty").hidden = mine.length > 0;
  for (const structure of mine) {
    let action = "";
    if (structure.status === "ready") {
      action = el("button", "Plot");
      action.type = "button";
      action.addEventListener("click", guard(() => selectStructure(structure.id)));
    }
    const tr = row([structure.kind, structure.status, fmt(structure.privacy.epsilon),
                    fmt(structure.privacy.delta), errorModelText(structure.error_model),
                    when(structure.created_at), action]);
    tr.dataset.structureId = structure.id;
    tr.dataset.status = structure.status;
    body.appendChild(tr);
  }
  return mine;
}

async function selectStructure(id) {
  const structure = await api("GET", structurePath(id));  // its error model, fresh
  state.structure = structure;
  $("plot-structure").textContent =
    `${structure.kind} ${shortId(structure.id)} \u2014 ${errorModelText(structure.error_model)}`;
  const [a, b] = defaultEnds(state.dataset);
  $("plot-a").value = a.join(", ");
  $("plot-b").value = b.join(", ");
  $("slice-through").value = a.map((ai, j) => (ai + b[j]) / 2).join(", ");
  $("slice-y").value = state.dataset.dim > 1 ? "2" : "1";
  for (const id of ["plot-error", "slice-error"]) showError($(id), "");
  for (const id of ["plot-area", "slice-area"]) clear($(id));
  clear($("plot-table").tBodies[0]);
  $("plot-caption").textContent = "";
  $("slice-caption").textContent = "";
  for (const tr of $("structures-table").tBodies[0].rows) {
    tr.classList.toggle("selected", tr.dataset.structureId === structure.id);
  }
  $("plot").hidden = false;
}

// Two points on the domain's edge, through its centre: a diameter of the ball along the
// first axis, or the box's lowest and highest corners.
function defaultEnds(dataset) {
  const dim = dataset.dim, domain = dataset.domain;
  if (domain.type === "l2_ball") {
    const a = new Array(dim).fill(0), b = new Array(dim).fill(0);
    a[0] = -domain.radius;
    b[0] = domain.radius;
    return [a, b];
  }
  return [domain.low.slice(), domain.high.slice()];
}

// ------------------------------------------------------------------------------ build

async function loadKernels() {
  if (!state.kernels) state.kernels = (await api("GET", "/v1/kernels")).kernels;
  const select = $("build-kind");
  if (select.options.length === 0) {
    for (const kernel of state.kernels) {
      const option = el("option", `${kernel.kind} \u2014 ${kernel.title}`);
      option.value = kernel.kind;
      select.appendChild(option);
    }
  }
  kindChanged();
}

function kindChanged() {
  const kernel = (state.kernels || []).find((k) => k.kind === $("build-kind").value);
  if (!kernel) return;
  $("build-params").value = JSON.stringify(kernel.example_params || {});
  $("build-kind-about").textContent =
    `f(x, y) = ${kernel.formula}; mechanisms: ${kernel.mechanisms.join(", ")}`;
}

function readNumber(id, name) {
  const text = $(id).value.trim();
  const value = Number(text);
  if (text === "" || !Number.isFinite(value)) throw new Error(`${name} must be a number`);
  return value;
}

async function startBuild() {
  const errorNode = $("build-error");
  showError(errorNode, "");
  let body;
  try {
    let params;
    try {
      params = JSON.parse($("build-params").value || "{}");
    } catch {
      throw new Error("the parameters are not valid JSON");
    }
    const privacy = { epsilon: readNumber("build-epsilon", "epsilon") };
    const delta = readNumber("build-delta", "delta");
    if (delta > 0) privacy.delta = delta;
    body = { kind: $("build-kind").value, params, privacy };
  } catch (error) {
    showError(errorNode, `Check the form: ${error.message}`);
    return;
  }
  const dataset = state.dataset;
  const button = $("build-button");
  button.disabled = true;
  try {
    const accepted = await api("POST", `${datasetPath(dataset.id)}/structures`, body,
                               { "Idempotency-Key": crypto.randomUUID() });
    const warnings = $("build-warnings");
    clear(warnings);
    for (const warning of accepted.warnings || []) warnings.appendChild(el("li", warning));
    await Promise.all([refreshDataset(), loadRecords(), loadStructures()]);
    const job = await followJob(accepted.job_id);
    await Promise.all([refreshDataset(), loadRecords(), loadStructures()]);
    if (job.status === "succeeded") await selectStructure(accepted.structure_id);
    else showError(errorNode, `The build failed: ${job.error || "no reason given"}`);
  } catch (error) {
    showError(errorNode, `The build was not started. ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

function showJob(job) {
  $("job").hidden = false;
  $("job").dataset.status = job.status;
  $("job-label").textContent = `Job ${shortId(job.id)}`;
  $("job-status").textContent = job.status;
  const progress = job.status === "succeeded" ? 1 : Number(job.progress || 0);
  $("job-progress").value = progress;
  $("job-percent").textContent = `${Math.round(progress * 100)}%`;
}

async function followJob(jobId) {
  const generation = state.generation;
  showJob({ id: jobId, status: "queued", progress: 0 });
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  for (;;) {
    let job;
    try {
      job = await api("GET", `/v1/jobs/${encodeURIComponent(jobId)}`);
    } catch (error) {
      // over a rate limit: wait as told, then go on following the job
      if (!(error instanceof ApiError && error.status === 429)) throw error;
      $("job-status").textContent = "waiting (rate limited)";
      await sleep(Math.min(60, error.retryAfter) * 1000);
      continue;
    }
    if (generation !== state.generation) throw new Error("signed out");
    showJob(job);
    if (job.status === "succeeded" || job.status === "failed") return job;
    await sleep(POLL_MS);
  }
}

async function refreshDataset() {
  const dataset = await api("GET", datasetPath(state.dataset.id));
  state.dataset = dataset;
  renderDatasetBudget(dataset);
}

// ---------------------------------------------------------------- ledger and audit log

async function loadRecords() {
  if (!manages(state.dataset)) return;
  const path = datasetPath(state.dataset.id);
  const [ledger, audit] = await Promise.all([
    listAll(`${path}/ledger`, "entries"), listAll(`${path}/audit`, "events")]);
  const ledgerBody = $("ledger-table").tBodies[0];
  clear(ledgerBody);
  for (const entry of ledger) {
    const mechanism = entry.mechanism || {};
    const tr = row([entry.id, entry.entry, shortId(entry.structure_id), fmt(entry.epsilon),
                    fmt(entry.delta),
                    [mechanism.structure_kind, mechanism.mechanism].filter(Boolean).join(", "),
                    when(entry.created_at)]);
    tr.dataset.entry = entry.entry;
    tr.dataset.epsilon = String(entry.epsilon);
    ledgerBody.appendChild(tr);
  }
  const auditBody = $("audit-table").tBodies[0];
  clear(auditBody);
  for (const event of audit) {
    const tr = row([event.id, event.action, shortId(event.key_id),
                    JSON.stringify(event.details || {}), when(event.created_at)]);
    tr.cells[3].className = "wrap";
    tr.dataset.action = event.action;
    auditBody.appendChild(tr);
  }
}

// ------------------------------------------------------------------------------- plot

function parsePoint(text, dim, name) {
  const parts = text.split(/[\s,]+/).filter((p) => p !== "");
  const values = parts.map(Number);
  if (values.length !== dim || values.some((v) => !Number.isFinite(v))) {
    throw new Error(`${name} needs ${dim} numbers, separated by commas`);
  }
  return values;
}

function linePoints(a, b, count) {
  const points = [];
  for (let i = 0; i < count; i += 1) {
    const t = i / (count - 1);
    points.push(a.map((ai, j) => ai + t * (b[j] - ai)));
  }
  return points;
}

async function plotLine() {
  const errorNode = $("plot-error");
  showError(errorNode, "");
  const dim = state.dataset.dim;
  let a, b, count;
  try {
    a = parsePoint($("plot-a").value, dim, "point A");
    b = parsePoint($("plot-b").value, dim, "point B");
    count = Math.round(readNumber("plot-n", "the number of points"));
    if (count < 2 || count > 1000) throw new Error("the number of points must be 2 to 1000");
  } catch (error) {
    showError(errorNode, error.message);
    return;
  }
  const reduce = $("plot-reduce").value;
  const points = linePoints(a, b, count);
  let answer;
  try {
    answer = await api("POST", `${structurePath(state.structure.id)}/query`,
                       { points, reduce });
  } catch (error) {
    showError(errorNode, `The query failed. ${error.message}`);
    return;
  }
  const length = Math.hypot(...b.map((bj, j) => bj - a[j]));
  const xs = points.map((_, i) => (length * i) / (count - 1));
  drawPlot(xs, answer, reduce, length);
  fillValues(xs, answer);
}

// "Nice" tick values (1, 2 or 5 times a power of ten) covering [low, high].
function ticks(low, high, target) {
  const span = high - low;
  if (!(span > 0)) return [low];
  const raw = span / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return out;
}

function drawPlot(xs, answer, reduce, length) {
  const values = answer.values;
  // the error band: two standard deviations of the privacy noise and the approximation
  // error together, taken as independent: sigma = sqrt(std^2 + approximation_std^2)
  const sigma = values.map((_, i) => Math.hypot(answer.std[i], answer.approximation_std[i]));
  const upper = values.map((v, i) => v + 2 * sigma[i]);
  const lower = values.map((v, i) => v - 2 * sigma[i]);
  let yLow = Math.min(...lower), yHigh = Math.max(...upper);
  if (!(yHigh > yLow)) { yLow -= 1; yHigh += 1; }
  const pad = (yHigh - yLow) * 0.05;
  yLow -= pad; yHigh += pad;
  const xHigh = length > 0 ? length : 1;

  const width = 760, height = 380;
  const margin = { left: 78, right: 20, top: 16, bottom: 56 };
  const plotW = width - margin.left - margin.right, plotH = height - margin.top - margin.bottom;
  const sx = (x) => margin.left + (x / xHigh) * plotW;
  const sy = (y) => margin.top + (1 - (y - yLow) / (yHigh - yLow)) * plotH;
  const xy = (x, y) => `${sx(x).toFixed(2)},${sy(y).toFixed(2)}`;

  const chart = svg("svg", {
    id: "plot-svg", viewBox: `0 0 ${width} ${height}`, class: "plot", role: "img",
    "aria-label": `${reduce} answers along the line, with a band of two standard deviations`,
  });
  chart.dataset.points = String(values.length);
  chart.dataset.yLow = String(yLow);
  chart.dataset.yHigh = String(yHigh);

  const grid = svg("g", { class: "grid-lines" });
  for (const y of ticks(yLow, yHigh, 6)) {
    grid.appendChild(svg("line", { x1: margin.left, x2: width - margin.right, y1: sy(y), y2: sy(y) }));
  }
  chart.appendChild(grid);

  const band = [...xs.map((x, i) => xy(x, upper[i])),
                ...xs.map((x, i) => xy(x, lower[i])).reverse()].join(" ");
  chart.appendChild(svg("polygon", { id: "plot-band", class: "band", points: band }));
  chart.appendChild(svg("polyline", {
    id: "plot-line", class: "line", points: xs.map((x, i) => xy(x, values[i])).join(" "),
  }));

  const axes = svg("g", { class: "axes" });
  axes.appendChild(svg("line", { x1: margin.left, x2: margin.left, y1: margin.top,
                                 y2: height - margin.bottom }));
  axes.appendChild(svg("line", { x1: margin.left, x2: width - margin.right,
                                 y1: height - margin.bottom, y2: height - margin.bottom }));
  for (const y of ticks(yLow, yHigh, 6)) {
    axes.appendChild(svg("line", { x1: margin.left - 5, x2: margin.left, y1: sy(y), y2: sy(y) }));
    axes.appendChild(svg("text", { x: margin.left - 8, y: sy(y) + 4, class: "tick y" }, fmt(y)));
  }
  for (const x of ticks(0, xHigh, 8)) {
    const px = sx(x), base = height - margin.bottom;
    axes.appendChild(svg("line", { x1: px, x2: px, y1: base, y2: base + 5 }));
    axes.appendChild(svg("text", { x: px, y: base + 18, class: "tick x" }, fmt(x)));
  }
  axes.appendChild(svg("text", { x: margin.left + plotW / 2, y: height - 14, class: "label" },
                       "distance from A along the line to B"));
  axes.appendChild(svg("text", {
    x: 16, y: margin.top + plotH / 2, class: "label",
    transform: `rotate(-90 16 ${margin.top + plotH / 2})`,
  }, `${reduce} answer`));
  chart.appendChild(axes);

  const area = $("plot-area");
  clear(area);
  area.appendChild(chart);
  $("plot-caption").textContent =
    `The line is the structure's ${reduce} answer at ${values.length} points from A to B. ` +
    "The band is \u00b12\u03c3 with \u03c3 = \u221a(std\u00b2 + approximation_std\u00b2): " +
    "the privacy noise and the approximation error of each answer, combined as " +
    "independent errors.";
}

function fillValues(xs, answer) {
  const body = $("plot-table").tBodies[0];
  clear(body);
  xs.forEach((x, i) => {
    const tr = el("tr");
    const cells = [x, answer.values[i], answer.std[i], answer.approximation_std[i]];
    cells.forEach((value, column) => {
      const td = el("td", fmt(value));
      td.dataset.value = String(value);
      if (column === 1) td.className = "value";
      tr.appendChild(td);
    });
    body.appendChild(tr);
  });
}

// -------------------------------------------------------------------------- 2-D slice

// The range of coordinate `axis` over the domain: the ball's [-r, r], or the box's bounds.
function axisRange(domain, axis) {
  if (domain.type === "l2_ball") return [-domain.radius, domain.radius];
  return [domain.low[axis], domain.high[axis]];
}

function gridValues([low, high], count) {
  const out = [];
  for (let k = 0; k < count; k += 1) out.push(low + (k / (count - 1)) * (high - low));
  return out;
}

async function plotSlice() {
  const errorNode = $("slice-error");
  showError(errorNode, "");
  const dataset = state.dataset, dim = dataset.dim;
  let ix, iy, through, count;
  try {
    if (dim < 2) throw new Error("a slice needs a dataset of two or more dimensions");
    ix = Math.round(readNumber("slice-x", "the horizontal axis")) - 1;
    iy = Math.round(readNumber("slice-y", "the vertical axis")) - 1;
    if (ix < 0 || ix >= dim || iy < 0 || iy >= dim || ix === iy) {
      throw new Error(`the axes must be two different numbers from 1 to ${dim}`);
    }
    through = parsePoint($("slice-through").value, dim, "the point");
    count = Math.round(readNumber("slice-n", "the grid size"));
    if (count < 2 || count > 100) throw new Error("the grid size must be 2 to 100");
  } catch (error) {
    showError(errorNode, error.message);
    return;
  }
  const reduce = $("plot-reduce").value;
  const xs = gridValues(axisRange(dataset.domain, ix), count);
  const ys = gridValues(axisRange(dataset.domain, iy), count);
  const points = [];
  for (const y of ys) {
    for (const x of xs) {
      const point = through.slice();
      point[ix] = x;
      point[iy] = y;
      points.push(point);
    }
  }
  let answer;
  try {
    answer = await api("POST", `${structurePath(state.structure.id)}/query`,
                       { points, reduce });
  } catch (error) {
    showError(errorNode, `The query failed. ${error.message}`);
    return;
  }
  const band = answer.values.map(
    (_, i) => 2 * Math.hypot(answer.std[i], answer.approximation_std[i]));
  const chart = svg("svg", {
    id: "slice-svg", viewBox: "0 0 760 400", class: "slice", role: "img",
    "aria-label": `${reduce} answers on the slice, and the half-width of their error band`,
  });
  chart.dataset.grid = String(count);
  drawHeatmap(chart, 60, `${reduce} answer`, "value", xs, ys, answer.values, ix, iy);
  drawHeatmap(chart, 440, "\u00b12\u03c3 (half-width of the band)", "band", xs, ys, band, ix, iy,
              true);
  const area = $("slice-area");
  clear(area);
  area.appendChild(chart);
  $("slice-caption").textContent =
    `Left: the structure's ${reduce} answer on a ${count} \u00d7 ${count} grid over ` +
    `coordinates ${ix + 1} and ${iy + 1}, the others fixed at the given point. Right: ` +
    "2\u03c3 with \u03c3 = \u221a(std\u00b2 + approximation_std\u00b2), the error band's " +
    "half-width at each grid point.";
}

// A colour ramp from dark blue through teal to yellow, t in [0, 1].
const RAMP = [[37, 52, 148], [44, 127, 184], [65, 182, 196], [161, 218, 180], [255, 255, 204]];

function colour(t) {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const k = Math.min(RAMP.length - 2, Math.floor(x)), f = x - k;
  const c = RAMP[k].map((v, i) => Math.round(v + f * (RAMP[k + 1][i] - v)));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

// `fromZero`: the colour scale starts at 0 (for the band's half-width, which is never
// negative and often nearly constant: a scale from its own minimum would exaggerate
// differences of a fraction of a percent).
function drawHeatmap(chart, left, title, name, xs, ys, values, ix, iy, fromZero) {
  const size = 280, top = 30, count = xs.length, cell = size / count;
  const low = fromZero ? 0 : Math.min(...values), high = Math.max(...values);
  const span = high > low ? high - low : 1;
  const group = svg("g", { class: `heatmap ${name}` });
  group.appendChild(svg("text", { x: left + size / 2, y: 18, class: "title" }, title));
  values.forEach((value, i) => {
    const col = i % count, rowIndex = Math.floor(i / count);  // row 0: the lowest y
    const rect = svg("rect", {
      x: (left + col * cell).toFixed(2), y: (top + size - (rowIndex + 1) * cell).toFixed(2),
      width: (cell + 0.4).toFixed(2), height: (cell + 0.4).toFixed(2), class: "cell",
      fill: colour((value - low) / span),
    });
    rect.dataset.value = String(value);
    group.appendChild(rect);
  });
  group.appendChild(svg("rect", { x: left, y: top, width: size, height: size, class: "frame" }));
  const base = top + size;
  group.appendChild(svg("text", { x: left, y: base + 16, class: "tick x" }, fmt(xs[0])));
  group.appendChild(svg("text", { x: left + size, y: base + 16, class: "tick x" },
                        fmt(xs[count - 1])));
  group.appendChild(svg("text", { x: left + size / 2, y: base + 16, class: "label" },
                        `coordinate ${ix + 1}`));
  group.appendChild(svg("text", { x: left - 6, y: base, class: "tick y" }, fmt(ys[0])));
  group.appendChild(svg("text", { x: left - 6, y: top + 10, class: "tick y" },
                        fmt(ys[count - 1])));
  group.appendChild(svg("text", {
    x: left - 14, y: top + size / 2, class: "label",
    transform: `rotate(-90 ${left - 14} ${top + size / 2})`,
  }, `coordinate ${iy + 1}`));
  // the colour scale, from the lowest to the highest value shown
  const scaleTop = base + 30, steps = 40;
  for (let k = 0; k < steps; k += 1) {
    group.appendChild(svg("rect", {
      x: (left + (k * size) / steps).toFixed(2), y: scaleTop, width: (size / steps + 0.4).toFixed(2),
      height: 12, class: "cell", fill: colour(k / (steps - 1)),
    }));
  }
  group.appendChild(svg("text", { x: left, y: scaleTop + 28, class: "tick x" }, fmt(low)));
  group.appendChild(svg("text", { x: left + size, y: scaleTop + 28, class: "tick x" }, fmt(high)));
  chart.appendChild(group);
}

// ------------------------------------------------------------------------------ wiring

function guard(action) {
  return (event) => {
    if (event) event.preventDefault();
    showError($("error"), "");
    action().catch((error) => {
      if (error instanceof ApiError && error.status === 0) return;  // signed out meanwhile
      if (error instanceof ApiError && error.status === 401) {
        signOut();
        showError($("sign-in-error"), "The key is no longer accepted; sign in again.");
        return;
      }
      showError($("error"), error.message);
    });
  };
}

function init() {
  $("sign-in-form").addEventListener("submit", guard(
    () => signIn($("key").value.trim(), $("remember").checked)));
  $("sign-out").addEventListener("click", signOut);
  $("build-kind").addEventListener("change", kindChanged);
  $("build-form").addEventListener("submit", guard(startBuild));
  $("plot-form").addEventListener("submit", guard(plotLine));
  $("slice-form").addEventListener("submit", guard(plotSlice));
  const saved = sessionStorage.getItem(SESSION_KEY);
  if (saved) guard(() => signIn(saved, true))();
}

document.addEventListener("DOMContentLoaded", init);
