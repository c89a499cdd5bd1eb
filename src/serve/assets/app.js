// truce explorer: every parameter of the scenario as a control; each change is sent to the
// server as the --set arguments it amounts to, and the answer redrawn. No library, no build.
"use strict";

const state = { scenario: null, sets: new Map(), seq: 0, lastRoundTripMs: null };
const $ = (id) => document.getElementById(id);
const OUTCOME_COLOURS = ["#009E73", "#56B4E9", "#E69F00", "#D55E00", "#0072B2", "#CC79A7"];

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v; else if (v !== null && v !== undefined) e.setAttribute(k, v);
  }
  for (const kid of kids) if (kid) e.append(kid);
  return e;
}

function pct(p) {
  if (p <= 0) return "0%";
  if (p * 100 < 0.05) return "<0.1%";
  return (p * 100).toFixed(1) + "%";
}

function pts(x) { return (x >= 0 ? "+" : "") + (x * 100).toFixed(1) + " pts"; }

async function post(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const type = r.headers.get("Content-Type") || "";
  if (type.startsWith("application/json")) return { status: r.status, json: await r.json() };
  return { status: r.status, text: await r.text() };
}

function request() {
  return { sets: [...state.sets.values()], n: Number($("n").value), seed: Number($("seed").value) };
}

// --- controls -------------------------------------------------------------------------------

function groupLabel(g) {
  if (g.startsWith("actors.")) {
    const id = g.slice(7);
    const a = state.scenario.actors.find((x) => x.id === id);
    return "Actor: " + (a ? a.name + " (" + id + ")" : id);
  }
  return "[" + g + "]";
}

// A change is run at once; a slider being dragged (`drag`) waits for a pause of 150 ms.
function setChange(p, row, value, drag) {
  if (value === null || value === p.value) state.sets.delete(p.path);
  else state.sets.set(p.path, p.path + "=" + value);
  row.classList.toggle("changed", state.sets.has(p.path));
  showCommand();
  state.changedAt = performance.now();
  if (drag) schedule(); else run();
}

const ARGS = { uniform: ["low", "high"], triangular: ["low", "mode", "high"], normal: ["mean", "sd"], beta: ["a", "b"], lognormal: ["mu", "sigma"] };

function numberInputs(p, row, inputs) {
  const num = el("input", { type: "number", step: "any", "data-path": p.path, value: p.number, "aria-label": p.path });
  if (p.min !== null) num.min = p.min;
  if (p.max !== null) num.max = p.max;
  inputs.append(num);
  let range = null;
  if (p.min !== null && p.max !== null) {
    range = el("input", { type: "range", min: p.min, max: p.max, step: (p.max - p.min) / 200, value: p.number, "aria-label": p.path + " slider" });
    range.addEventListener("input", () => { num.value = range.value; setChange(p, row, String(Number(range.value)), true); });
    inputs.append(range);
  }
  num.addEventListener("change", () => {
    if (range) range.value = num.value;
    setChange(p, row, num.value.trim() === "" ? null : num.value.trim());
  });
}

function distributionInputs(p, row, inputs) {
  const shape = el("select", { "data-path": p.path, "aria-label": p.path + " shape" });
  for (const s of [...state.scenario.shapes, "fixed"]) shape.append(el("option", { value: s, text: s }));
  shape.value = p.shape.name;
  const fields = el("span", {});
  const clamp = p.shape.clamp ? ", clamp = [" + p.shape.clamp.join(", ") + "]" : "";
  function draw(values) {
    fields.replaceChildren();
    const names = shape.value === "fixed" ? ["value"] : ARGS[shape.value];
    names.forEach((name, i) => {
      const f = el("input", { type: "number", step: "any", placeholder: name, title: name, value: values[i] ?? "", "data-arg": name });
      f.addEventListener("change", compose);
      fields.append(el("label", { class: "muted" }, name + " ", f));
    });
  }
  function compose() {
    const vals = [...fields.querySelectorAll("input")].map((f) => f.value.trim());
    if (vals.some((v) => v === "")) return;
    if (shape.value === "fixed") setChange(p, row, vals[0]);
    else setChange(p, row, "{ " + shape.value + " = [" + vals.join(", ") + "]" + clamp + " }");
  }
  shape.addEventListener("change", () => { draw([]); });
  draw(p.shape.args || []);
  inputs.append(shape, fields);
}

function control(p) {
  const row = el("div", { class: "param", "data-param": p.path });
  const key = p.path.startsWith(p.group + ".") ? p.path.slice(p.group.length + 1) : p.path;
  row.append(el("div", { class: "key", title: p.doc, text: key + (p.unit ? "  (" + p.unit + ")" : "") }));
  const inputs = el("div", { class: "inputs" });
  if (p.kind === "setting") {
    const sel = el("select", { "data-path": p.path, "aria-label": p.path });
    for (const c of p.choices) sel.append(el("option", { value: c, text: c }));
    sel.value = p.value.replace(/^"|"$/g, "");
    sel.addEventListener("change", () => setChange(p, row, '"' + sel.value + '"'));
    inputs.append(sel);
  } else if (p.kind === "number") {
    numberInputs(p, row, inputs);
  } else if (p.shape && p.shape.name !== "choice") {
    distributionInputs(p, row, inputs);
  } else {
    const raw = el("input", { type: "text", class: "raw", "data-path": p.path, value: p.value, "aria-label": p.path });
    raw.addEventListener("change", () => setChange(p, row, raw.value.trim()));
    inputs.append(raw);
  }
  row.append(inputs);
  const range = p.min !== null || p.max !== null ? "range [" + (p.min ?? "−∞") + ", " + (p.max ?? "∞") + "] · " : "";
  row.append(el("div", { class: "src", text: range + p.source + (p.comment ? " — " + p.comment : "") }));
  row.append(el("div", { class: "msg", hidden: "" }));
  return row;
}

function buildControls() {
  const groups = new Map();
  for (const p of state.scenario.params) {
    if (!groups.has(p.group)) groups.set(p.group, []);
    groups.get(p.group).push(p);
  }
  const box = $("groups");
  for (const [g, ps] of groups) {
    const d = el("details", { "data-group": g }, el("summary", { text: groupLabel(g) + " · " + ps.length }));
    if (g.startsWith("actors.")) d.open = true;
    for (const p of ps) d.append(control(p));
    box.append(d);
  }
  $("filter").addEventListener("input", () => {
    const q = $("filter").value.trim().toLowerCase();
    for (const row of document.querySelectorAll(".param")) row.hidden = q !== "" && !row.dataset.param.toLowerCase().includes(q);
    if (q) for (const d of document.querySelectorAll("details")) d.open = true;
  });
}

// --- results --------------------------------------------------------------------------------

function showCommand() {
  const words = ["truce", "run", state.scenario.file, "-n", $("n").value, "--seed", $("seed").value];
  for (const s of [...state.scenario.base_sets, ...state.sets.values()]) words.push("--set", /^[A-Za-z0-9_\-./=:+,@%]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'");
  $("command").textContent = words.join(" ");
}

function showError(message) {
  for (const m of document.querySelectorAll(".param .msg")) { m.hidden = true; m.textContent = ""; }
  const box = $("error");
  if (!message) { box.hidden = true; box.textContent = ""; return; }
  box.hidden = false;
  box.textContent = message;
  // In place too: under every changed control the message names.
  for (const path of state.sets.keys()) {
    if (message.includes(path)) {
      const row = document.querySelector('.param[data-param="' + CSS.escape(path) + '"] .msg');
      if (row) { row.hidden = false; row.textContent = message; }
    }
  }
}

function bars(p, lo, hi, colour) {
  const svg = '<svg viewBox="0 0 200 14" class="bar"><rect x="0" y="2" width="' + (200 * p).toFixed(2) + '" height="10" fill="' + colour + '"/>' +
    '<line x1="' + (200 * lo).toFixed(2) + '" x2="' + (200 * hi).toFixed(2) + '" y1="7" y2="7" stroke="#1a1a1a" stroke-width="1.2"/></svg>';
  const td = el("td", { class: "chartcol" });
  td.innerHTML = svg;
  return td;
}

function curves(report) {
  const W = 600, H = 220, L = 40, B = 24, months = report.ceasefire_by_month.length - 1;
  const x = (m) => L + (W - L - 10) * (months ? m / months : 0);
  const y = (p) => H - B - (H - B - 10) * p;
  const path = (pts) => pts.map((q, i) => (i ? "L" : "M") + x(q.month).toFixed(1) + "," + y(q.p).toFixed(1)).join(" ");
  let s = '<svg viewBox="0 0 ' + W + " " + H + '" role="img" aria-label="cumulative curves">';
  for (const g of [0, 0.25, 0.5, 0.75, 1]) s += '<line x1="' + L + '" x2="' + (W - 10) + '" y1="' + y(g) + '" y2="' + y(g) + '" stroke="#ddd"/><text x="' + (L - 4) + '" y="' + (y(g) + 4) + '" font-size="10" text-anchor="end">' + g * 100 + "%</text>";
  s += '<path d="' + path(report.ceasefire_by_month) + '" fill="none" stroke="#56B4E9" stroke-width="2"/>';
  s += '<path d="' + path(report.settlement_by_month) + '" fill="none" stroke="#009E73" stroke-width="2" stroke-dasharray="6 4"/>';
  s += '<text x="' + L + '" y="' + (H - 6) + '" font-size="10">' + report.start + '</text><text x="' + (W - 10) + '" y="' + (H - 6) + '" font-size="10" text-anchor="end">+' + months + " months</text>";
  s += '<text x="' + (L + 8) + '" y="20" font-size="11" fill="#56B4E9">— first ceasefire (or settlement)</text><text x="' + (L + 8) + '" y="34" font-size="11" fill="#009E73">- - settlement</text></svg>';
  $("curves").innerHTML = s;
}

function showReport(report) {
  const body = $("outcomes").querySelector("tbody");
  body.replaceChildren();
  state.scenario.outcomes.forEach(([id, label], k) => {
    const o = report.outcomes[id];
    const tr = el("tr", { "data-outcome": id, "data-p": o.p, "data-count": o.count });
    tr.append(el("td", { text: label }), el("td", { class: "num p", text: pct(o.p) }), el("td", { class: "num", text: pct(o.ci95[0]) + " – " + pct(o.ci95[1]) }), bars(o.p, o.ci95[0], o.ci95[1], OUTCOME_COLOURS[k]));
    body.append(tr);
  });
  curves(report);
  const a = report.final_area_km2;
  const months = (m) => (m === null ? "not within the horizon" : m + " months");
  const facts = [["Median months to a ceasefire or settlement", months(report.median_months_to_ceasefire)], ["Median months to a settlement", months(report.median_months_to_settlement)],
    ["Area held by Russia at the end (median)", Math.round(a.median).toLocaleString("en") + " km² (" + a.median_pct.toFixed(1) + "% of Ukraine)"], ["… 5–95% of rollouts", Math.round(a.p05).toLocaleString("en") + " – " + Math.round(a.p95).toLocaleString("en") + " km²"]];
  $("facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
}

let timer = null;
function schedule() { clearTimeout(timer); timer = setTimeout(run, 150); }

async function run() {
  clearTimeout(timer);
  const seq = ++state.seq;
  const started = state.changedAt ?? performance.now();
  state.changedAt = null;
  $("status").textContent = "running " + $("n").value + " rollouts…";
  document.body.dataset.busy = "1";
  const r = await post("/api/run", request());
  if (seq !== state.seq) return; // a newer change is on its way
  delete document.body.dataset.busy;
  if (!r.json || !r.json.ok) {
    showError(r.json ? r.json.error : "the server answered " + r.status);
    $("status").textContent = "not run: see the message";
    document.body.dataset.state = "error";
    return;
  }
  showError(null);
  showReport(r.json.report);
  $("command").textContent = r.json.command;
  state.lastRoundTripMs = performance.now() - started;
  $("status").textContent = r.json.report.n.toLocaleString("en") + " rollouts in " + r.json.seconds.toFixed(2) + " s on the server; redrawn " + state.lastRoundTripMs.toFixed(0) + " ms after the change" +
    (r.json.warnings.length ? " · warnings: " + r.json.warnings.join("; ") : "");
  document.body.dataset.state = "done";
  document.body.dataset.seq = String(seq);
}

async function compare() {
  $("status").textContent = "comparing with the file's values…";
  const r = await post("/api/compare", request());
  if (!r.json || !r.json.ok) { showError(r.json ? r.json.error : "the server answered " + r.status); return; }
  showError(null);
  const body = $("compare-table").querySelector("tbody");
  body.replaceChildren();
  for (const [id, label] of state.scenario.outcomes) {
    const p = (s) => r.json.rows.find((x) => x.outcome === id && x.scenario === s && x.stat === "p");
    const d = r.json.rows.find((x) => x.outcome === id && x.stat === "diff");
    body.append(el("tr", { "data-outcome": id, "data-diff": d.value },
      el("td", { text: label }), el("td", { class: "num", text: pct(p("file").value) }), el("td", { class: "num", text: pct(p("tweak").value) }),
      el("td", { class: "num", text: pts(d.value) }), el("td", { class: "num", text: pts(d.lo) + " … " + pts(d.hi) }), el("td", { class: "num", text: pts(d.unpaired_lo) + " … " + pts(d.unpaired_hi) })));
  }
  $("compare-box").hidden = false;
  $("status").textContent = "compared on " + $("n").value + " rollouts with the same streams";
}

async function download() {
  const r = await fetch("/api/overrides", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request()) });
  if (!r.ok) { const j = await r.json(); showError(j.error); return; }
  const blob = await r.blob();
  const a = el("a", { href: URL.createObjectURL(blob), download: state.scenario.name + "-overrides.toml" });
  document.body.append(a);
  a.click();
  a.remove();
}

async function save() {
  $("saved").textContent = "saving…";
  const r = await post("/api/save", request());
  if (!r.json || !r.json.ok) { showError(r.json ? r.json.error : "the server answered " + r.status); $("saved").textContent = ""; return; }
  $("saved").textContent = "saved to " + r.json.path;
}

async function start() {
  const r = await fetch("/api/scenario");
  state.scenario = await r.json();
  $("title").textContent = state.scenario.title || state.scenario.name;
  $("subtitle").textContent = state.scenario.file + (state.scenario.description ? " — " + state.scenario.description : "");
  $("n").value = state.scenario.n;
  $("n").max = state.scenario.max_n;
  $("seed").value = state.scenario.seed;
  buildControls();
  showCommand();
  for (const id of ["n", "seed"]) $(id).addEventListener("change", () => { showCommand(); state.changedAt = performance.now(); run(); });
  $("run").addEventListener("click", run);
  $("compare").addEventListener("click", compare);
  $("download").addEventListener("click", download);
  $("save").addEventListener("click", save);
  $("reset").addEventListener("click", () => { state.sets.clear(); $("groups").replaceChildren(); buildControls(); showCommand(); run(); });
  run();
}

window.truceExplorer = state;
start();
