/*! Triage Widget loader · docs: README.md */
// The one script a site owner pastes. Its budget is 1,536 B gzip once built (`cargo xtask size
// --check` fails above it), so it does only what has to happen before the widget's WebAssembly
// arrives:
//
// - puts the real `window.TriageWidget` API in place at once; calls made before the widget has
//   loaded wait in a queue (a `{ q: [[method, ...args], …] }` stub the page set up earlier is
//   replayed too, as the big chat widgets do);
// - draws the launcher button in an open shadow root on `<div id="triage-widget">`;
// - downloads and compiles the widget (`WebAssembly.compileStreaming`, off the main thread) when
//   the browser is idle after the page's load event, but instantiates and mounts it only on intent
//   (pointer over / focus on the launcher, a click, `open()`), or at once when the outbox holds
//   tickets or the panel was open before a navigation: a page whose visitor never reaches for the
//   widget runs none of its code;
// - on a click before the widget is there, shows the panel's frame at once with a busy state
//   (focused, labelled, a status line) until the widget's own panel replaces it;
// - fetches every file with its SRI hash: the wasm (`fetch`), the glue (`modulepreload`) and the
//   stylesheet (`<link integrity>`);
// - names the launcher as the site owner does: `data-<language>-label` (`data-en-label`, …) for
//   the widget's language, then `data-label`, then our own word; always as text, never as HTML
//   (`data-<language>-label` rather than `data-label-<language>`: the dataset key is then just
//   `language + "Label"`, 15 B gzip less);
// - keeps the launcher's badge, label and `aria-expanded` in step with the widget's events;
// - when the widget cannot load, logs one error and shows the fallback contact as a link in the
//   panel's frame, which the launcher opens (or removes the launcher when there is no safe
//   fallback);
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

  /** The mounted widget's handle (`open`, `close`, `identify`, `prefill`, `destroy`). */
  let widget;
  /** The one download and compilation of the widget: `[WebAssembly.Module, glue module, policy]`. */
  let fetched;
  /** The one instantiation and mount of the widget, started on intent. */
  let loading;
  /**
   * The panel's frame with a busy state, shown from a click until the widget's own panel is there
   * (or while it cannot come: then it holds the fallback contact). The stylesheet shows it while
   * the launcher is expanded and no `.tw-panel` of the widget follows it, and draws its spinner.
   */
  let busy;
  let failed;
  let destroyed;
  /** `<div id="triage-widget">`, the shadow host, and the launcher button inside it. */
  let host;
  let launcher;

  /** `[method, args]` calls waiting for the widget to mount. */
  const queuedCalls = [];
  const script = document.currentScript;
  const options = script.dataset;
  // `{ href, integrity }` of each file (in xtask's `bundle::LOADER_ORDER`), its URL relative to
  // this script's own. The entry doubles as the `fetch` options and the `<link>` properties.
  const [css, glue, wasm] = __TRIAGE_MANIFEST__.map(([file, integrity]) => ({
    href: new URL(file, script.src),
    integrity,
  }));

  // Only https, http and mailto fallbacks are ever offered (never `javascript:`).
  const fallback = /^(https?|mailto):/i.test(options.fallback) && options.fallback;

  // The widget's language as the widget picks it: the tag's, the page's, the browser's.
  const language = (options.locale || document.documentElement.lang || navigator.language).slice(0, 2);
  // The launcher's own words, [name, "queued" suffix, busy], in the widget's locale.
  const [ourLabel, queuedLabel, busyLabel] = (
    { pt: "Ajuda,na fila,Carregando…", es: "Ayuda,en cola,Cargando…" }[language] ||
    "Help,queued,Loading…"
  ).split(",");
  // `data-en-label` (`dataset.enLabel`), … for the widget's language, then `data-label`.
  const helpLabel =
    options[language + "Label"] || options.label || ourLabel;

  /** `localStorage` / `sessionStorage` access (`getItem` unless told) that survives storage being blocked. */
  const storage = (kind, key, method = "getItem") => {
    try {
      return window[kind + "Storage"][method](STORAGE_PREFIX + key);
    } catch {}
  };

  const element = (tag, properties) => Object.assign(document.createElement(tag), properties);

  /** Shows the number of queued tickets on the launcher's badge and in its accessible name. */
  const showOutboxCount = () => {
    const count = +storage("local", "outbox") || "";
    launcher.lastChild.textContent = count;
    launcher.ariaLabel = count ? `${helpLabel}: ${count} ${queuedLabel}` : helpLabel;
  };

  /** Calls the widget without letting its exception stop ours. */
  const callWidget = ([method, args]) => {
    try {
      widget[method](...args);
    } catch (error) {
      console.error(error);
    }
  };

  /**
   * Gives up, once: logs, and puts the fallback contact into the panel's frame, which the launcher
   * opens from now on (at once, if the customer is waiting on it). With no safe fallback the
   * launcher goes: no dead button. (`target=_blank` links open with noopener.)
   */
  const fail = (error) =>
    failed ||
    ((failed = 1),
    console.error("triage-widget: could not load:", error),
    fallback
      ? busy.replaceChildren(element("a", { href: fallback, target: "_blank", textContent: fallback }))
      : host.remove());

  /**
   * Downloads the wasm and the glue (both with their SRI hashes) and compiles the wasm off the
   * main thread, once; fetches the policy beside them, so the click never waits for it (its
   * `Response`, or the error it failed with: a policy that fails does not fail the load, the
   * widget fetches it again and reports what went wrong). Nothing of the widget runs yet.
   */
  const prefetch = () =>
    (fetched ||= Promise.all([
      WebAssembly.compileStreaming(fetch(wasm.href, wasm)),
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
      options.policy && fetch(options.policy).catch((error) => error),
    ]));

  /** Instantiates the compiled widget and mounts it, once: only on intent. */
  const load = () =>
    (loading ||= prefetch()
      .then(async ([module, glueModule, policy]) => {
        await glueModule.default({ module_or_path: module });
        if (destroyed) return; // destroy() during the load: mount nothing, replay nothing
        // The tag's dataset as it is: the widget parses `headers` and finds the page's language
        // and the launcher itself.
        // `showOutboxCount` is the `emit(name, detail)` the widget sends every event through (the
        // widget itself runs `on` listeners, dispatches `triage:<name>` on the host and sets the
        // launcher's `aria-expanded`).
        widget = glueModule.mount(host.shadowRoot, options, showOutboxCount, policy);
        queuedCalls.splice(0).map(callWidget);
      })
      .catch(fail));

  const loadWhenIdle = () => (window.requestIdleCallback || setTimeout)(() => prefetch().catch(fail));

  /** Draws the launcher and decides when to load the widget. Runs once `<body>` exists. */
  const drawLauncher = () => {
    if (destroyed) return;
    // Hidden until the stylesheet loads: its `:host { display: block }` then shows it styled.
    host = element("div", { id: "triage-widget", hidden: 1 });
    host.dataset.position = options.position || "";
    launcher = element("button", {
      className: "tw-launcher",
      ariaHasPopup: "dialog",
      ariaExpanded: false,
      onpointerenter: load,
      onfocus: load,
      onclick: () => api[launcher.ariaExpanded == "true" ? "close" : "open"](),
    });
    launcher.append(helpLabel, element("span", { className: "tw-launcher-badge" }));
    busy = element("p", { className: "tw-panel tw-busy", role: "status", tabIndex: -1, textContent: busyLabel });
    host
      .attachShadow({ mode: "open" })
      .append(element("link", { ...css, rel: "stylesheet", crossOrigin: "" }), launcher, busy);
    document.body.append(host);
    showOutboxCount();
    // The panel was open before this navigation: open it again.
    if (storage("session", "open")) api.open();
    if (queuedCalls.some(([method]) => method == "open") || +storage("local", "outbox")) {
      load(); // to open, or to send what the outbox holds, without waiting
    } else if (document.readyState == "complete") {
      loadWhenIdle();
    } else {
      window.addEventListener("load", loadWhenIdle);
    }
  };

  const api = (window.TriageWidget = {
    v: 1,
    destroy: () => {
      destroyed = 1;
      widget?.destroy();
      host?.remove();
      storage("session", "open", "removeItem");
    },
  });
  // `on`/`off` too: the widget keeps the listeners, those added before it loads wait in order.
  for (const method of ["open", "close", "identify", "prefill", "on", "off"]) {
    api[method] = (...args) =>
      destroyed ||
      (widget
        ? callWidget([method, args])
        : (queuedCalls.push([method, args]),
          host &&
          (method == "open"
            ? // The frame shows at once; focus on it brings its words to screen readers.
              ((launcher.ariaExpanded = true), busy.focus(), load())
            : method == "close" && (launcher.ariaExpanded = false))));
  }
  // Replay the calls a stub queued before this script ran.
  existingApi?.q?.map(([method, ...args]) => api[method]?.(...args));

  document.body ? drawLauncher() : document.addEventListener("DOMContentLoaded", drawLauncher);
})(window, document);
