// The Hosted messaging status page: plain DOM, no build step. Data comes only from the authenticated JSON API
// beside this page (api/...), with the Airflow UI's own session cookie; nothing is written into the page by
// the server. Every value from the API goes into the DOM as text, never as HTML.
"use strict";

const OUTCOMES = {  // outcome: [label, tone, short label for the row badges]
  in_service: ["In service", "ok", "In service"],
  already_in_service: ["Already in service", "ok", "Already in service"],
  rejected: ["Rejected by the checker", "info", "Rejected"],
  order_failed: ["Failed in the order", "bad", "Order failed"],
  not_ordered: ["Not ordered", "bad", "Not ordered"],
  not_in_service: ["Not in service after the grace period", "bad", "Not in service"],
  removed: ["Removed", "ok", "Removed"],
  remove_failed: ["Remove failed", "bad", "Remove failed"],
  still_in_service: ["Still in service", "bad", "Still in service"],
  lost: ["Lost", "bad", "Lost"],
};
const IMPORT_CATEGORIES = ["in_service", "rejected", "order_failed", "not_ordered", "loa_missing", "not_in_service", "lost"];
const REMOVE_CATEGORIES = ["removed", "remove_failed", "not_ordered"];
const SHORT = {
  in_service: "In service", rejected: "Rejected", order_failed: "Order failed", not_ordered: "Not ordered",
  loa_missing: "LOA missing", not_in_service: "Not in service", removed: "Removed", remove_failed: "Remove failed",
  lost: "Lost",
};
const ROW_COLUMNS = [
  ["number", "Number"], ["outcome", "Outcome"], ["checker_code", "Checker code"], ["checker_description", "Checker text"],
  ["order_id", "Order id"], ["customer_order_id", "CustomerOrderId"], ["order_status", "Order status"],
  ["error_code", "Error code"], ["error_description", "Error text"], ["loa_file", "LOA file"], ["in_service", "In service"],
];
const PAGE_SIZE = 100;

class AuthError extends Error {}

// ---- DOM helpers ------------------------------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function show(...nodes) {
  document.getElementById("main").replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined && n !== false));
}

function fmtTime(value) {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC");
}

function outcomeBadge(outcome) {
  const [label, tone, short] = OUTCOMES[outcome] || [outcome, "info", outcome];
  return el("span", { class: `badge tone-${tone}`, "data-outcome": outcome, title: label, text: short });
}

function stateBadge(state) {
  if (!state) return el("span", { class: "badge tone-muted", text: "no run record" });
  const tone = { success: "ok", failed: "bad", running: "info", queued: "info" }[state] || "muted";
  return el("span", { class: `badge tone-${tone}`, "data-testid": "run-state", text: state });
}

function runLink(dagId, runId, extra) {
  const params = new URLSearchParams({ dag_id: dagId, run_id: runId, ...(extra || {}) });
  return `./?${params}`;
}

function bar(segments, total, labels) {
  const node = el("div", { class: "bar", role: "img", "data-testid": "bar" });
  const parts = [];
  for (const seg of segments || []) {
    const label = labels[seg.key] || seg.key;
    parts.push(`${label}: ${seg.count}`);
    const width = total ? (100 * seg.count) / total : 0;
    const span = el("span", { class: `seg seg-${seg.key} tone-${seg.tone}`, title: `${label}: ${seg.count}` });
    span.style.width = `${width}%`; // through the CSSOM: the page's CSP allows no inline style attributes
    node.append(span);
  }
  node.setAttribute("aria-label", parts.join(", ") || "no numbers");
  return node;
}

// ---- API ----------------------------------------------------------------------------------------------------
async function api(path) {
  const resp = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (resp.status === 401) throw new AuthError("Not logged in");
  if (!resp.ok) {
    let detail = resp.statusText;
    try { detail = (await resp.json()).detail || detail; } catch (e) { /* not JSON */ }
    throw new Error(`${resp.status}: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
  }
  return resp.json();
}

function showError(err) {
  if (err instanceof AuthError) {
    show(el("div", { class: "notice tone-bad", "data-testid": "auth-needed" },
      "Your Airflow session has ended: ", el("a", { href: "/auth/login", target: "_top", text: "log in again" }), "."));
  } else {
    show(el("div", { class: "notice tone-bad", "data-testid": "error", text: `Could not load: ${err.message}` }));
  }
}

// ---- overview -------------------------------------------------------------------------------------------
async function showOverview() {
  document.title = "Hosted messaging: runs";
  const data = await api("api/runs");
  const labels = Object.fromEntries(data.categories.map((c) => [c.key, c.label]));
  const tones = Object.fromEntries(data.categories.map((c) => [c.key, c.tone]));
  const anyRemove = data.runs.some((r) => r.kind === "remove");
  // The import columns always; the others when some run on the page has them.
  const keys = data.categories.map((c) => c.key).filter((k) => IMPORT_CATEGORIES.includes(k) && k !== "not_ordered"
    || (anyRemove && REMOVE_CATEGORIES.includes(k)) || data.runs.some((r) => r.counts && r.counts[k]));
  const head = el("tr", {},
    el("th", { text: "Batch" }), el("th", { text: "Run" }), el("th", { text: "When, by whom" }), el("th", { text: "State" }),
    el("th", { class: "barcol", text: "Numbers" }),
    keys.map((k) => el("th", { class: "num", title: labels[k], text: SHORT[k] || labels[k] })));
  const body = el("tbody");
  for (const run of data.runs) {
    const counts = run.counts || {};
    const link = runLink(run.dag_id, run.run_id);
    body.append(el("tr", {
      class: run.attention ? "attention" : "", "data-testid": "run-row", "data-dag-id": run.dag_id, "data-run-id": run.run_id,
    },
      el("td", {}, el("a", { href: link, class: "batch", "data-testid": "run-link", text: run.batch }),
        el("div", { class: "muted small", text: run.kind })),
      el("td", {}, el("a", { href: link, class: "mono small", text: run.run_id }), el("div", { class: "muted small", text: run.dag_id })),
      el("td", { class: "nowrap" }, fmtTime(run.start_date || run.run_after),
        el("div", { class: "muted small", text: run.triggered_by ? `by ${run.triggered_by}` : "" })),
      el("td", {}, stateBadge(run.state), run.attention ? el("div", { class: "flag", text: "needs attention" }) : null),
      el("td", { class: "barcol" }, run.has_report
        ? [el("div", { class: "small", "data-testid": "run-total", text: `${run.total} number${run.total === 1 ? "" : "s"}` }), bar(run.bar, run.total, labels)]
        : el("span", { class: "muted small", text: run.state === "running" || run.state === "queued" ? "running…" : "no report" })),
      keys.map((k) => {
        const n = run.counts ? counts[k] : null;
        return el("td", { class: `num ${n ? `count tone-${tones[k]}` : "zero"}`, "data-key": k, text: n === null ? "" : n });
      }),
    ));
  }
  const table = el("table", { class: "runs", "data-testid": "runs-table" }, el("thead", {}, head), body);
  show(
    el("h2", { text: "Import and remove runs" }),
    el("p", { class: "muted", text: `${data.runs.length} run(s), newest first. A red row needs attention: a number failed, was not in service after the grace period, lacks its LOA, or was lost since.` }),
    legend(data.categories.filter((c) => keys.includes(c.key))),
    data.runs.length ? el("div", { class: "scroll" }, table) : el("p", { class: "notice", "data-testid": "no-runs", text: "No import or remove run yet." }),
  );
}

function legend(categories) {
  return el("div", { class: "legend" }, categories.map((c) =>
    el("span", { class: "legend-item" }, el("span", { class: `swatch seg-${c.key} tone-${c.tone}` }), c.label)));
}

// ---- one run ------------------------------------------------------------------------------------------------
function runState() {
  const p = new URLSearchParams(location.search);
  return {
    dag_id: p.get("dag_id"), run_id: p.get("run_id"), tab: p.get("tab"),
    outcome: p.get("outcome") || "", q: p.get("q") || "", offset: Number(p.get("offset") || 0),
  };
}

function runQuery(state, extra) {
  const p = new URLSearchParams({ dag_id: state.dag_id, run_id: state.run_id });
  if (state.outcome) p.set("outcome", state.outcome);
  if (state.q) p.set("q", state.q);
  for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
  return p;
}

async function showRun() {
  const state = runState();
  document.title = `Hosted messaging: ${state.dag_id}`;
  const first = await api(`api/run?${runQuery(state, { offset: state.offset, limit: PAGE_SIZE })}`);
  const header = el("div", { class: "run-head" },
    state.tab ? null : el("a", { href: "./", class: "back", "data-testid": "back", text: "← All runs" }),
    el("h2", { "data-testid": "run-title" }, first.batch ? `${first.batch} · ` : "", el("span", { class: "mono", text: first.run_id })),
    el("div", { class: "meta" },
      el("span", { text: first.dag_id }),
      first.run ? stateBadge(first.run.state) : stateBadge(null),
      first.run ? el("span", { text: `triggered by ${first.run.triggered_by}` }) : null,
      first.run && first.run.start_date ? el("span", { text: `started ${fmtTime(first.run.start_date)}` }) : null,
      first.report && first.report.finished_at ? el("span", { text: `report written ${fmtTime(first.report.finished_at)}` }) : null,
      first.report ? el("span", { class: "muted", text: `(from the ${first.report.source === "xcom" ? "report XCom" : "report.json artefact"})` }) : null));
  if (!first.report) {
    show(header, el("div", { class: "notice", "data-testid": "no-report", text: first.message }));
    return;
  }
  const labels = Object.fromEntries(first.categories.map((c) => [c.key, c.label]));
  const tones = Object.fromEntries(first.categories.map((c) => [c.key, c.tone]));
  const keys = first.kind === "remove" ? REMOVE_CATEGORIES : IMPORT_CATEGORIES;
  const rawCount = Object.fromEntries(first.outcomes.map((o) => [o.outcome, o.count]));
  // A card filters on its outcome, or on every outcome it adds up (in service = in service + already in service).
  const filterFor = (k) => (k === "loa_missing" || k === "lost" || rawCount[k] === first.counts[k] ? k : `cat:${k}`);
  const cards = el("div", { class: "cards" },
    el("div", { class: "card", "data-testid": "count-total" }, el("div", { class: "n", text: first.total }), el("div", { class: "label", text: "Numbers" })),
    keys.map((k) => el("button", {
      type: "button", class: `card ${first.counts[k] ? `tone-${tones[k]}` : "zero"}`, "data-testid": `count-${k}`, "data-count": first.counts[k],
      title: `Show only: ${labels[k]}`, onclick: () => applyFilter(filterFor(k)),
    }, el("div", { class: "n", text: first.counts[k] }), el("div", { class: "label", text: labels[k] }))));

  const select = el("select", { id: "outcome-filter", "data-testid": "outcome-filter", "aria-label": "Filter by outcome" },
    el("option", { value: "", text: "All numbers" }),
    el("option", { value: "attention", text: "Needs attention" }),
    first.outcomes.map((o) => el("option", { value: o.outcome, text: `${(OUTCOMES[o.outcome] || [o.outcome])[0]} (${o.count})` })),
    first.counts.loa_missing ? el("option", { value: "loa_missing", text: `LOA missing (${first.counts.loa_missing})` }) : null,
    first.counts.lost ? el("option", { value: "lost", text: `Lost since (${first.counts.lost})` }) : null);
  for (const k of keys) {
    if (first.counts[k] && filterFor(k).startsWith("cat:")) select.append(el("option", { value: `cat:${k}`, text: `${labels[k]}, all (${first.counts[k]})` }));
  }
  select.value = state.outcome;
  const search = el("input", {
    id: "number-search", type: "search", "data-testid": "number-search", placeholder: "Search a number", value: state.q,
    "aria-label": "Search by number", inputmode: "tel", autocomplete: "off",
  });
  const download = el("a", { class: "button", "data-testid": "download-csv", download: "", text: "Download CSV" });
  const info = el("span", { class: "muted", "data-testid": "row-info" });
  const prev = el("button", { type: "button", "data-testid": "prev", text: "‹ Previous" });
  const next = el("button", { type: "button", "data-testid": "next", text: "Next ›" });
  const tbody = el("tbody");
  const table = el("table", { class: "rows", "data-testid": "rows-table" },
    el("thead", {}, el("tr", {}, ROW_COLUMNS.map(([, label]) => el("th", { text: label })))), tbody);

  function render(result) {
    tbody.replaceChildren(...result.rows.map((r) => el("tr", {
      "data-testid": "number-row", "data-number": r.number, "data-outcome": r.outcome, class: r.outcome in OUTCOMES && OUTCOMES[r.outcome][1] === "bad" ? "bad" : "",
    }, ROW_COLUMNS.map(([key]) => {
      if (key === "outcome") {
        return el("td", {}, outcomeBadge(r.outcome), r.lost ? el("span", { class: "badge tone-bad", text: "lost since" }) : null,
          r.loa_missing ? el("span", { class: "badge tone-warn", text: "LOA missing" }) : null);
      }
      if (key === "in_service") return el("td", { text: r.in_service === null || r.in_service === undefined ? "" : r.in_service ? "yes" : "no" });
      if (key === "number") {
        return el("td", { class: "mono" }, el("a", { href: `./?${new URLSearchParams({ number: r.number })}`, title: "History of this number", text: r.number }));
      }
      // Long ids and file names are cut to the column (the full value in the tooltip and in the CSV).
      if (key.endsWith("_id") || key === "loa_file") return el("td", { class: "mono small id", title: r[key] ?? "", text: r[key] ?? "" });
      return el("td", { class: key.endsWith("code") ? "mono" : key.endsWith("description") ? "text" : "", text: r[key] ?? "" });
    }))));
    if (!result.rows.length) tbody.append(el("tr", {}, el("td", { colspan: ROW_COLUMNS.length, class: "muted", text: "No number matches." })));
    const last = result.offset + result.rows.length;
    info.textContent = result.matched
      ? `${result.offset + 1}–${last} of ${result.matched}${result.matched !== result.total ? ` (of ${result.total} numbers)` : ""}`
      : `0 of ${result.total}`;
    prev.disabled = result.offset <= 0;
    next.disabled = last >= result.matched;
    download.href = `api/run.csv?${runQuery(state)}`;
    history.replaceState(null, "", `./?${runQuery(state, { ...(state.offset ? { offset: state.offset } : {}), ...(state.tab ? { tab: state.tab } : {}) })}`);
  }

  let seq = 0;
  async function reload() {
    const mine = ++seq;
    try {
      const result = await api(`api/run?${runQuery(state, { offset: state.offset, limit: PAGE_SIZE })}`);
      if (mine === seq) render(result);
    } catch (err) { showError(err); }
  }
  function applyFilter(outcome) { state.outcome = outcome; state.offset = 0; select.value = outcome; reload(); }
  select.addEventListener("change", () => applyFilter(select.value));
  let timer;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.q = search.value.trim(); state.offset = 0; reload(); }, 200);
  });
  prev.addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE_SIZE); reload(); });
  next.addEventListener("click", () => { state.offset += PAGE_SIZE; reload(); });

  show(header, cards, bar(first.bar, first.total, labels),
    first.duplicates.length ? el("p", { class: "muted", text: `Duplicates removed from the request: ${first.duplicates.join(", ")}` }) : null,
    el("div", { class: "controls" }, select, search, download, el("span", { class: "spacer" }), info, prev, next),
    el("div", { class: "scroll" }, table));
  render(first);
}

// ---- number look-up ---------------------------------------------------------------------------------------
async function showNumber(number) {
  document.title = `Hosted messaging: ${number}`;
  document.getElementById("lookup-number").value = number;
  let data;
  try {
    data = await api(`api/numbers/${encodeURIComponent(number)}`);
  } catch (err) {
    if (err instanceof AuthError) throw err;
    show(el("a", { href: "./", class: "back", text: "← All runs" }), el("div", { class: "notice tone-bad", "data-testid": "lookup-error", text: err.message.replace(/^400: /, "") }));
    return;
  }
  const ledger = data.ledger;
  let status;
  if (!ledger) {
    status = el("div", { class: "notice", "data-testid": "ledger-status", "data-status": "none", text: "Not hosted by this project: no import brought it in." });
  } else {
    const imp = ledger.imported;
    const lines = [el("div", {}, "Imported ", fmtTime(imp.at), " by ", el("a", { href: runLink(imp.dag_id, imp.run_id, { q: data.number }), text: `${imp.dag_id} · ${imp.run_id}` }), ` (${(OUTCOMES[imp.outcome] || [imp.outcome])[0].toLowerCase()})`)];
    if (ledger.removed) lines.push(el("div", {}, "Removed ", fmtTime(ledger.removed.at), " by ", el("a", { href: runLink(ledger.removed.dag_id, ledger.removed.run_id, { q: data.number }), text: `${ledger.removed.dag_id} · ${ledger.removed.run_id}` })));
    if (ledger.lost) lines.push(el("div", {}, "Found lost ", fmtTime(ledger.lost.at), ` by ${ledger.lost.dag_id} · ${ledger.lost.run_id}`, ledger.lost.messaging_lost_event ? ` (MESSAGING_LOST ${fmtTime(ledger.lost.messaging_lost_event)})` : ""));
    const tone = { hosted: "ok", removed: "muted", lost: "bad" }[ledger.status] || "info";
    status = el("div", { class: "notice", "data-testid": "ledger-status", "data-status": ledger.status },
      el("span", { class: `badge tone-${tone}`, text: ledger.status }), lines);
  }
  const rows = data.history.map((h) => {
    const row = h.row || {};
    const details = [];
    if (row.checker_code) details.push(`checker ${row.checker_code}: ${row.checker_description || ""}`);
    if (row.order_id) details.push(`order ${row.order_id} (${row.order_status || "?"})`);
    if (row.error_code || row.error_description) details.push(`error ${row.error_code || ""}: ${row.error_description || ""}`);
    if (h.messaging_lost_event) details.push(`MESSAGING_LOST ${fmtTime(h.messaging_lost_event)}`);
    const link = h.event === "lost" ? el("span", { class: "mono small", text: h.run_id })
      : el("a", { class: "mono small", href: runLink(h.dag_id, h.run_id, { q: data.number }), text: h.run_id });
    return el("tr", { "data-testid": "history-row", "data-event": h.event, "data-outcome": h.outcome },
      el("td", { class: "nowrap", text: fmtTime(h.at) }), el("td", { text: h.event }), el("td", { text: h.dag_id }),
      el("td", {}, link), el("td", {}, outcomeBadge(h.outcome)), el("td", { class: "small", text: details.join("; ") }));
  });
  show(
    el("a", { href: "./", class: "back", text: "← All runs" }),
    el("h2", { "data-testid": "lookup-title" }, "Number ", el("span", { class: "mono", text: data.number })),
    status,
    el("h3", { text: "History across runs" }),
    rows.length
      ? el("div", { class: "scroll" }, el("table", { class: "rows", "data-testid": "history-table" },
        el("thead", {}, el("tr", {}, ["When", "What", "DAG", "Run", "Outcome", "Details"].map((t) => el("th", { text: t })))),
        el("tbody", {}, rows)))
      : el("p", { class: "muted", text: "No import, remove or health run had this number." }));
}

// ---- start ----------------------------------------------------------------------------------------------
async function main() {
  const p = new URLSearchParams(location.search);
  if (p.get("tab")) document.body.classList.add("in-tab");
  try {
    if (p.get("dag_id") && p.get("run_id")) await showRun();
    else if (p.get("number")) await showNumber(p.get("number"));
    else await showOverview();
    document.body.dataset.loaded = "true";
  } catch (err) {
    showError(err);
    document.body.dataset.loaded = "error";
  }
}

document.addEventListener("DOMContentLoaded", main);
