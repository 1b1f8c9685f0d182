/*! Triage Widget loader · docs: README.md */
// The one script a site owner pastes. Its budget is 1.5 KB gzip once built (`cargo xtask size`),
// so it does only what has to happen before the widget's WebAssembly arrives:
//
// - puts the real `window.TriageWidget` API in place at once; calls made before the widget has
//   loaded wait in a queue (a `{ q: [[method, ...args], …] }` stub the page set up earlier is
//   replayed too, as the big chat widgets do);
// - draws the launcher button in an open shadow root on `<div id="triage-widget">`;
// - loads the widget on intent (pointer over / focus on the launcher, a click, `open()`), when the
//   browser is idle after the page's load event, or at once when the outbox holds tickets or the
//   panel was open before a navigation;
// - keeps the launcher's badge, label and `aria-expanded` in step with the widget's events;
// - when the widget cannot load, logs one error and turns the launcher into a link to the
//   fallback contact (or removes it when there is no safe fallback).
//
// `cargo xtask build` minifies this file with terser and then replaces `__TRIAGE_MANIFEST__` with
// `{"js":{"file","integrity"},"wasm":{…},"css":{…}}` (see ARCHITECTURE.md, widget ↔ loader).
// The built file is `dist/loader.js`; this source is never served to pages as is.
((window, document) => {
  const STORAGE_PREFIX = "triage-widget:";
  const existingApi = window.TriageWidget;
  // A second copy of the loader on the same page leaves the first one in charge.
  if (existingApi?.v) return;

  const script = document.currentScript;
  const options = script.dataset;
  const manifest = __TRIAGE_MANIFEST__;
  const pageLang = document.documentElement.lang;

  /** `TriageWidget.on` listeners: event name → functions. */
  let listeners = {};
  /** `[method, args]` calls waiting for the widget to mount. */
  const queuedCalls = [];
  /** The mounted widget's handle (`open`, `close`, `identify`, `prefill`, `destroy`). */
  let widget;
  /** The one load of the widget, started on first need. */
  let loading;
  let loadFailed;
  let destroyed;
  /** `<div id="triage-widget">`, the shadow host, and the launcher button inside it. */
  let host;
  let launcher;

  // Only https, http and mailto fallbacks are ever offered (never `javascript:`).
  const fallback = /^(https?|mailto):/i.test(options.fallback) && options.fallback;

  // The launcher's own words, [name, "queued" suffix], in the widget's locale.
  const [helpLabel, queuedLabel] = (
    { pt: "Ajuda,na fila", es: "Ayuda,en cola" }[
      (options.locale || pageLang || navigator.language).slice(0, 2)
    ] || "Help,queued"
  ).split(",");

  /** `localStorage` / `sessionStorage` read that survives storage being blocked. */
  const readStorage = (kind, key) => {
    try {
      return window[kind + "Storage"].getItem(STORAGE_PREFIX + key);
    } catch {}
  };

  /** URL of one of the manifest's files, relative to this script's own URL. */
  const fileUrl = (kind) => new URL(manifest[kind].file, script.src).href;

  /** Calls page-supplied or widget code without letting its exception stop ours. */
  const callSafely = (fn) => {
    try {
      fn();
    } catch (error) {
      console.error(error);
    }
  };

  /** Shows the number of queued tickets on the launcher's badge and in its accessible name. */
  const showOutboxCount = () => {
    const count = +readStorage("local", "outbox") || "";
    launcher.lastChild.textContent = count;
    launcher.ariaLabel = count ? `${helpLabel}: ${count} ${queuedLabel}` : helpLabel;
  };

  /** The `emit` function the widget sends its events through. */
  const emit = (name, detail) => {
    if (name == "open" || name == "close") launcher.ariaExpanded = name == "open";
    showOutboxCount();
    listeners[name]?.map((listener) => callSafely(() => listener(detail)));
    host.dispatchEvent(new CustomEvent("triage:" + name, { detail }));
  };

  const callWidget = ([method, args]) => callSafely(() => widget[method](...args));

  /** Fetches the wasm and the glue (both with their SRI hashes) and mounts the widget, once. */
  const load = () =>
    (loading ||= Promise.all([
      // The wasm downloads while the glue does; the glue instantiates it from this response.
      fetch(fileUrl("wasm"), { integrity: manifest.wasm.integrity }),
      // `import()` takes no integrity; a modulepreload link with one makes the import use it.
      new Promise((resolve, reject) => {
        const preload = document.createElement("link");
        preload.rel = "modulepreload";
        preload.href = fileUrl("js");
        preload.integrity = manifest.js.integrity;
        preload.onload = () => resolve(import(preload.href));
        preload.onerror = () => reject(preload.href); // names the file that failed
        document.head.append(preload);
      }),
    ])
      .then(async ([wasmResponse, glue]) => {
        await glue.default({ module_or_path: wasmResponse });
        if (destroyed) return; // destroy() during the load: mount nothing, replay nothing
        widget = glue.mount(
          host.shadowRoot,
          { ...options, headers: JSON.parse(options.headers || "{}"), pageLang, launcher },
          emit,
        );
        queuedCalls.splice(0).map(callWidget);
      })
      .catch((error) => {
        loadFailed = 1;
        console.error("triage-widget: could not load the widget:", error);
        // No safe fallback: no dead button either.
        fallback || host.remove();
      }));

  const loadWhenIdle = () => (window.requestIdleCallback || setTimeout)(load);

  /** Draws the launcher and decides when to load the widget. Runs once `<body>` exists. */
  const drawLauncher = () => {
    if (destroyed) return;
    host = document.createElement("div");
    host.id = "triage-widget";
    // Hidden until the stylesheet loads: its `:host { display: block }` then shows it styled.
    host.hidden = 1;
    host.dataset.position = options.position || "right";
    host.attachShadow({ mode: "open" }).innerHTML =
      `<link rel=stylesheet crossorigin href="${fileUrl("css")}" integrity="${manifest.css.integrity}">` +
      `<button class=tw-launcher aria-haspopup=dialog aria-expanded=false>${helpLabel}<span class=tw-launcher-badge></span></button>`;
    launcher = host.shadowRoot.lastChild;
    document.body.append(host);
    showOutboxCount();
    launcher.onpointerenter = launcher.onfocus = load;
    launcher.onclick = () =>
      loadFailed
        ? fallback && window.open(fallback, "", "noopener")
        : widget
          ? widget[launcher.ariaExpanded == "true" ? "close" : "open"]()
          : api.open();
    // The panel was open before this navigation: open it again.
    if (readStorage("session", "open")) api.open();
    if (queuedCalls.some(([method]) => method == "open") || readStorage("local", "outbox") > 0) {
      load(); // to open, or to send what the outbox holds, without waiting
    } else if (document.readyState == "complete") {
      loadWhenIdle();
    } else {
      window.addEventListener("load", loadWhenIdle);
    }
  };

  const api = (window.TriageWidget = {
    v: 1,
    on: (name, listener) => (listeners[name] ||= []).push(listener),
    off: (name, listener) => (listeners[name] = listeners[name]?.filter((known) => known != listener)),
    destroy: () => {
      destroyed = 1;
      widget?.destroy();
      widget = 0;
      listeners = {};
      host?.remove();
      try {
        sessionStorage.removeItem(STORAGE_PREFIX + "open");
      } catch {}
    },
  });
  for (const method of ["open", "close", "identify", "prefill"]) {
    api[method] = (...args) =>
      destroyed ||
      (widget
        ? callWidget([method, args])
        : (queuedCalls.push([method, args]), method == "open" && host && !loadFailed && load()));
  }
  // Replay the calls a stub queued before this script ran.
  existingApi?.q?.map(([method, ...args]) => api[method]?.(...args));

  document.body ? drawLauncher() : document.addEventListener("DOMContentLoaded", drawLauncher);
})(window, document);
