/*! Triage Widget loader · docs: README.md */
// The one script a site owner pastes. Its budget is 1,536 B gzip once built (`cargo xtask size
// --check` fails above it), so it does only what has to happen before the widget's WebAssembly
// arrives:
//
// - puts the real `window.TriageWidget` API in place at once; calls made before the widget has
//   loaded wait in a queue (a `{ q: [[method, ...args], …] }` stub the page set up earlier is
//   replayed too, as the big chat widgets do);
// - draws the launcher button in an open shadow root on `<div id="triage-widget">`;
// - loads the widget on intent (pointer over / focus on the launcher, a click, `open()`), when the
//   browser is idle after the page's load event, or at once when the outbox holds tickets or the
//   panel was open before a navigation;
// - fetches every file with its SRI hash: the wasm (`fetch`), the glue (`modulepreload`) and the
//   stylesheet (`<link integrity>`);
// - keeps the launcher's badge, label and `aria-expanded` in step with the widget's events;
// - when the widget cannot load, logs one error and turns the launcher into a link to the
//   fallback contact (or removes it when there is no safe fallback);
// - `destroy()` removes it all; a second copy of the loader on the page does nothing.
//
// `cargo xtask build` minifies this file with terser and then replaces `__TRIAGE_MANIFEST__` with
// `[[css file, integrity], [glue file, integrity], [wasm file, integrity]]`, e.g.
// `[["tw.9d1f7091.css","sha256-…"],…]` (see ARCHITECTURE.md, widget ↔ loader). The built file is
// `dist/loader.js`; this source is never served to pages as is. Every byte counts: compare
// `cargo xtask size` before and after a change here (gzip rewards repetition, not short code).
((window, document) => {
  const STORAGE_PREFIX = "triage-widget:";
  const existingApi = window.TriageWidget;
  // A second copy of the loader on the same page leaves the first one in charge.
  if (existingApi?.v) return;

  /** `TriageWidget.on` listeners: `[event name, function]`, in the order they were added. */
  let listeners = [];
  /** The mounted widget's handle (`open`, `close`, `identify`, `prefill`, `destroy`). */
  let widget;
  /** The one load of the widget, started on first need. */
  let loading;
  let destroyed;
  /** `<div id="triage-widget">`, the shadow host, and the launcher button inside it. */
  let host;
  let launcher;

  /** `[method, args]` calls waiting for the widget to mount. */
  const queuedCalls = [];
  const script = document.currentScript;
  const options = script.dataset;
  const pageLang = document.documentElement.lang;
  // `{ href, integrity }` of each file (in xtask's `bundle::LOADER_ORDER`), its URL relative to
  // this script's own. The entry doubles as the `fetch` options and the `<link>` properties.
  const [css, glue, wasm] = __TRIAGE_MANIFEST__.map(([file, integrity]) => ({
    href: new URL(file, script.src),
    integrity,
  }));

  // Only https, http and mailto fallbacks are ever offered (never `javascript:`).
  const fallback = /^(https?|mailto):/i.test(options.fallback) && options.fallback;

  // The launcher's own words, [name, "queued" suffix], in the widget's locale.
  const [helpLabel, queuedLabel] = (
    { pt: "Ajuda,na fila", es: "Ayuda,en cola" }[
      (options.locale || pageLang || navigator.language).slice(0, 2)
    ] || "Help,queued"
  ).split(",");

  /** `localStorage` / `sessionStorage` access (`getItem` unless told) that survives storage being blocked. */
  const storage = (kind, key, method = "getItem") => {
    try {
      return window[kind + "Storage"][method](STORAGE_PREFIX + key);
    } catch {}
  };

  const element = (tag, properties) => Object.assign(document.createElement(tag), properties);

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
    const count = +storage("local", "outbox") || "";
    launcher.lastChild.textContent = count;
    launcher.ariaLabel = count ? `${helpLabel}: ${count} ${queuedLabel}` : helpLabel;
  };

  /** The `emit` function the widget sends its events through. */
  const emit = (name, detail) => {
    if (name == "open" || name == "close") launcher.ariaExpanded = name == "open";
    showOutboxCount();
    listeners.map(([listenerName, listener]) => listenerName == name && callSafely(() => listener(detail)));
    host.dispatchEvent(new CustomEvent("triage:" + name, { detail }));
  };

  const callWidget = ([method, args]) => callSafely(() => widget[method](...args));

  /** Fetches the wasm and the glue (both with their SRI hashes) and mounts the widget, once. */
  const load = () =>
    (loading ||= Promise.all([
      // The wasm downloads while the glue does; the glue instantiates it from this response.
      fetch(wasm.href, wasm),
      // `import()` takes no integrity; a modulepreload link with one makes the import use it.
      new Promise((resolve, reject) =>
        document.head.append(
          element("link", {
            ...glue,
            rel: "modulepreload",
            onload: () => resolve(import(glue.href)),
            onerror: () => reject(glue.href), // names the file that failed
          }),
        ),
      ),
    ])
      .then(async ([wasmResponse, glueModule]) => {
        await glueModule.default({ module_or_path: wasmResponse });
        if (destroyed) return; // destroy() during the load: mount nothing, replay nothing
        widget = glueModule.mount(
          host.shadowRoot,
          { ...options, headers: JSON.parse(options.headers || "{}"), pageLang, launcher },
          emit,
        );
        queuedCalls.splice(0).map(callWidget);
      })
      .catch((error) => {
        console.error("triage-widget: could not load the widget:", error);
        // The launcher now opens the fallback contact; with no safe fallback, no dead button either.
        fallback ? (launcher.onclick = () => window.open(fallback, "", "noopener")) : host.remove();
      }));

  const loadWhenIdle = () => (window.requestIdleCallback || setTimeout)(load);

  /** Draws the launcher and decides when to load the widget. Runs once `<body>` exists. */
  const drawLauncher = () => {
    if (destroyed) return;
    // Hidden until the stylesheet loads: its `:host { display: block }` then shows it styled.
    host = element("div", { id: "triage-widget", hidden: 1 });
    host.dataset.position = options.position || "right";
    launcher = element("button", {
      className: "tw-launcher",
      ariaHasPopup: "dialog",
      ariaExpanded: false,
      innerHTML: helpLabel + "<span class=tw-launcher-badge></span>",
      onpointerenter: load,
      onfocus: load,
      onclick: () => api[launcher.ariaExpanded == "true" ? "close" : "open"](),
    });
    host
      .attachShadow({ mode: "open" })
      .append(element("link", { ...css, rel: "stylesheet", crossOrigin: "" }), launcher);
    document.body.append(host);
    showOutboxCount();
    // The panel was open before this navigation: open it again.
    if (storage("session", "open")) api.open();
    if (queuedCalls.some(([method]) => method == "open") || +storage("local", "outbox") > 0) {
      load(); // to open, or to send what the outbox holds, without waiting
    } else if (document.readyState == "complete") {
      loadWhenIdle();
    } else {
      window.addEventListener("load", loadWhenIdle);
    }
  };

  const api = (window.TriageWidget = {
    v: 1,
    on: (name, listener) => listeners.push([name, listener]),
    off: (name, listener) =>
      (listeners = listeners.filter(([knownName, known]) => knownName != name || known != listener)),
    destroy: () => {
      destroyed = 1;
      widget?.destroy();
      listeners = [];
      host?.remove();
      storage("session", "open", "removeItem");
    },
  });
  for (const method of ["open", "close", "identify", "prefill"]) {
    api[method] = (...args) =>
      destroyed ||
      (widget
        ? callWidget([method, args])
        : (queuedCalls.push([method, args]), method == "open" && host && load()));
  }
  // Replay the calls a stub queued before this script ran.
  existingApi?.q?.map(([method, ...args]) => api[method]?.(...args));

  document.body ? drawLauncher() : document.addEventListener("DOMContentLoaded", drawLauncher);
})(window, document);
