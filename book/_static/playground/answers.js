// The answer boxes under the chapters' exercises (book/_answers.py writes them). The reader types
// a formula; the playground's worker (worker.mjs, driver.py's "claim" action) checks it with
// matderiv's pure-Python backend against finite differences. The worker starts only when the
// reader first focuses a box or presses Check, and the page's boxes share it.
// Test hooks on each form.mdx-answer: data-state ("idle", "loading", "ready", "busy", "right",
// "wrong", "error", "unavailable") and data-checks (how many verdicts it has shown);
// <html data-answer-workers> counts the workers this page started (at most 1).

const boxes = [...document.querySelectorAll("form.mdx-answer")];

const TEXT = {
  en: {
    loading: "Loading Python in your browser (about 14 MB the first time)…",
    ready: "Python is ready: type your formula and press Check.",
    busy: "Checking…",
    empty: "Type your formula first.",
    right: "Right: your formula agrees with finite differences.",
    wrong: "Not quite: your formula differs from finite differences.",
    entry: (at, yours, fd) => `Entry ${at} differs: your formula gives ${yours}, finite differences give ${fd}.`,
    failed: (why) => `Checking in the browser is unavailable: Python could not start (${why}).`,
    file: "Checking in the browser needs the book to be served (browsers start no Web Worker from file:// pages), for example with python -m http.server -d book/_build/html.",
  },
  zh: {
    loading: "正在浏览器中加载 Python（首次约 14 MB）…",
    ready: "Python 已就绪：输入你的公式，然后点“检查”。",
    busy: "检查中…",
    empty: "请先输入你的公式。",
    right: "正确：你的公式与有限差分一致。",
    wrong: "还不对：你的公式与有限差分不一致。",
    entry: (at, yours, fd) => `第 ${at} 个元素不同：你的公式给出 ${yours}，有限差分给出 ${fd}。`,
    failed: (why) => `浏览器内检查不可用：Python 无法启动（${why}）。`,
    unavailable: "浏览器内检查不可用：本书的这次构建没有 Pyodide。下面的解答照常可用。",
    file: "浏览器内检查需要通过服务器打开本书（浏览器不会在 file:// 页面中启动 Web Worker），例如 python -m http.server -d book/_build/html。",
  },
};

const text = (box) => TEXT[box.dataset.lang] || TEXT.en;
const part = (box, cls) => box.querySelector(`.${cls}`);

function setState(box, state, status) {
  box.dataset.state = state;
  if (status !== undefined) part(box, "mdx-status").textContent = status;
}

function disable(box, reason) {
  setState(box, "unavailable", reason);
  part(box, "mdx-input").disabled = true;
  part(box, "mdx-check").disabled = true;
}

// -- the one worker of the page ------------------------------------------------------------------
let worker = null;
let ready = null; // resolves when Python is loaded, rejects with the reason it is not
let counter = 0;
const pending = new Map();

async function boot() {
  // the configuration first (a few bytes): a build without Pyodide says so without a worker
  const response = await fetch(new URL("config.json", import.meta.url));
  if (!response.ok) throw new Error(`cannot read config.json (${response.status})`);
  const config = await response.json();
  if (!config.available) throw Object.assign(new Error(config.reason), { reason: config.reason });
  document.documentElement.dataset.answerWorkers = "1";
  worker = new Worker(new URL("worker.mjs", import.meta.url), { type: "module" });
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => {
      const msg = event.data;
      if (msg.type === "ready") resolve(msg.info);
      else if (msg.type === "failed") reject(new Error(msg.message));
      else if (msg.type === "result" && pending.has(msg.id)) {
        pending.get(msg.id)(msg.result);
        pending.delete(msg.id);
      }
    };
    worker.onerror = (event) => reject(new Error(event.message || "the worker failed"));
  });
}

function start() {
  if (ready) return ready;
  for (const box of boxes) if (box.dataset.state === "idle") setState(box, "loading", text(box).loading);
  ready = boot();
  ready.then(
    () => {
      for (const box of boxes) if (box.dataset.state === "loading") setState(box, "ready", text(box).ready);
    },
    (err) => {
      for (const box of boxes) disable(box, err.reason ? text(box).unavailable || err.reason : text(box).failed(err.message));
    },
  );
  return ready;
}

function ask(request) {
  const id = ++counter;
  worker.postMessage({ id, request });
  return new Promise((resolve) => pending.set(id, resolve));
}

// -- one box -------------------------------------------------------------------------------------
function columnMarker(message, claim) {
  const m = /at column (\d+)/.exec(message);
  if (!m) return "";
  const col = Number(m[1]);
  if (col < 1 || col > claim.length + 1) return "";
  return `${claim}\n${" ".repeat(col - 1)}^`;
}

function show(box, verdict, title, message, marker) {
  const pre = part(box, "mdx-message");
  pre.textContent = message || "";
  pre.hidden = !message;
  const mark = part(box, "mdx-marker");
  mark.textContent = marker || "";
  mark.hidden = !marker;
  setState(box, verdict, title);
  box.dataset.checks = String(Number(box.dataset.checks || 0) + 1);
}

async function check(box) {
  if (box.dataset.state === "unavailable" || box.dataset.state === "busy") return;
  const t = text(box);
  const claim = part(box, "mdx-input").value.trim();
  if (!claim) {
    show(box, "error", t.empty, "", "");
    return;
  }
  try {
    await start();
  } catch {
    return; // every box already says why
  }
  setState(box, "busy", t.busy);
  const d = box.dataset;
  const request = { action: "claim", claim, expr: d.expr, wrt: d.wrt, shapes: d.shapes };
  for (const f of ["wrt2", "layout", "structure", "symmetric"]) if (d[f]) request[f] = d[f];
  const result = await ask(request);
  if (!result.ok) {
    show(box, "error", result.error, result.message, columnMarker(result.message, claim));
  } else if (result.passed) {
    show(box, "right", t.right, "", "");
  } else {
    const m = /at index (\([^)]*\)) the analytic value is (\S+) but finite differences give (\S+)/.exec(result.message);
    const title = m ? `${t.wrong} ${t.entry(m[1], m[2], m[3])}` : t.wrong;
    show(box, "wrong", title, result.message, "");
  }
}

function main() {
  if (!boxes.length) return;
  if (window.location.protocol === "file:") {
    for (const box of boxes) if (box.dataset.available === "true") disable(box, text(box).file);
    return;
  }
  for (const box of boxes) {
    if (box.dataset.available !== "true") continue;
    box.addEventListener("submit", (event) => {
      event.preventDefault();
      check(box);
    });
    part(box, "mdx-input").addEventListener("focus", () => start().catch(() => {}), { once: true });
  }
}

main();
