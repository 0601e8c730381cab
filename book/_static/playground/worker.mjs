// The playground's Web Worker: loads Pyodide and matderiv's wheel from the book's own files
// (no CDN, no micropip), then answers derivation requests with driver.py's `run`.
import { loadPyodide } from "../pyodide/pyodide.mjs";

const here = new URL("./", import.meta.url);
const pyodideURL = new URL("../pyodide/", import.meta.url).href;

async function fetchOk(url, kind) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${kind} (${response.status} ${url})`);
  return response;
}

async function start() {
  const t0 = performance.now();
  const config = await (await fetchOk(new URL("config.json", here), "config.json")).json();
  if (!config.available) throw new Error(config.reason);
  const pyodide = await loadPyodide({ indexURL: pyodideURL });
  const wheel = await (await fetchOk(new URL(config.wheel, here), "the matderiv wheel")).arrayBuffer();
  const purelib = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
  pyodide.unpackArchive(wheel, "wheel", { extractDir: purelib });
  const driver = await (await fetchOk(new URL("driver.py", here), "driver.py")).text();
  pyodide.FS.writeFile("/home/pyodide/playground_driver.py", driver);
  pyodide.runPython("import sys; sys.path.insert(0, '/home/pyodide')");
  const run = pyodide.pyimport("playground_driver").run;
  const numpy = pyodide.runPython("import sys; 'numpy' in sys.modules");
  return { run, info: { ...config, loadMs: Math.round(performance.now() - t0), numpyLoaded: numpy } };
}

const ready = start();

ready.then(
  ({ info }) => postMessage({ type: "ready", info }),
  (err) => postMessage({ type: "failed", message: String(err && err.message ? err.message : err) }),
);

onmessage = async (event) => {
  const { id, request } = event.data;
  let runner;
  try {
    runner = await ready;
  } catch (err) {
    postMessage({ type: "result", id, result: { ok: false, error: "Unavailable", message: String(err) } });
    return;
  }
  const t0 = performance.now();
  const result = JSON.parse(runner.run(JSON.stringify(request)));
  result.browserMs = Math.round((performance.now() - t0) * 100) / 100;
  postMessage({ type: "result", id, result });
};
