//! Triage Widget: the embeddable support-intake widget (Leptos CSR, WebAssembly).
