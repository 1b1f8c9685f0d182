//! Interface languages of the widget (pt-BR, en, es): choosing one, the UI strings, and phrases
//! built from numbers (durations, progress, file sizes).

mod strings;

pub use strings::Strings;

use triage_policy::model::{Span, Unit};

/// A language the widget's interface is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    PtBr,
    En,
    Es,
}

impl Locale {
    /// BCP 47 tag, as sent with tickets and used for policy texts.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::PtBr => "pt-BR",
            Locale::En => "en",
            Locale::Es => "es",
        }
    }

    /// The interface language for a BCP 47 tag (`pt`, `pt-PT`, `en-GB`, `es-419`…), if supported.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let language = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match language.as_str() {
            "pt" => Some(Locale::PtBr),
            "en" => Some(Locale::En),
            "es" => Some(Locale::Es),
            _ => None,
        }
    }

    /// The UI strings of this locale.
    pub fn strings(self) -> &'static Strings {
        match self {
            Locale::PtBr => &strings::PT_BR,
            Locale::En => &strings::EN,
            Locale::Es => &strings::ES,
        }
    }
}

/// Picks the interface language: `data-locale`, else the page's `lang`, else the browser's
/// preferred languages in order, else English. Unsupported tags are skipped, not fatal.
pub fn negotiate<'a>(
    data_locale: Option<&str>,
    page_lang: Option<&str>,
    browser_languages: impl IntoIterator<Item = &'a str>,
) -> Locale {
    data_locale
        .and_then(Locale::from_tag)
        .or_else(|| page_lang.and_then(Locale::from_tag))
        .or_else(|| browser_languages.into_iter().find_map(Locale::from_tag))
        .unwrap_or(Locale::En)
}

/// The locale to format dates with: the browser's own tag when it is the same language as the
/// interface (so `en-GB` readers get "24 Nov, 15:30"), else the interface tag.
pub fn date_locale<'a>(ui: Locale, browser_languages: impl IntoIterator<Item = &'a str>) -> String {
    browser_languages
        .into_iter()
        .next()
        .filter(|tag| Locale::from_tag(tag) == Some(ui))
        .map(str::to_string)
        .unwrap_or_else(|| ui.tag().to_string())
}

/// "2 hours", "1 business day", "30 minutos", "2 días hábiles".
pub fn span_phrase(span: Span, locale: Locale) -> String {
    let one = span.amount == 1;
    let unit = match (locale, span.unit, one) {
        (Locale::PtBr, Unit::Minutes, true) => "minuto",
        (Locale::PtBr, Unit::Minutes, false) => "minutos",
        (Locale::PtBr, Unit::Hours, true) => "hora",
        (Locale::PtBr, Unit::Hours, false) => "horas",
        (Locale::PtBr, Unit::Days, true) => "dia",
        (Locale::PtBr, Unit::Days, false) => "dias",
        (Locale::PtBr, Unit::BusinessHours, true) => "hora útil",
        (Locale::PtBr, Unit::BusinessHours, false) => "horas úteis",
        (Locale::PtBr, Unit::BusinessDays, true) => "dia útil",
        (Locale::PtBr, Unit::BusinessDays, false) => "dias úteis",
        (Locale::En, Unit::Minutes, true) => "minute",
        (Locale::En, Unit::Minutes, false) => "minutes",
        (Locale::En, Unit::Hours, true) => "hour",
        (Locale::En, Unit::Hours, false) => "hours",
        (Locale::En, Unit::Days, true) => "day",
        (Locale::En, Unit::Days, false) => "days",
        (Locale::En, Unit::BusinessHours, true) => "business hour",
        (Locale::En, Unit::BusinessHours, false) => "business hours",
        (Locale::En, Unit::BusinessDays, true) => "business day",
        (Locale::En, Unit::BusinessDays, false) => "business days",
        (Locale::Es, Unit::Minutes, true) => "minuto",
        (Locale::Es, Unit::Minutes, false) => "minutos",
        (Locale::Es, Unit::Hours, true) => "hora",
        (Locale::Es, Unit::Hours, false) => "horas",
        (Locale::Es, Unit::Days, true) => "día",
        (Locale::Es, Unit::Days, false) => "días",
        (Locale::Es, Unit::BusinessHours, true) => "hora hábil",
        (Locale::Es, Unit::BusinessHours, false) => "horas hábiles",
        (Locale::Es, Unit::BusinessDays, true) => "día hábil",
        (Locale::Es, Unit::BusinessDays, false) => "días hábiles",
    };
    let mut phrase = span.amount.to_string();
    phrase.push(' ');
    phrase.push_str(unit);
    phrase
}

/// Replaces each `{}` in `template` with the next value, in order.
pub fn fill(template: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut values = values.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        out.push_str(&rest[..at]);
        out.push_str(values.next().copied().unwrap_or(""));
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

/// "within 2 hours" / "em até 2 horas".
pub fn within(span: Span, locale: Locale) -> String {
    fill(locale.strings().within, &[&span_phrase(span, locale)])
}

/// "on average 3 minutes" / "em média 3 minutos".
pub fn on_average(span: Span, locale: Locale) -> String {
    fill(locale.strings().on_average, &[&span_phrase(span, locale)])
}

/// "Question 2 of ~3" (`estimate` is the likely total; shown without "~" once it is certain).
pub fn progress_label(step: usize, estimate: usize, certain: bool, locale: Locale) -> String {
    let s = locale.strings();
    let template = if certain {
        s.question_of
    } else {
        s.question_of_about
    };
    fill(template, &[&step.to_string(), &estimate.to_string()])
}

/// Human file size: "850 KB", "2.5 MB" (decimal comma in pt-BR and es).
pub fn file_size(bytes: u64, locale: Locale) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    let (whole, tenth, unit) = if bytes >= MB {
        (bytes / MB, (bytes % MB) * 10 / MB, "MB")
    } else if bytes >= KB {
        (bytes / KB, 0, "KB")
    } else {
        (bytes, 0, "B")
    };
    let mut out = whole.to_string();
    if tenth > 0 {
        out.push(if locale == Locale::En { '.' } else { ',' });
        out.push_str(&tenth.to_string());
    }
    out.push(' ');
    out.push_str(unit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(amount: i64, unit: Unit) -> Span {
        Span { amount, unit }
    }

    #[test]
    fn data_locale_wins_then_page_lang_then_browser_then_english() {
        assert_eq!(negotiate(Some("es"), Some("pt-BR"), ["en-US"]), Locale::Es);
        assert_eq!(negotiate(Some("fr"), Some("pt"), ["en-US"]), Locale::PtBr);
        assert_eq!(negotiate(None, Some("de"), ["fr-FR", "es-419"]), Locale::Es);
        assert_eq!(negotiate(None, None, ["ja"]), Locale::En);
        assert_eq!(negotiate(None, Some(""), []), Locale::En);
        assert_eq!(negotiate(Some("pt_BR"), None, []), Locale::PtBr);
    }

    #[test]
    fn date_locale_keeps_the_browser_region_of_the_same_language() {
        assert_eq!(date_locale(Locale::En, ["en-GB", "pt-BR"]), "en-GB");
        assert_eq!(date_locale(Locale::PtBr, ["en-GB"]), "pt-BR");
        assert_eq!(date_locale(Locale::Es, []), "es");
    }

    #[test]
    fn spans_are_phrased_with_plural_and_business_units() {
        assert_eq!(within(span(2, Unit::Hours), Locale::En), "within 2 hours");
        assert_eq!(within(span(1, Unit::Hours), Locale::En), "within 1 hour");
        assert_eq!(
            within(span(30, Unit::Minutes), Locale::PtBr),
            "em até 30 minutos"
        );
        assert_eq!(
            within(span(1, Unit::BusinessDays), Locale::PtBr),
            "em até 1 dia útil"
        );
        assert_eq!(
            within(span(2, Unit::BusinessDays), Locale::PtBr),
            "em até 2 dias úteis"
        );
        assert_eq!(
            span_phrase(span(4, Unit::BusinessHours), Locale::En),
            "4 business hours"
        );
        assert_eq!(
            span_phrase(span(1, Unit::BusinessHours), Locale::Es),
            "1 hora hábil"
        );
        assert_eq!(span_phrase(span(7, Unit::Days), Locale::Es), "7 días");
        assert_eq!(
            on_average(span(3, Unit::Minutes), Locale::PtBr),
            "em média 3 minutos"
        );
        assert_eq!(
            on_average(span(6, Unit::Hours), Locale::En),
            "on average within 6 hours"
        );
    }

    #[test]
    fn progress_shows_an_estimate_until_the_depth_is_certain() {
        assert_eq!(
            progress_label(2, 3, false, Locale::PtBr),
            "Pergunta 2 de ~3"
        );
        assert_eq!(progress_label(3, 3, true, Locale::En), "Question 3 of 3");
    }

    #[test]
    fn fill_replaces_placeholders_in_order_and_tolerates_missing_values() {
        assert_eq!(fill("{} of {}", &["1", "2"]), "1 of 2");
        assert_eq!(fill("{} and {}", &["a"]), "a and ");
        assert_eq!(fill("none", &["a"]), "none");
    }

    #[test]
    fn file_sizes_use_the_locale_decimal_separator() {
        assert_eq!(file_size(512, Locale::En), "512 B");
        assert_eq!(file_size(850 * 1024, Locale::En), "850 KB");
        assert_eq!(file_size(5 * 1024 * 1024 / 2, Locale::En), "2.5 MB");
        assert_eq!(file_size(5 * 1024 * 1024 / 2, Locale::PtBr), "2,5 MB");
        assert_eq!(file_size(10 * 1024 * 1024, Locale::Es), "10 MB");
    }
}
