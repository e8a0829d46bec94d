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
  would_order: ["Would be ordered (dry run)", "info", "Would order"],
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
// While a run is going: its counts so far, the bar's segments, the tones of task and order states.
const PROGRESS_CARDS = [
  ["total", "Numbers"], ["checked", "Checked"], ["rejected", "Rejected"], ["planned", "Planned"], ["ordered", "Ordered"],
  ["waiting", "Waiting on Bandwidth"], ["completed", "Completed"], ["failed", "Failed"], ["loa_uploaded", "LOA uploaded"],
];
const PROGRESS_LABELS = {
  completed: "Completed in its order", failed: "Failed", waiting: "Waiting on Bandwidth", rejected: "Rejected by the checker",
  pending: "Still to come",
};
const TASK_TONES = {
  success: "ok", failed: "bad", upstream_failed: "bad", running: "info", deferred: "info", awaiting_input: "warn", queued: "info",
  up_for_retry: "warn", up_for_reschedule: "info", restarting: "warn", scheduled: "muted", skipped: "muted",
};
const ORDER_TONES = { COMPLETE: "ok", PARTIAL: "warn", FAILED: "bad", EXCEPTION: "bad", RECEIVED: "info", PROCESSING: "info" };
const SEEN_BY = { wait: "the wait's read", callback: "Bandwidth's callback", create: "the order's creation" };
let liveTimer = null;  // the pending refresh of a running run's page (one at a time)
let overviewTimer = null;

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
  for (const child of children.flat(Infinity)) {
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

async function apiPost(path, body) {
  const resp = await fetch(path, {
    method: "POST", credentials: "same-origin",
    headers: { Accept: "application/json", "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  if (resp.status === 401) throw new AuthError("Not logged in");
  let data = null;
  try { data = await resp.json(); } catch (e) { /* not JSON */ }
  if (!resp.ok) {
    const detail = data && data.detail ? data.detail : resp.statusText;
    throw new Error(`${resp.status}: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
  }
  return data;
}

// A link to a page of the Airflow UI. Opened on its own, the page just follows it (target _top). Framed by the UI,
// it cannot: Airflow frames plugin pages in a sandbox without allow-top-navigation (3.3: "allow-scripts
// allow-same-origin allow-forms allow-downloads"), so the top window is moved the way its own router moves,
// pushState and popstate, which that sandbox allows a same-origin frame.
function airflowLink(href, text, testid) {
  return el("a", { href, target: "_top", "data-testid": testid, "data-airflow-link": true, text });
}

function framedNavigate(event) {
  const link = event.target.closest && event.target.closest("a[data-airflow-link]");
  if (!link || window.top === window || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  try {
    const top = window.top;
    const url = new URL(link.getAttribute("href"), top.location.href);
    if (url.origin !== top.location.origin) return;
    event.preventDefault();
    top.history.pushState({}, "", url.pathname + url.search + url.hash);
    top.dispatchEvent(new PopStateEvent("popstate", { state: {} }));
  } catch (e) { /* another origin: the browser follows the link as it can */ }
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
function progressCell(p) {
  const total = p.counts.total;
  const done = (p.counts.completed || 0) + (p.counts.failed || 0) + (p.counts.rejected || 0);
  const waiting = p.counts.waiting ? `, ${p.counts.waiting} waiting on Bandwidth` : "";
  return el("div", { class: "live", "data-testid": "run-progress" },
    el("div", { class: "small", "data-testid": "run-progress-text" },
      total === null || total === undefined ? "starting…" : `${done} of ${total} done${waiting}`),
    total ? bar(p.bar, total, PROGRESS_LABELS) : null,
    p.stage ? el("div", { class: "muted small", "data-testid": "run-stage", text: p.stage }) : null);
}

async function showOverview() {
  document.title = "Hosted messaging: runs";
  clearTimeout(overviewTimer);
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
        : run.progress ? progressCell(run.progress)
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
  // While a run is going, the overview refreshes itself (its bar moves); it stops once none is.
  const live = data.runs.filter((r) => r.progress);
  if (live.length) {
    const seconds = Math.max(2, ...live.map((r) => r.progress.refresh_seconds || 3)) + 2;
    overviewTimer = setTimeout(() => { if (!new URLSearchParams(location.search).get("dag_id")) showOverview().catch(showError); }, seconds * 1000);
  }
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
  clearTimeout(liveTimer);
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
      first.report ? el("span", { class: "muted", text: `(from the ${first.report.source === "xcom" ? "report XCom" : "report.json artefact"})` }) : null,
      first.report && first.report.dry_run ? el("span", { class: "badge tone-info", "data-testid": "dry-run", text: "dry run" }) : null,
      first.links ? airflowLink(first.links.airflow_run, "Open the run in Airflow ↗", "airflow-run-link") : null),
    relations(state, first));
  const notices = [notOrderedNotice(first.not_ordered), rerunAction(state, first)];
  if (!first.report) {
    if (first.progress) {
      liveProgress(state, header, notices, first.progress, first.links);
    } else {
      show(header, notices, el("div", { class: "notice", "data-testid": "no-report", text: first.message }));
    }
    return;
  }
  const labels = Object.fromEntries(first.categories.map((c) => [c.key, c.label]));
  const tones = Object.fromEntries(first.categories.map((c) => [c.key, c.tone]));
  const keys = first.kind === "remove" ? REMOVE_CATEGORIES
    : first.report.dry_run || first.counts.would_order ? ["would_order", ...IMPORT_CATEGORIES] : IMPORT_CATEGORIES;
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
      // The order id comes with the Bandwidth order resource it came from (tooltip and a second line).
      if (key === "order_id" && r.order_url) {
        return el("td", { class: "mono small id", title: `Bandwidth order: ${r.order_url}` }, r.order_id,
          el("div", { class: "muted small", "data-testid": "order-resource", text: r.order_url.replace(/^.*\/accounts\//, "accounts/") }));
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

  show(header, notices, cards, bar(first.bar, first.total, labels),
    first.duplicates.length ? el("p", { class: "muted", text: `Duplicates removed from the request: ${first.duplicates.join(", ")}` }) : null,
    el("div", { class: "controls" }, select, search, download, el("span", { class: "spacer" }), info, prev, next),
    el("div", { class: "scroll" }, table));
  render(first);
}

// ---- links between runs, "Not ordered", "Re-run failed numbers" -------------------------------------------
function pageLink(state, runId) {
  return runLink(state.dag_id, runId, state.tab ? { tab: state.tab } : {});
}

function relations(state, detail) {
  const r = detail.rerun;
  if (!r || (!r.of && !(r.reruns || []).length)) return null;
  return el("div", { class: "relations" },
    r.of ? el("div", { "data-testid": "rerun-of" }, "Re-run of the failed numbers of ",
      el("a", { class: "mono small", href: pageLink(state, r.of.run_id), text: r.of.run_id })) : null,
    (r.reruns || []).length ? el("div", { "data-testid": "reruns" }, "Its failed numbers were re-run by ",
      r.reruns.map((x, i) => [i ? ", " : "", el("a", { class: "mono small", href: pageLink(state, x.run_id), "data-testid": "rerun-link", text: x.run_id }),
        x.state ? el("span", { class: "muted small", text: ` (${x.state})` }) : null])) : null);
}

function notOrderedNotice(reason) {
  if (!reason) return null;
  const tone = reason.kind === "dry_run" ? "" : " tone-bad";
  return el("div", { class: `notice${tone}`, "data-testid": "not-ordered", "data-kind": reason.kind },
    el("strong", { text: reason.kind === "dry_run" ? "Nothing ordered: " : "Not ordered: " }),
    el("span", { "data-testid": "not-ordered-reason", text: reason.message }),
    reason.log_url ? el("div", {}, airflowLink(reason.log_url, `Open the log of ${reason.task_id} in Airflow ↗`, "not-ordered-log")) : null);
}

function rerunAction(state, detail) {
  const r = detail.rerun;
  if (!r || !r.available) return null;
  const box = el("div", { class: "notice rerun", "data-testid": "rerun" });
  const plural = r.numbers === 1 ? "" : "s";
  const button = el("button", {
    type: "button", class: "primary", "data-testid": "rerun-button", disabled: r.may_trigger === false,
    title: r.may_trigger === false ? `You may not trigger ${detail.dag_id}: re-running starts a new run of it.` : null,
    text: `Re-run failed numbers (${r.numbers})`,
  });
  const intro = () => [button, el("span", { class: "muted", text: r.may_trigger === false
    ? ` You may not trigger ${detail.dag_id}, so you cannot start it.`
    : ` Starts a new run of ${detail.dag_id} with the same fields, ordering again the ${r.numbers} number${plural} that ended order_failed, not_ordered or not_in_service.` })];
  box.replaceChildren(...intro());
  button.addEventListener("click", () => {
    const start = el("button", { type: "button", class: "primary", "data-testid": "rerun-confirm", text: "Start the re-run" });
    const cancel = el("button", { type: "button", "data-testid": "rerun-cancel", text: "Cancel" });
    cancel.addEventListener("click", () => box.replaceChildren(...intro()));
    start.addEventListener("click", async () => {
      start.disabled = cancel.disabled = true;
      try {
        const made = await apiPost("api/rerun", { dag_id: detail.dag_id, run_id: detail.run_id });
        box.replaceChildren(el("span", { "data-testid": "rerun-started" }, "Started ",
          el("a", { class: "mono", href: pageLink(state, made.run_id), "data-testid": "rerun-started-link", text: made.run_id }),
          ` for ${made.numbers} number${made.numbers === 1 ? "" : "s"} · `,
          airflowLink(made.airflow_run, "Open it in Airflow ↗", "rerun-started-airflow")));
      } catch (err) {
        if (err instanceof AuthError) { showError(err); return; }
        box.replaceChildren(...intro(), el("div", { class: "tone-bad", "data-testid": "rerun-error", text: err.message.replace(/^\d+: /, "") }));
      }
    });
    box.replaceChildren(el("span", { text: `Start a new run of ${detail.dag_id} for the ${r.numbers} failed number${plural}? ` }), start, cancel);
  });
  return box;
}

// ---- a run still going: live progress ------------------------------------------------------------------
const TASK_WORDS = { none: "not started", up_for_retry: "up for retry", upstream_failed: "upstream failed", awaiting_input: "awaiting input" };

function taskBadge(state, text) {
  const word = TASK_WORDS[state || "none"] || state;
  return el("span", { class: `badge tone-${TASK_TONES[state] || "muted"}`, "data-state": state || "none", text: text || word });
}

function orderBadge(status) {
  if (!status) return el("span", { class: "muted", text: "not created yet" });
  return el("span", { class: `badge tone-${ORDER_TONES[status] || "muted"}`, "data-testid": "order-status", text: status });
}

function progressView(p, state, links) {
  const c = p.counts;
  const known = c.total !== null && c.total !== undefined;  // before the request is validated, nothing is counted
  const cards = !known ? null : el("div", { class: "cards" }, PROGRESS_CARDS.filter(([k]) => c[k] !== null && c[k] !== undefined).map(([k, label]) =>
    el("div", { class: `card ${c[k] ? "" : "zero"}`, "data-testid": `progress-${k}`, "data-count": c[k] },
      el("div", { class: "n", text: c[k] }), el("div", { class: "label", text: label }))));
  const steps = el("ol", { class: "steps", "data-testid": "steps" }, (p.steps || []).map((s) =>
    el("li", { "data-testid": "step", "data-task-id": s.task_id, "data-state": s.state || "none" },
      taskBadge(s.state, s.mapped ? `${Object.entries(s.states || {}).map(([k, n]) => `${n} ${TASK_WORDS[k] || k}`).join(", ")}` : null),
      el("span", { text: ` ${s.label}` }),
      s.deferred_since ? el("span", { class: "muted small", text: ` · waiting since ${fmtTime(s.deferred_since)}` }) : null)));
  const approval = p.approval || {};
  let approvalNote = null;
  if (approval.state === "awaiting_input" || approval.state === "deferred") {  // 3.1+: awaiting_input
    approvalNote = el("div", { class: "notice tone-warn", "data-testid": "awaiting-approval" },
      "Waiting for a person's approval in Airflow's Required actions. ",
      links ? airflowLink(links.airflow_run, "Open the run in Airflow ↗", "approval-airflow-link") : null);
  } else if (approval.decision && approval.decision !== "not_needed") {
    approvalNote = el("div", { class: "muted small", "data-testid": "approval" },
      `Approval: ${approval.decision.replace("_", " ")}${approval.by ? ` by ${approval.by}` : ""}${approval.at ? ` at ${fmtTime(approval.at)}` : ""}`);
  }
  const rows = (p.orders || []).map((o) => el("tr", { "data-testid": "order-row", "data-index": o.index, "data-status": o.status || "" },
    el("td", { class: "num", text: o.index + 1 }),
    el("td", { class: "mono small id", title: o.customer_order_id || "", text: o.customer_order_id || "" }),
    el("td", { class: "num", text: o.numbers }),
    el("td", { class: "mono small id", title: o.order_id || "", text: o.order_id || "" }),
    el("td", {}, orderBadge(o.status)),
    el("td", { class: "nowrap small", text: fmtTime(o.status_at) }),
    el("td", { class: "small", "data-testid": "order-seen-by", text: SEEN_BY[o.status_source] || "" }),
    el("td", {}, o.wait_state ? taskBadge(o.wait_state) : el("span", { class: "muted small", text: o.create_state ? `create: ${o.create_state}` : "" })),
    el("td", { class: "small", text: o.loa_status ? o.loa_status.replace("_", " ") : o.loa_state || "" })));
  const more = p.orders_total > (p.orders || []).length ? el("p", { class: "muted small", text: `${p.orders_total - p.orders.length} more order(s) not listed.` }) : null;
  const total = c.total;
  return [
    el("div", { class: "stage", "data-testid": "progress-stage" },
      el("strong", { text: p.stage || ((state || p.state) === "queued" ? "Queued: waiting for the scheduler" : "Starting") }),
      p.percent !== null && p.percent !== undefined ? el("span", { "data-testid": "progress-percent", text: ` · ${p.percent}% done` }) : null,
      el("span", { class: "muted small", text: ` · updated ${fmtTime(p.updated_at)}, refreshes every ${p.refresh_seconds} s` })),
    approvalNote,
    cards,
    total ? bar(p.bar, total, PROGRESS_LABELS) : null,
    known ? legend(Object.entries(PROGRESS_LABELS).map(([key, label]) => ({ key, label, tone: "" }))) : null,
    el("h3", { text: "Steps" }), steps,
    el("h3", { text: `Orders (${p.orders_total})` }),
    rows.length
      ? el("div", { class: "scroll" }, el("table", { class: "rows", "data-testid": "orders-table" },
        el("thead", {}, el("tr", {}, ["#", "CustomerOrderId", "Numbers", "Order id", "Latest status", "When", "Seen by", "Wait", "LOA"].map((t) => el("th", { text: t })))),
        el("tbody", {}, rows)))
      : el("p", { class: "muted", "data-testid": "no-orders", text: total === null || total === undefined ? "The request is being checked." : "No order planned yet." }),
    more,
  ];
}

function liveProgress(state, header, notices, progress, links) {
  const box = el("section", { class: "progress", "data-testid": "progress" });
  box.replaceChildren(...progressView(progress, null, links).flat().filter(Boolean));
  show(header, notices, box);
  const seconds = () => Math.max(1, progress.refresh_seconds || 3) * 1000;
  const tick = async () => {
    try {
      const data = await api(`api/progress?${new URLSearchParams({ dag_id: state.dag_id, run_id: state.run_id })}`);
      if (!data.active) { await showRun(); return; }  // finished: the report (or why nothing was ordered)
      progress = data.progress;
      const badge = header.querySelector("[data-testid=run-state]");
      if (badge && data.run) badge.replaceWith(stateBadge(data.run.state));
      box.replaceChildren(...progressView(progress, data.run && data.run.state, links).flat().filter(Boolean));
      box.dataset.refreshed = String(Number(box.dataset.refreshed || 0) + 1);
    } catch (err) {
      if (err instanceof AuthError) { showError(err); return; }
      box.prepend(el("div", { class: "notice tone-bad", text: `Could not refresh: ${err.message}` }));
    }
    liveTimer = setTimeout(tick, seconds());
  };
  liveTimer = setTimeout(tick, seconds());
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

document.addEventListener("click", framedNavigate);
document.addEventListener("DOMContentLoaded", main);
