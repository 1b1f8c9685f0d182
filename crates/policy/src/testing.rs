//! Test fixtures: a small, complete inline policy to parse as is or break on purpose.

use serde_json::{json, Value};

fn text(pt: &str, en: &str) -> Value {
    json!({ "pt-BR": pt, "en": en })
}

/// A valid policy: three severities, two questions with "not sure" answers, two plans, a 24/7 and
/// an office calendar (São Paulo, Mon–Fri 09:00–18:00, Christmas off), two channels.
pub(crate) fn sample() -> Value {
    json!({
        "id": "sample",
        "version": "2026-11-01",
        "locales": ["pt-BR", "en"],
        "name": text("Política de exemplo", "Sample policy"),
        "severities": [
            { "id": "P1", "label": text("Urgente", "Urgent"), "definition": text("Parado", "Down"),
              "examples": [text("Site fora do ar", "Site is down")] },
            { "id": "P2", "label": text("Alta", "High"), "definition": text("Degradado", "Degraded") },
            { "id": "P3", "label": text("Normal", "Normal"), "definition": text("Dúvida", "Question") }
        ],
        "questionnaire": {
            "start": "down",
            "questions": [
                { "id": "down", "prompt": text("O serviço parou?", "Is the service down?"),
                  "answers": [
                    { "id": "no", "label": text("Não", "No"), "reason": text("funciona", "it works"),
                      "next": { "severity": "P3" } },
                    { "id": "yes", "label": text("Sim", "Yes"), "reason": text("parou", "it is down"),
                      "next": { "question": "workaround" } },
                    { "id": "unsure", "label": text("Não sei", "Not sure"),
                      "reason": text("na dúvida, parado", "unsure, assumed down"), "unsure": true }
                  ] },
                { "id": "workaround", "prompt": text("Há contorno?", "Is there a workaround?"),
                  "answers": [
                    { "id": "exists", "label": text("Sim", "Yes"), "reason": text("há contorno", "a workaround exists"),
                      "next": { "severity": "P2" } },
                    { "id": "none", "label": text("Não", "No"), "reason": text("sem contorno", "no workaround exists"),
                      "next": { "severity": "P1" } },
                    { "id": "unsure", "label": text("Não sei", "Not sure"),
                      "reason": text("na dúvida, sem contorno", "unsure, assumed none"), "unsure": true }
                  ] }
            ]
        },
        "plans": [
            { "id": "business-plus", "label": text("Business Plus", "Business Plus"), "coverage": text("24/7", "24/7"),
              "targets": {
                "P1": { "first_response": { "limit": { "amount": 30, "unit": "minutes" },
                                            "average": { "amount": 15, "unit": "minutes" }, "calendar": "24x7" },
                        "resolution": { "limit": { "amount": 4, "unit": "hours" }, "calendar": "24x7" } },
                "P2": { "first_response": { "limit": { "amount": 1, "unit": "hours" }, "calendar": "24x7" },
                        "resolution": { "limit": { "amount": 8, "unit": "hours" }, "calendar": "24x7" } },
                "P3": { "first_response": { "limit": { "amount": 2, "unit": "hours" }, "calendar": "24x7" },
                        "resolution": { "limit": { "amount": 1, "unit": "business_days" }, "calendar": "office" } }
              } },
            { "id": "pro", "label": text("Pro", "Pro"), "coverage": text("Horário comercial", "Business hours"),
              "example_values": true,
              "targets": {
                "P1": { "first_response": { "limit": { "amount": 1, "unit": "business_hours" }, "calendar": "office" },
                        "resolution": { "limit": { "amount": 8, "unit": "business_hours" }, "calendar": "office" } },
                "P2": { "first_response": { "limit": { "amount": 2, "unit": "business_hours" }, "calendar": "office" },
                        "resolution": { "limit": { "amount": 2, "unit": "business_days" }, "calendar": "office" } },
                "P3": { "first_response": { "limit": { "amount": 4, "unit": "business_hours" }, "calendar": "office" },
                        "resolution": { "limit": { "amount": 5, "unit": "business_days" }, "calendar": "office" } }
              } }
        ],
        "calendars": [
            { "id": "24x7", "time_zone": "America/Sao_Paulo", "label": text("24 horas", "Around the clock"),
              "always_open": true },
            { "id": "office", "time_zone": "America/Sao_Paulo", "label": text("Dias úteis", "Business days"),
              "hours": { "mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]], "wed": [["09:00", "18:00"]],
                         "thu": [["09:00", "18:00"]], "fri": [["09:00", "18:00"]] },
              "holidays": [ { "date": "2026-12-25", "name": text("Natal", "Christmas") } ] }
        ],
        "channels": [
            { "id": "chat", "label": text("Chat", "Chat"),
              "first_response": { "limit": { "amount": 4, "unit": "minutes" },
                                  "average": { "amount": 2, "unit": "minutes" }, "calendar": "24x7" } },
            { "id": "email", "label": text("E-mail", "Email"),
              "first_response": { "limit": { "amount": 24, "unit": "hours" }, "calendar": "24x7" } }
        ],
        "products": [
            { "id": "shop", "label": text("Loja", "Shop"), "status_page": "https://status.example.com" }
        ],
        "escalation": { "allowed": true, "help": text("Se o impacto for maior", "If the impact is higher") }
    })
}
