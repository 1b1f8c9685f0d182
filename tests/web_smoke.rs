//! Proves the browser test tier: this file runs in headless Chromium through
//! wasm-bindgen-test-runner, with a real DOM.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().and_then(|window| window.document()).expect("a browser window with a document")
}

#[wasm_bindgen_test]
fn runs_in_a_browser_with_a_dom() {
    let document = document();
    let body = document.body().expect("the test page has a <body>");
    let probe = document.create_element("div").expect("createElement works");
    probe.set_id("web-smoke-probe");
    probe.set_text_content(Some("Central de Ajuda"));
    body.append_child(&probe).expect("appendChild works");

    let found = document.get_element_by_id("web-smoke-probe").expect("the probe is in the document");
    let found: web_sys::HtmlElement = found.dyn_into().expect("a <div> is an HTMLElement");
    assert_eq!(found.inner_text(), "Central de Ajuda", "layout-aware innerText needs a real browser");
    found.remove();
    assert!(document.get_element_by_id("web-smoke-probe").is_none());
}

#[wasm_bindgen_test]
fn open_shadow_roots_hold_their_own_tree() {
    let document = document();
    let host = document.create_element("div").expect("createElement works");
    document.body().expect("<body>").append_child(&host).expect("appendChild works");
    let init = web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open);
    let root = host.attach_shadow(&init).expect("attachShadow works on a <div>");
    let button = document.create_element("button").expect("createElement works");
    button.set_class_name("tw-launcher");
    root.append_child(&button).expect("appendChild into the shadow root");

    assert!(document.query_selector(".tw-launcher").expect("valid selector").is_none(), "shadow content is not in the light DOM");
    assert!(root.query_selector(".tw-launcher").expect("valid selector").is_some());
    assert!(host.shadow_root().is_some(), "an open shadow root is reachable from its host");
    host.remove();
}
