// The playground page (book/playground.md): the form, the URL state, the output, typesetting.
// Python runs in worker.mjs; this file never blocks on it. Test hooks on #mdp:
// data-ready="true" once Python is loaded, data-state ("loading", "busy", "done", "error",
// "unavailable"), data-results (how many derivations have arrived) and data-checks (how many
// checks); #mdp-check has data-verdict ("right", "wrong" or "error").

const root = document.getElementById("mdp");
const $ = (id) => document.getElementById(id);
const FIELDS = ["expr", "shapes", "wrt", "wrt2", "layout", "claim"];
const DEFAULTS = {
  expr: "sum((X @ W - Y)**2)",
  shapes: "X=B,N; W=N,M; Y=B,M",
  wrt: "W",
  wrt2: "",
  layout: "tensor",
  claim: "",
};

function setStatus(text, state) {
  $("mdp-status").textContent = text;
  root.dataset.state = state;
}

function readForm() {
  return Object.fromEntries(FIELDS.map((f) => [f, $(`mdp-${f}`).value.trim()]));
}

function fillForm(params) {
  for (const f of FIELDS) {
    const value = params.get(f);
    $(`mdp-${f}`).value = value !== null ? value : DEFAULTS[f];
  }
}

function stateURL(request) {
  const params = new URLSearchParams();
  for (const f of FIELDS) if (request[f]) params.set(f, request[f]);
  const url = new URL(window.location.href);
  url.search = params.toString();
  url.hash = "";
  return url;
}

async function typeset(elements) {
  if (!window.MathJax || !MathJax.typesetPromise) return; // the text stays readable as TeX
  await MathJax.startup.promise;
  MathJax.typesetClear(elements);
  await MathJax.typesetPromise(elements);
}

function mathBlock(latex) {
  const div = document.createElement("div");
  div.className = "math notranslate nohighlight";
  div.textContent = `\\[${latex}\\]`; // text, never HTML: the reader's input is not markup
  return div;
}

function columnMarker(message, expr) {
  const m = /at column (\d+)/.exec(message);
  if (!m) return "";
  const col = Number(m[1]);
  if (col < 1 || col > expr.length + 1) return "";
  return `${expr}\n${" ".repeat(col - 1)}^`;
}

async function show(result, request) {
  const out = $("mdp-output");
  out.hidden = false;
  if (!result.ok) {
    $("mdp-result").hidden = true;
    $("mdp-error").hidden = false;
    $("mdp-error-type").textContent = result.error;
    $("mdp-error-message").textContent = result.message;
    const marker = columnMarker(result.message, request.expr);
    $("mdp-error-marker").textContent = marker;
    $("mdp-error-marker").hidden = !marker;
    return;
  }
  $("mdp-error").hidden = true;
  $("mdp-result").hidden = false;
  const math = [];
  const put = (id, latex) => {
    const el = $(id);
    el.replaceChildren(mathBlock(latex));
    math.push(el);
  };
  put("mdp-matrix", result.latex);
  $("mdp-matrix-text").textContent = result.matrix ?? "(no matrix form: the index form is the result)";
  put("mdp-index", result.index_latex);
  $("mdp-index-text").textContent = result.index;
  $("mdp-shape").textContent = `(${result.shape.join(", ")}${result.shape.length === 1 ? "," : ""}) in the ${result.layout} layout`;
  $("mdp-einsum").textContent = result.einsum;
  $("mdp-source").textContent = result.source;
  const steps = $("mdp-steps");
  steps.replaceChildren();
  for (const step of result.steps) {
    const li = document.createElement("li");
    const title = document.createElement("p");
    title.className = "mdp-step-title";
    title.textContent = step.title;
    const body = mathBlock(step.latex);
    li.append(title, body);
    steps.append(li);
    math.push(body);
  }
  $("mdp-timing").textContent = `Derived in ${result.browserMs} ms in your browser.`;
  await typeset(math);
}

async function check(action) {
  if (root.dataset.ready !== "true") return;
  // the shown result always belongs to the fields above: derive first if they changed
  if (derivationKey(readForm()) !== shownKey) await submit(null);
  const request = { ...readForm(), action };
  const url = stateURL(request);
  window.history.replaceState(null, "", url);
  $("mdp-link").href = url.href;
  const box = $("mdp-check");
  box.hidden = true;
  const result = await derive(request);
  let verdict;
  let title;
  if (!result.ok) {
    verdict = "error";
    title = result.error;
  } else if (result.passed) {
    verdict = "right";
    title = action === "claim"
      ? "Right: your formula agrees with finite differences."
      : "Checked: the result agrees with finite differences.";
  } else {
    verdict = "wrong";
    title = "Wrong: your formula differs from finite differences.";
  }
  box.dataset.verdict = verdict;
  $("mdp-check-title").textContent = title;
  $("mdp-check-message").textContent = result.message;
  const marker = result.ok ? "" : columnMarker(result.message, action === "claim" ? request.claim : request.expr);
  $("mdp-check-marker").textContent = marker;
  $("mdp-check-marker").hidden = !marker;
  box.hidden = false;
  root.dataset.checks = String(Number(root.dataset.checks || 0) + 1);
  setStatus("Ready.", "done");
}

let worker = null;
let counter = 0;
const pending = new Map();

function derive(request) {
  const id = ++counter;
  setStatus("Deriving…", "busy");
  worker.postMessage({ id, request });
  return new Promise((resolve) => pending.set(id, resolve));
}

// what the shown result was derived from (the derivation fields: not the reader's formula)
const derivationKey = (request) => JSON.stringify(FIELDS.filter((f) => f !== "claim").map((f) => request[f]));
let shownKey = null;

async function submit(event) {
  if (event) event.preventDefault();
  if (root.dataset.ready !== "true") return;
  const request = readForm();
  $("mdp-check").hidden = true; // a verdict on the previous derivation would be stale
  const url = stateURL(request);
  window.history.replaceState(null, "", url);
  $("mdp-link").href = url.href;
  const result = await derive(request);
  await show(result, request);
  shownKey = derivationKey(request);
  root.dataset.results = String(Number(root.dataset.results || 0) + 1);
  setStatus(result.ok ? "Ready." : "The library raised an error.", result.ok ? "done" : "error");
}

async function copySource() {
  const text = $("mdp-source").textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const range = document.createRange();
    range.selectNodeContents($("mdp-source"));
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    document.execCommand("copy");
    sel.removeAllRanges();
  }
  $("mdp-copy").textContent = "Copied";
  setTimeout(() => ($("mdp-copy").textContent = "Copy"), 1500);
}

function unavailable(reason) {
  setStatus(reason, "unavailable");
  $("mdp-form").hidden = true;
}

async function main() {
  fillForm(new URLSearchParams(window.location.search));
  $("mdp-form").addEventListener("submit", submit);
  $("mdp-copy").addEventListener("click", copySource);
  $("mdp-check-derived").addEventListener("click", () => check("check"));
  $("mdp-check-claim").addEventListener("click", () => check("claim"));
  if (window.location.protocol === "file:") {
    unavailable("The playground runs Python in a Web Worker, which browsers do not start from "
      + "file:// pages. Serve the book, for example with `python -m http.server -d book/_build/html`.");
    return;
  }
  let config;
  try {
    const response = await fetch(new URL("config.json", import.meta.url));
    config = await response.json();
  } catch (err) {
    unavailable(`The playground is unavailable: cannot read its configuration (${err}).`);
    return;
  }
  if (!config.available) {
    unavailable(config.reason);
    return;
  }
  worker = new Worker(new URL("worker.mjs", import.meta.url), { type: "module" });
  worker.onmessage = async (event) => {
    const msg = event.data;
    if (msg.type === "ready") {
      root.dataset.ready = "true";
      root.dataset.loadMs = String(msg.info.loadMs);
      for (const id of ["mdp-derive", "mdp-check-derived", "mdp-check-claim"]) $(id).disabled = false;
      $("mdp-version").textContent = `matderiv ${msg.info.version} on Pyodide ${msg.info.pyodide}, loaded in ${(msg.info.loadMs / 1000).toFixed(1)} s`;
      await submit(null);
    } else if (msg.type === "failed") {
      unavailable(`The playground could not start Python: ${msg.message}`);
    } else if (msg.type === "result") {
      pending.get(msg.id)(msg.result);
      pending.delete(msg.id);
    }
  };
  worker.onerror = (event) => unavailable(`The playground could not start Python: ${event.message || "the worker failed"}`);
}

main();
