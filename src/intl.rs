//! The browser's `Intl` as the widget's time-zone database and date formatter: UTC offsets of IANA
//! zones (for the policy engine's [`ZoneResolver`]), the customer's own zone, and due times
//! formatted for the customer's locale in their zone.

use std::cell::RefCell;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use triage_policy::zone::{ZoneError, ZoneResolver};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `Intl.DateTimeFormat`, bound with a throwing constructor (an unknown zone is a RangeError).
    #[wasm_bindgen(js_namespace = Intl)]
    type DateTimeFormat;

    #[wasm_bindgen(catch, constructor, js_namespace = Intl)]
    fn new(locales: &JsValue, options: &JsValue) -> Result<DateTimeFormat, JsValue>;

    #[wasm_bindgen(method, js_name = formatToParts)]
    fn format_to_parts(this: &DateTimeFormat, epoch_ms: f64) -> js_sys::Array;

    #[wasm_bindgen(method)]
    fn format(this: &DateTimeFormat, epoch_ms: f64) -> String;

    #[wasm_bindgen(method, js_name = resolvedOptions)]
    fn resolved_options(this: &DateTimeFormat) -> js_sys::Object;
}

thread_local! {
    /// One numeric formatter per zone: building an `Intl.DateTimeFormat` is the expensive part.
    /// (A page sees a handful of zones, so a list; a `HashMap` would add its code to the wasm.)
    static OFFSET_FORMATTERS: RefCell<Vec<(String, Option<DateTimeFormat>)>> = const { RefCell::new(Vec::new()) };
    /// One display formatter per (locale, zone).
    static DISPLAY_FORMATTERS: RefCell<Vec<(String, String, DateTimeFormat)>> = const { RefCell::new(Vec::new()) };
}

fn options(pairs: &[(&str, &str)]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object
}

fn offset_formatter(zone: &str) -> Option<DateTimeFormat> {
    OFFSET_FORMATTERS.with(|cache| {
        if let Some((_, known)) = cache.borrow().iter().find(|(known_zone, _)| known_zone == zone) {
            return known.clone();
        }
        let opts = options(&[
            ("timeZone", zone),
            ("hourCycle", "h23"),
            ("year", "numeric"),
            ("month", "numeric"),
            ("day", "numeric"),
            ("hour", "numeric"),
            ("minute", "numeric"),
            ("second", "numeric"),
        ]);
        let formatter = DateTimeFormat::new(&JsValue::from_str("en-US"), &opts).ok();
        cache.borrow_mut().push((zone.to_string(), formatter.clone()));
        formatter
    })
}

impl Clone for DateTimeFormat {
    fn clone(&self) -> Self {
        self.unchecked_ref::<JsValue>().clone().unchecked_into()
    }
}

/// Wall-clock fields read from `formatToParts`.
fn wall_clock_seconds(parts: &js_sys::Array) -> Option<i64> {
    let (mut year, mut month, mut day, mut hour, mut minute, mut second) =
        (None, None, None, None, None, None);
    for part in parts.iter() {
        let kind = js_sys::Reflect::get(&part, &JsValue::from_str("type"))
            .ok()?
            .as_string()?;
        let value = js_sys::Reflect::get(&part, &JsValue::from_str("value"))
            .ok()?
            .as_string()?;
        let slot = match kind.as_str() {
            "year" => &mut year,
            "month" => &mut month,
            "day" => &mut day,
            "hour" => &mut hour,
            "minute" => &mut minute,
            "second" => &mut second,
            _ => continue,
        };
        *slot = value.parse::<i64>().ok();
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(year?).ok()?,
        u32::try_from(month?).ok()?,
        u32::try_from(day?).ok()?,
    )?;
    // Some engines print midnight as 24 even with h23; treat it as 0.
    let hour = hour? % 24;
    let local = date.and_hms_opt(
        u32::try_from(hour).ok()?,
        u32::try_from(minute?).ok()?,
        u32::try_from(second?).ok()?,
    )?;
    Some(local.and_utc().timestamp())
}

/// [`ZoneResolver`] backed by `Intl.DateTimeFormat` (no tz database in the wasm).
#[derive(Debug, Clone, Copy, Default)]
pub struct IntlZones;

impl ZoneResolver for IntlZones {
    fn offset_at(&self, zone: &str, utc: DateTime<Utc>) -> Result<FixedOffset, ZoneError> {
        let formatter = offset_formatter(zone).ok_or_else(|| ZoneError::unknown(zone))?;
        // Whole seconds: formatToParts has no sub-second field.
        let seconds = utc.timestamp();
        let parts = formatter.format_to_parts(seconds as f64 * 1000.0);
        let local = wall_clock_seconds(&parts).ok_or_else(|| {
            ZoneError::new(zone, "Intl.DateTimeFormat returned an unreadable date")
        })?;
        let offset = i32::try_from(local - seconds)
            .map_err(|_| ZoneError::new(zone, "offset out of range"))?;
        FixedOffset::east_opt(offset).ok_or_else(|| ZoneError::new(zone, "offset out of range"))
    }
}

/// The customer's IANA time zone as the browser reports it; `UTC` when it reports none.
pub fn customer_time_zone() -> String {
    DateTimeFormat::new(&JsValue::UNDEFINED, &JsValue::UNDEFINED)
        .ok()
        .and_then(|f| {
            js_sys::Reflect::get(&f.resolved_options(), &JsValue::from_str("timeZone")).ok()
        })
        .and_then(|zone| zone.as_string())
        .filter(|zone| !zone.is_empty())
        .unwrap_or_else(|| "UTC".to_string())
}

/// `instant` as a short weekday, day, month and time in `zone`, formatted for `locale`
/// (pt-BR: "ter., 24 de nov., 15:30"; en-GB: "Tue 24 Nov, 15:30"). Falls back to RFC 3339
/// when the browser can't format for that locale or zone.
pub fn format_due<Tz: TimeZone>(instant: &DateTime<Tz>, locale: &str, zone: &str) -> String {
    let formatter = DISPLAY_FORMATTERS.with(|cache| {
        let cached = cache.borrow().iter().find(|(l, z, _)| l == locale && z == zone).map(|(_, _, f)| f.clone());
        if cached.is_some() {
            return cached;
        }
        let opts = options(&[
            ("timeZone", zone),
            ("weekday", "short"),
            ("day", "numeric"),
            ("month", "short"),
            ("hour", "numeric"),
            ("minute", "2-digit"),
        ]);
        let formatter = DateTimeFormat::new(&JsValue::from_str(locale), &opts).ok()?;
        cache.borrow_mut().push((locale.to_string(), zone.to_string(), formatter.clone()));
        Some(formatter)
    });
    let epoch_ms = instant.timestamp_millis() as f64;
    match formatter {
        Some(formatter) => formatter.format(epoch_ms),
        None => instant.to_utc().to_rfc3339(),
    }
}

/// The current instant from the browser's clock.
pub fn now() -> DateTime<Utc> {
    let ms = js_sys::Date::now();
    Utc.timestamp_millis_opt(ms as i64)
        .single()
        .unwrap_or_default()
}
