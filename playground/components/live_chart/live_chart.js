// Live Plotly charts for Streamlit (components v2, no iframe, no build step).
//
// Streamlit calls the default export on mount and again every time the
// `data` sent from Python changes; `parentElement` stays the same node for as
// long as the element keeps its key. We keep one <div> per chart inside it
// and update it with Plotly.react, so zoom / pan / 3-D camera survive
// (layout.uirevision) and the chart is never re-mounted or blanked.
//
// data = {key, src, full, columns, height,
//         charts: [{id, digest, height, data, layout, config, first?}]}
//
// Plotly itself is the installed `plotly` package's plotly.min.js, or the same
// version's cartesian bundle when an element's traces are all cartesian, served
// by Streamlit's static file serving (see live_chart.py); it is loaded once per
// page as a classic <script> and shared by every chart (see loadPlotly).

// window.__liveChartPlotly = {promise, full}: the plotly.js bundle this page loaded or is
// loading (also set by the preload in live_chart.py). The cartesian bundle serves elements
// whose traces are all cartesian; an element that needs more loads the full bundle, which
// then serves everyone.
function stats() {
  if (!window.__liveChartStats) {
    window.__liveChartStats = { received: 0, coalesced: 0, reacts: 0, errors: 0, byChart: {} };
  }
  return window.__liveChartStats;
}

function loadPlotly(src, full) {
  const have = window.__liveChartPlotly;
  if (have && (have.full || !full)) return have.promise;
  const promise = new Promise((resolve, reject) => {
    const script = document.createElement("script");
    const fail = () => {
      if (window.__liveChartPlotly && window.__liveChartPlotly.promise === promise) {
        window.__liveChartPlotly = have || null; // allow a retry on the next update
      }
      script.remove();
      reject(
        new Error(
          `could not load plotly.js from ${src}; is static serving on ` +
            "(server.enableStaticServing = true in .streamlit/config.toml)?",
        ),
      );
    };
    script.src = src;
    script.async = true;
    script.dataset.liveChart = "plotly";
    script.onload = () => {
      if (window.Plotly && typeof window.Plotly.react === "function") resolve(window.Plotly);
      else fail(); // e.g. the app's index.html came back instead of the file
    };
    script.onerror = fail;
    document.head.appendChild(script);
  });
  window.__liveChartPlotly = { promise, full: !!full };
  return promise;
}

// The Plotly that drew a chart div (bundles can change under a page: see loadPlotly).
function plotlyOf(div) {
  return div.__lcPlotly || window.Plotly;
}

function themeDefaults(root, layout) {
  const css = getComputedStyle(root);
  const text = css.getPropertyValue("--st-text-color").trim();
  const font = css.getPropertyValue("--st-font").trim();
  if (layout.paper_bgcolor === undefined) layout.paper_bgcolor = "rgba(0,0,0,0)";
  if (layout.plot_bgcolor === undefined) layout.plot_bgcolor = "rgba(0,0,0,0)";
  layout.font = layout.font || {};
  if (text && layout.font.color === undefined) layout.font.color = text;
  if (font && layout.font.family === undefined) layout.font.family = font;
}

function showError(state, err) {
  stats().errors += 1;
  let box = state.root.querySelector(":scope > .lc-error");
  if (!box) {
    box = document.createElement("div");
    box.className = "lc-error";
    state.root.prepend(box);
  }
  box.textContent = `live_chart: ${err && err.message ? err.message : err}`;
  console.error("live_chart", err);
}

function clearError(state) {
  const box = state.root.querySelector(":scope > .lc-error");
  if (box) box.remove();
}

// The first draws of all live charts in the page take turns with a painted frame
// between them, so the first chart shows as soon as it is drawn, not after all
// of them (on this machine seven charts drew in one ~300 ms frame). A chart sent
// with `first` goes ahead of the others that are waiting.
function afterPaint() {
  return new Promise((resolve) => {
    const late = setTimeout(resolve, 100); // a hidden tab has no animation frames
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(late);
        resolve();
      }, 0),
    );
  });
}

function firstDraws() {
  if (!window.__lcFirstDraws) window.__lcFirstDraws = { busy: false, waiting: [] };
  return window.__lcFirstDraws;
}

function grantFirstDraw() {
  const turns = firstDraws();
  if (turns.busy || !turns.waiting.length) return;
  turns.busy = true;
  // after the elements mounted in the same frame have asked: `first` can then win
  setTimeout(() => {
    turns.waiting.sort((a, b) => b.priority - a.priority); // stable: mount order otherwise
    const next = turns.waiting.shift();
    next.resolve(() =>
      afterPaint().then(() => {
        turns.busy = false;
        grantFirstDraw();
      }),
    );
  }, 0);
}

// Resolves, when it is this chart's turn, with the function that ends the turn.
function firstDrawTurn(priority) {
  return new Promise((resolve) => {
    firstDraws().waiting.push({ priority, resolve });
    grantFirstDraw();
  });
}

// plotly.js can leave a Plotly.react promise pending for ever when a relayout runs at the
// same time (a zoom by the user or through the API): the element's flush then waited for
// ever and the chart never redrew again (bench_ui's zoom phase: 3 of 8 page loads). A later
// Plotly.react on the same div works, so a react not settled in this time is given up.
const REACT_STALL_MS = 2000;

function settleWithin(promise, ms) {
  let timer = 0;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = Promise.resolve(promise).then(() => {
    clearTimeout(timer);
    return true;
  });
  return Promise.race([done, late]);
}

function schedule(state) {
  if (state.frame) return;
  state.frame = requestAnimationFrame(() => {
    state.frame = 0;
    flush(state);
  });
}

async function flush(state) {
  if (state.busy) return; // the running flush reschedules itself
  state.busy = true;
  state.failed = false;
  try {
    const Plotly = await loadPlotly(state.src, state.full);
    let drawError = null;
    let progressed = true;
    while (progressed) {
      progressed = false;
      // a chart sent with `first` before the others (it matters for first draws only)
      const queue = [...state.pending].sort((a, b) => (b[1].first ? 1 : 0) - (a[1].first ? 1 : 0));
      for (const [id, queued] of queue) {
        const div = state.divs.get(id);
        if (div && busyWithUser(div)) continue; // drawn when the user lets go
        if (div && div.__lcPlotly && div.__lcPlotly !== Plotly) {
          div.__lcPlotly.purge(div); // drawn by the smaller bundle: draw afresh with this one
          div.__lcPlotly = null;
        }
        const fresh = div && div.isConnected && !div._fullLayout;
        const release = fresh ? await firstDrawTurn(queued.first ? 1 : 0) : null;
        const chart = state.pending.get(id) || queued; // the newest, after waiting
        state.pending.delete(id);
        progressed = true;
        if (!div || !div.isConnected) {
          if (release) release();
          continue;
        }
        const layout = chart.layout || {};
        themeDefaults(state.root, layout);
        try {
          div.__lcPlotly = Plotly;
          const settled = await settleWithin(
            Plotly.react(div, chart.data || [], layout, chart.config || {}),
            REACT_STALL_MS,
          );
          if (!settled) {
            stats().stalls = (stats().stalls || 0) + 1;
            state.applied.delete(id); // drawn again with the next payload, whatever it is
            continue;
          }
        } catch (err) {
          drawError = err;
          continue;
        } finally {
          if (release) release();
        }
        div.__liveChartReacts = (div.__liveChartReacts || 0) + 1;
        div.dataset.reacts = String(div.__liveChartReacts);
        state.applied.set(id, chart.digest);
        const s = stats();
        s.reacts += 1;
        s.byChart[div.dataset.chartKey] = div.__liveChartReacts;
        break; // the map may have changed while awaiting: iterate afresh
      }
    }
    if (drawError) showError(state, drawError);
    else clearError(state);
  } catch (err) {
    // plotly.js could not be loaded: keep the newest payloads and retry on
    // the next update from Python instead of hammering the server.
    state.failed = true;
    showError(state, err);
  } finally {
    state.busy = false;
    const waiting = [...state.pending.keys()].some((id) => {
      const div = state.divs.get(id);
      return !div || !busyWithUser(div);
    });
    if (waiting && !state.failed) schedule(state);
  }
}

// A Plotly.react while the user drags (box zoom, pan, 3-D rotation) or
// scrolls would reset what they are doing, so such a chart waits until they
// let go; Plotly then records the new view (uirevision keeps it).
function busyWithUser(div) {
  // a pointerup that never arrived (the element re-mounted mid-drag, the window lost focus)
  // must not freeze the chart: a press counts for at most 5 s
  if (div.__lcPointerDown && performance.now() - div.__lcPointerDownAt > 5000) {
    div.__lcPointerDown = false;
  }
  return div.__lcPointerDown || performance.now() < (div.__lcWheelUntil || 0);
}

function watchUser(state, div) {
  const release = () => {
    if (!div.__lcPointerDown) return;
    div.__lcPointerDown = false;
    window.removeEventListener("pointerup", release, true);
    window.removeEventListener("pointercancel", release, true);
    setTimeout(() => schedule(state), 50); // after Plotly's own mouseup handling
  };
  div.addEventListener(
    "pointerdown",
    () => {
      div.__lcPointerDown = true;
      div.__lcPointerDownAt = performance.now();
      window.addEventListener("pointerup", release, true);
      window.addEventListener("pointercancel", release, true);
    },
    true,
  );
  div.addEventListener(
    "wheel",
    () => {
      div.__lcWheelUntil = performance.now() + 300;
      clearTimeout(div.__lcWheelTimer);
      div.__lcWheelTimer = setTimeout(() => schedule(state), 320);
    },
    { capture: true, passive: true },
  );
}

function resizeAll(state) {
  for (const div of state.divs.values()) {
    if (div._fullLayout && div.offsetWidth && div.offsetWidth !== div._lcWidth) {
      div._lcWidth = div.offsetWidth;
      plotlyOf(div).Plots.resize(div);
    }
  }
}

function createState(parentElement) {
  const root = document.createElement("div");
  root.className = "lc-root";
  parentElement.appendChild(root);
  const state = {
    root,
    src: "",
    divs: new Map(), // chart id -> plot div
    applied: new Map(), // chart id -> digest drawn last
    pending: new Map(), // chart id -> newest chart payload not drawn yet
    frame: 0,
    busy: false,
    failed: false,
    resizeFrame: 0,
    teardown: 0,
    observer: null,
  };
  if (typeof ResizeObserver === "function") {
    state.observer = new ResizeObserver(() => {
      if (state.resizeFrame) return;
      state.resizeFrame = requestAnimationFrame(() => {
        state.resizeFrame = 0;
        resizeAll(state);
      });
    });
    state.observer.observe(root);
  }
  root.__liveChartState = state;
  return state;
}

function syncDivs(state, data) {
  const wanted = new Set();
  for (const chart of data.charts) {
    wanted.add(chart.id);
    let div = state.divs.get(chart.id);
    if (!div) {
      div = document.createElement("div");
      div.className = "lc-chart";
      div.dataset.chartId = chart.id;
      div.dataset.chartKey = data.charts.length === 1 && chart.id === data.key
        ? data.key
        : `${data.key}.${chart.id}`;
      state.root.appendChild(div);
      state.divs.set(chart.id, div);
      watchUser(state, div);
    }
    div.style.height = `${chart.height || data.height}px`;
  }
  for (const [id, div] of state.divs) {
    if (!wanted.has(id)) {
      if (plotlyOf(div)) plotlyOf(div).purge(div);
      div.remove();
      state.divs.delete(id);
      state.applied.delete(id);
      state.pending.delete(id);
    }
  }
  // Keep DOM order equal to the order sent from Python (moving nodes only
  // when it differs: a moved node would lose an ongoing drag).
  const order = [...state.root.querySelectorAll(":scope > .lc-chart")];
  if (data.charts.some((chart, i) => order[i] !== state.divs.get(chart.id))) {
    for (const chart of data.charts) state.root.appendChild(state.divs.get(chart.id));
  }
}

export default function liveChart(component) {
  const { data, parentElement } = component;
  if (!data || !Array.isArray(data.charts)) return undefined;
  // Start fetching and compiling plotly.js now, even with nothing to draw yet (preload).
  if (data.src) loadPlotly(data.src, data.full !== false).catch(() => {});

  let root = parentElement.querySelector(":scope > .lc-root");
  // Streamlit sometimes re-mounts the element on a full rerun (a new, empty
  // parentElement, mounted before or after the old one is removed): the
  // charts of the same key move into it with their zoom and Plotly state
  // instead of being drawn afresh. Keys are unique in a page, so the newest
  // mount of a key owns its charts.
  const roots = (window.__liveChartRoots = window.__liveChartRoots || new Map());
  if (!root) {
    const old = roots.get(data.key);
    if (old && old.__liveChartState) {
      parentElement.appendChild(old);
      root = old;
      stats().adopted = (stats().adopted || 0) + 1;
    }
  }
  const state = root ? root.__liveChartState : createState(parentElement);
  root = state.root;
  roots.set(data.key, root);
  root.dataset.liveChart = data.key;
  root.style.gridTemplateColumns = `repeat(${Math.max(1, data.columns || 1)}, minmax(0, 1fr))`;
  state.src = data.src;
  state.full = data.full !== false;

  syncDivs(state, data);
  for (const chart of data.charts) {
    // An unchanged chart (same digest as drawn or queued) costs nothing.
    const queued = state.pending.get(chart.id);
    const known = queued ? queued.digest : state.applied.get(chart.id);
    if (chart.digest && chart.digest === known) continue;
    if (queued) stats().coalesced += 1; // superseded before it was drawn
    state.pending.set(chart.id, chart);
    stats().received += 1;
  }
  if (state.pending.size) schedule(state);

  // Streamlit keeps only the newest cleanup and calls it on unmount, but it
  // also calls a cleanup at once when an update was superseded while the
  // module was loading, and when a full rerun re-mounts the element (whose
  // charts the new mount adopts, above). So tear down only if the element is
  // still gone a second later and no update has come since.
  if (state.teardown) {
    clearTimeout(state.teardown);
    state.teardown = 0;
  }
  return () => {
    clearTimeout(state.teardown);
    state.teardown = setTimeout(() => {
      state.teardown = 0;
      if (root.isConnected) return;
      if (state.frame) cancelAnimationFrame(state.frame);
      if (state.observer) state.observer.disconnect();
      for (const div of state.divs.values()) if (plotlyOf(div)) plotlyOf(div).purge(div);
      state.divs.clear();
      state.pending.clear();
      if (roots.get(data.key) === root) roots.delete(data.key);
    }, 1000);
  };
}
