//! The outbox: tickets (attachments included) waiting for a 2xx, kept in IndexedDB (database
//! `triage-widget`, store `outbox`, one record per idempotency key) so they survive reloads,
//! crashes and closed tabs. `localStorage["triage-widget:outbox"]` mirrors the number of records
//! so the loader can show the launcher badge and flush without loading the wasm first.
//!
//! Where IndexedDB is unavailable (some private modes, storage blocked) the entries are kept in
//! memory for the life of the page instead, with one console warning: sending still retries, but
//! a reload loses what was not delivered yet.

use std::cell::RefCell;
use std::fmt;

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, IdbDatabase, IdbObjectStore, IdbObjectStoreParameters, IdbRequest, IdbTransaction, IdbTransactionMode};

/// IndexedDB database name.
pub const DB_NAME: &str = "triage-widget";
/// Object store holding the entries, keyed by `key`.
pub const STORE: &str = "outbox";
/// Schema version of the database.
const DB_VERSION: u32 = 1;
/// localStorage key mirroring the number of entries.
pub const COUNT_KEY: &str = "triage-widget:outbox";

/// One file of a ticket.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// File name sent in the multipart part.
    pub name: String,
    /// The bytes (a `File` is a `Blob`).
    pub blob: Blob,
}

/// One ticket waiting for delivery.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    /// Idempotency key (UUID v4), sent as `Idempotency-Key` on every attempt.
    pub key: String,
    /// URL the ticket is POSTed to.
    pub endpoint: String,
    /// Extra request headers from the site owner's configuration.
    pub headers: Vec<(String, String)>,
    /// The ticket exactly as sent on every attempt (JSON text).
    pub ticket_json: String,
    pub attachments: Vec<Attachment>,
    /// Attempts made so far.
    pub attempts: u32,
    /// Earliest time of the next attempt, milliseconds since the Unix epoch.
    pub next_attempt_ms: f64,
    /// When Send was pressed, milliseconds since the Unix epoch.
    pub created_ms: f64,
}

/// A failure of the browser's storage, naming the operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxError {
    pub operation: &'static str,
    pub reason: String,
}

impl fmt::Display for OutboxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "triage-widget outbox (IndexedDB {DB_NAME}/{STORE}): {} failed: {}", self.operation, self.reason)
    }
}

impl std::error::Error for OutboxError {}

fn fail(operation: &'static str) -> impl Fn(JsValue) -> OutboxError {
    move |thrown| OutboxError { operation, reason: describe(&thrown) }
}

/// Best human-readable text of a thrown JS value (Error, DOMException, Event, string).
pub(crate) fn describe(thrown: &JsValue) -> String {
    if let Some(text) = thrown.as_string() {
        return text;
    }
    // An error event: the request that failed holds the DOMException.
    let error = Reflect::get(thrown, &"target".into())
        .ok()
        .filter(|target| !target.is_undefined() && !target.is_null())
        .and_then(|target| Reflect::get(&target, &"error".into()).ok())
        .filter(|error| !error.is_undefined() && !error.is_null())
        .unwrap_or_else(|| thrown.clone());
    let part = |name: &str| Reflect::get(&error, &name.into()).ok().and_then(|v| v.as_string());
    match (part("name"), part("message")) {
        (Some(name), Some(message)) if !message.is_empty() => format!("{name}: {message}"),
        (Some(name), _) => name,
        (None, Some(message)) => message,
        (None, None) => String::from("unknown error"),
    }
}

thread_local! {
    static DB: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
    /// Entries kept in memory where IndexedDB is unavailable.
    static MEMORY: RefCell<Vec<OutboxEntry>> = const { RefCell::new(Vec::new()) };
    static WARNED: RefCell<bool> = const { RefCell::new(false) };
}

/// Resolves when `request` succeeds, with its result.
async fn finished(request: &IdbRequest, operation: &'static str) -> Result<JsValue, OutboxError> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    outcome.map_err(fail(operation))?;
    request.result().map_err(fail(operation))
}

/// Resolves when `transaction` has committed.
async fn committed(transaction: &IdbTransaction, operation: &'static str) -> Result<(), OutboxError> {
    let promise = Promise::new(&mut |resolve, reject| {
        transaction.set_oncomplete(Some(&resolve));
        transaction.set_onerror(Some(&reject));
        transaction.set_onabort(Some(&reject));
    });
    JsFuture::from(promise).await.map(|_| ()).map_err(fail(operation))
}

async fn open() -> Result<IdbDatabase, OutboxError> {
    if let Some(db) = DB.with(|db| db.borrow().clone()) {
        return Ok(db);
    }
    let factory = web_sys::window()
        .ok_or_else(|| OutboxError { operation: "open", reason: "no window".into() })?
        .indexed_db()
        .map_err(fail("open"))?
        .ok_or_else(|| OutboxError { operation: "open", reason: "IndexedDB is not available".into() })?;
    let request = factory.open_with_u32(DB_NAME, DB_VERSION).map_err(fail("open"))?;
    let upgrading = request.clone();
    let upgrade = Closure::once_into_js(move |_event: web_sys::Event| {
        let Ok(result) = upgrading.result() else { return };
        let db: IdbDatabase = result.unchecked_into();
        if !db.object_store_names().contains(STORE) {
            let params = IdbObjectStoreParameters::new();
            params.set_key_path(&JsValue::from_str("key"));
            if let Err(thrown) = db.create_object_store_with_optional_parameters(STORE, &params) {
                web_sys::console::error_1(&format!("triage-widget: could not create the outbox store: {}", describe(&thrown)).into());
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db: IdbDatabase = finished(&request, "open").await?.unchecked_into();
    request.set_onupgradeneeded(None);
    // Another tab upgrading the schema asks us to step aside: close, and reopen on next use.
    let closing = db.clone();
    let on_version_change = Closure::once_into_js(move || {
        closing.close();
        DB.with(|db| *db.borrow_mut() = None);
    });
    db.set_onversionchange(Some(on_version_change.unchecked_ref()));
    DB.with(|cached| *cached.borrow_mut() = Some(db.clone()));
    Ok(db)
}

async fn store(mode: IdbTransactionMode, operation: &'static str) -> Result<(IdbTransaction, IdbObjectStore), OutboxError> {
    let db = open().await?;
    let transaction = match db.transaction_with_str_and_mode(STORE, mode) {
        Ok(transaction) => transaction,
        Err(_) => {
            // The cached connection may have been closed by the browser: reopen once.
            DB.with(|cached| *cached.borrow_mut() = None);
            open().await?.transaction_with_str_and_mode(STORE, mode).map_err(fail(operation))?
        }
    };
    let store = transaction.object_store(STORE).map_err(fail(operation))?;
    Ok((transaction, store))
}

fn warn_memory_fallback(error: &OutboxError) {
    let first = WARNED.with(|warned| !warned.replace(true));
    if first {
        web_sys::console::warn_1(
            &format!("{error}; unsent tickets are kept in memory only and are lost if this page is closed").into(),
        );
    }
}

/// Writes (or overwrites) `entry`; returns the number of entries afterwards. Falls back to memory
/// when IndexedDB fails, so it never loses the entry.
pub async fn put(entry: &OutboxEntry) -> u32 {
    let written = async {
        let (transaction, store) = store(IdbTransactionMode::Readwrite, "put").await?;
        store.put(&to_record(entry)).map_err(fail("put"))?;
        committed(&transaction, "put").await
    }
    .await;
    if let Err(error) = written {
        warn_memory_fallback(&error);
        MEMORY.with(|memory| {
            let mut memory = memory.borrow_mut();
            memory.retain(|kept| kept.key != entry.key);
            memory.push(entry.clone());
        });
    }
    sync_count().await
}

/// Removes the entry with `key` (no error if it is gone); returns the number of entries afterwards.
pub async fn remove(key: &str) -> u32 {
    MEMORY.with(|memory| memory.borrow_mut().retain(|kept| kept.key != key));
    let removed = async {
        let (transaction, store) = store(IdbTransactionMode::Readwrite, "delete").await?;
        store.delete(&JsValue::from_str(key)).map_err(fail("delete"))?;
        committed(&transaction, "delete").await
    }
    .await;
    if let Err(error) = removed {
        web_sys::console::error_1(&error.to_string().into());
    }
    sync_count().await
}

/// The entry with `key`, if it is still waiting.
pub async fn get(key: &str) -> Result<Option<OutboxEntry>, OutboxError> {
    if let Some(entry) = MEMORY.with(|memory| memory.borrow().iter().find(|kept| kept.key == key).cloned()) {
        return Ok(Some(entry));
    }
    let (_transaction, store) = store(IdbTransactionMode::Readonly, "get").await?;
    let request = store.get(&JsValue::from_str(key)).map_err(fail("get"))?;
    let record = finished(&request, "get").await?;
    if record.is_undefined() || record.is_null() {
        return Ok(None);
    }
    from_record(&record).map(Some)
}

/// Every waiting entry, oldest first. Records that cannot be read are reported and skipped.
pub async fn all() -> Result<Vec<OutboxEntry>, OutboxError> {
    let mut entries = Vec::new();
    for entry in MEMORY.with(|memory| memory.borrow().clone()) {
        insert_by_age(&mut entries, entry);
    }
    let stored = async {
        let (_transaction, store) = store(IdbTransactionMode::Readonly, "getAll").await?;
        let request = store.get_all().map_err(fail("getAll"))?;
        finished(&request, "getAll").await
    }
    .await;
    match stored {
        Ok(records) => {
            for record in Array::from(&records).iter() {
                match from_record(&record) {
                    Ok(entry) => insert_by_age(&mut entries, entry),
                    Err(error) => web_sys::console::error_1(&error.to_string().into()),
                }
            }
        }
        Err(error) if entries.is_empty() => return Err(error),
        Err(error) => warn_memory_fallback(&error),
    }
    Ok(entries)
}

/// Inserts `entry` after every entry created no later than it, keeping `entries` oldest first.
/// (An outbox holds a few tickets; a `sort_by` would add 3 KB of WebAssembly for them.)
fn insert_by_age(entries: &mut Vec<OutboxEntry>, entry: OutboxEntry) {
    let at = entries.partition_point(|kept| kept.created_ms <= entry.created_ms);
    entries.insert(at, entry);
}

/// Number of waiting entries, counted in storage.
pub async fn count() -> Result<u32, OutboxError> {
    let in_memory = MEMORY.with(|memory| memory.borrow().len()) as u32;
    let stored = async {
        let (_transaction, store) = store(IdbTransactionMode::Readonly, "count").await?;
        let request = store.count().map_err(fail("count"))?;
        finished(&request, "count").await
    }
    .await;
    match stored {
        Ok(value) => Ok(in_memory + value.as_f64().unwrap_or(0.0) as u32),
        Err(_) if in_memory > 0 => Ok(in_memory),
        Err(error) => Err(error),
    }
}

/// Recounts the entries and writes the number to `localStorage["triage-widget:outbox"]`
/// (removing the key at zero); returns it.
pub async fn sync_count() -> u32 {
    let counted = match count().await {
        Ok(counted) => counted,
        Err(error) => {
            web_sys::console::error_1(&error.to_string().into());
            return stored_count();
        }
    };
    if let Some(storage) = web_sys::window().and_then(|window| window.local_storage().ok().flatten()) {
        let written = if counted == 0 {
            storage.remove_item(COUNT_KEY)
        } else {
            storage.set_item(COUNT_KEY, &counted.to_string())
        };
        if let Err(thrown) = written {
            web_sys::console::warn_1(&format!("triage-widget: could not write localStorage[{COUNT_KEY}]: {}", describe(&thrown)).into());
        }
    }
    counted
}

/// The count last written to `localStorage["triage-widget:outbox"]` (0 when absent or unreadable).
pub fn stored_count() -> u32 {
    web_sys::window()
        .and_then(|window| window.local_storage().ok().flatten())
        .and_then(|storage| storage.get_item(COUNT_KEY).ok().flatten())
        .and_then(|text| text.trim().parse::<u32>().ok())
        .unwrap_or(0)
}

fn set(record: &Object, name: &str, value: &JsValue) {
    // Setting a plain property on a fresh Object cannot fail.
    let _ = Reflect::set(record, &JsValue::from_str(name), value);
}

fn to_record(entry: &OutboxEntry) -> Object {
    let record = Object::new();
    set(&record, "key", &entry.key.as_str().into());
    set(&record, "endpoint", &entry.endpoint.as_str().into());
    let headers: Array = entry
        .headers
        .iter()
        .map(|(name, value)| Array::of2(&name.as_str().into(), &value.as_str().into()))
        .collect();
    set(&record, "headers", &headers);
    set(&record, "ticket", &entry.ticket_json.as_str().into());
    let files: Array = entry.attachments.iter().map(|a| JsValue::from(a.blob.clone())).collect();
    let names: Array = entry.attachments.iter().map(|a| JsValue::from_str(&a.name)).collect();
    set(&record, "files", &files);
    set(&record, "names", &names);
    set(&record, "attempts", &entry.attempts.into());
    set(&record, "nextAttempt", &entry.next_attempt_ms.into());
    set(&record, "created", &entry.created_ms.into());
    record
}

fn from_record(record: &JsValue) -> Result<OutboxEntry, OutboxError> {
    let bad = |what: &str| OutboxError { operation: "read", reason: format!("record without a valid {what}") };
    let get = |name: &str| Reflect::get(record, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let text = |name: &'static str| get(name).as_string().ok_or_else(|| bad(name));
    let key = text("key")?;
    let headers = Array::from(&get("headers"))
        .iter()
        .filter_map(|pair| {
            let pair = Array::from(&pair);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect();
    let names = Array::from(&get("names"));
    let attachments = Array::from(&get("files"))
        .iter()
        .enumerate()
        .map(|(index, file)| {
            let blob: Blob = file.dyn_into().map_err(|_| bad("attachment"))?;
            let name = names.get(index as u32).as_string().unwrap_or_else(|| format!("attachment-{}", index + 1));
            Ok(Attachment { name, blob })
        })
        .collect::<Result<Vec<_>, OutboxError>>()
        .map_err(|error| OutboxError { operation: error.operation, reason: format!("{} (ticket {key})", error.reason) })?;
    Ok(OutboxEntry {
        endpoint: text("endpoint")?,
        headers,
        ticket_json: text("ticket")?,
        attachments,
        attempts: get("attempts").as_f64().unwrap_or(0.0) as u32,
        next_attempt_ms: get("nextAttempt").as_f64().unwrap_or(0.0),
        created_ms: get("created").as_f64().unwrap_or(0.0),
        key,
    })
}
