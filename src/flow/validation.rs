//! The contact form's rules as plain functions: which fields are missing or malformed, whether a
//! file may be attached, and which form field a receiver's error path (`contact.email`) names.

use triage_policy::model::{AttachmentRule, ContactField};

use crate::draft::FormFields;

/// A field of the form, as validation and server errors refer to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Email,
    Phone,
    Company,
    Subject,
    Description,
    Product,
    Attachments,
    EscalationReason,
}

impl Field {
    /// Fields in the order they appear on screen (focus goes to the first invalid one).
    pub const ORDER: [Field; 9] = [
        Field::EscalationReason,
        Field::Name,
        Field::Email,
        Field::Phone,
        Field::Company,
        Field::Product,
        Field::Subject,
        Field::Description,
        Field::Attachments,
    ];

    /// The DOM id of the field's control.
    pub fn dom_id(self) -> &'static str {
        match self {
            Field::Name => "tw-name",
            Field::Email => "tw-email",
            Field::Phone => "tw-phone",
            Field::Company => "tw-company",
            Field::Subject => "tw-subject",
            Field::Description => "tw-description",
            Field::Product => "tw-product",
            Field::Attachments => "tw-files",
            Field::EscalationReason => "tw-escalation-reason",
        }
    }

    /// The form field a receiver error's `field` path names (`contact.email`, `subject`,
    /// `attachments[1]`), if it names one the customer can fix.
    pub fn from_wire_path(path: &str) -> Option<Field> {
        let head = path
            .trim_start_matches("$.")
            .split('[')
            .next()
            .unwrap_or("");
        Some(match head {
            "contact.name" => Field::Name,
            "contact.email" => Field::Email,
            "contact.phone" => Field::Phone,
            "contact.company" => Field::Company,
            "subject" => Field::Subject,
            "description" => Field::Description,
            "product" => Field::Product,
            "attachments" => Field::Attachments,
            "escalation" | "escalation.reason" | "escalation.severity" => Field::EscalationReason,
            _ => return None,
        })
    }

    fn of_contact(field: ContactField) -> Field {
        match field {
            ContactField::Name => Field::Name,
            ContactField::Email => Field::Email,
            ContactField::Phone => Field::Phone,
            ContactField::Company => Field::Company,
            ContactField::Subject => Field::Subject,
            ContactField::Description => Field::Description,
            ContactField::Product => Field::Product,
        }
    }
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    EmailInvalid,
    /// A message from a file check, in the UI language, shown as is.
    Message(String),
    /// The endpoint refused the ticket with this message about the field.
    Rejected(String),
}

/// A plausible e-mail address: one `@`, a non-empty local part, a dotted domain, no spaces.
/// (Deliverability is the receiver's business; this catches typos like a missing `@` or domain.)
pub fn email_is_plausible(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
}

/// The text of a form field (empty for fields that are not text).
pub fn value(fields: &FormFields, field: Field) -> &str {
    match field {
        Field::Name => &fields.name,
        Field::Email => &fields.email,
        Field::Phone => &fields.phone,
        Field::Company => &fields.company,
        Field::Subject => &fields.subject,
        Field::Description => &fields.description,
        Field::Product => &fields.product,
        Field::Attachments | Field::EscalationReason => "",
    }
}

/// Where a form field's text is kept (`None` for fields that are not text).
pub fn value_mut(fields: &mut FormFields, field: Field) -> Option<&mut String> {
    Some(match field {
        Field::Name => &mut fields.name,
        Field::Email => &mut fields.email,
        Field::Phone => &mut fields.phone,
        Field::Company => &mut fields.company,
        Field::Subject => &mut fields.subject,
        Field::Description => &mut fields.description,
        Field::Product => &mut fields.product,
        Field::Attachments | Field::EscalationReason => return None,
    })
}

/// Every problem of the form's text fields, in screen order. `required` comes from the policy;
/// a product is only required when the policy lists products.
pub fn validate(
    fields: &FormFields,
    required: &[ContactField],
    has_products: bool,
) -> Vec<(Field, Problem)> {
    let mut problems = Vec::new();
    for field in Field::ORDER {
        let is_required = required
            .iter()
            .any(|r| Field::of_contact(*r) == field && (field != Field::Product || has_products));
        let text = value(fields, field).trim();
        if is_required && text.is_empty() {
            problems.push((field, Problem::Required));
        } else if field == Field::Email && !text.is_empty() && !email_is_plausible(text) {
            problems.push((field, Problem::EmailInvalid));
        }
    }
    problems
}

/// Why a file can't be attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// Its MIME type is not in the policy's list.
    Type,
    /// It is larger than `max_bytes`.
    TooLarge { max_bytes: u64 },
    /// `max_files` are attached already.
    TooMany { max_files: u32 },
}

/// Checks one file against the policy's attachment rule, given how many are attached already.
pub fn check_file(
    mime: &str,
    size: u64,
    already_attached: usize,
    rule: &AttachmentRule,
) -> Result<(), FileProblem> {
    if already_attached >= rule.max_files as usize {
        return Err(FileProblem::TooMany {
            max_files: rule.max_files,
        });
    }
    if !rule.types.iter().any(|t| t.eq_ignore_ascii_case(mime)) {
        return Err(FileProblem::Type);
    }
    if size > rule.max_bytes {
        return Err(FileProblem::TooLarge {
            max_bytes: rule.max_bytes,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_need_an_at_and_a_dotted_domain() {
        assert!(email_is_plausible("ana@example.com"));
        assert!(email_is_plausible(" ana.souza+tw@mail.example.com.br "));
        assert!(!email_is_plausible("ana.example.com"));
        assert!(!email_is_plausible("ana@example"));
        assert!(!email_is_plausible("@example.com"));
        assert!(!email_is_plausible("ana@@example.com"));
        assert!(!email_is_plausible("ana souza@example.com"));
        assert!(!email_is_plausible("ana@example..com"));
    }

    #[test]
    fn required_fields_follow_the_policy_and_come_in_screen_order() {
        let required = [
            ContactField::Description,
            ContactField::Email,
            ContactField::Name,
            ContactField::Product,
        ];
        let empty = FormFields::default();
        let problems = validate(&empty, &required, true);
        let fields: Vec<Field> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                Field::Name,
                Field::Email,
                Field::Product,
                Field::Description
            ]
        );
        // No products in the policy: product can't be required.
        let problems = validate(&empty, &required, false);
        assert!(!problems.iter().any(|(f, _)| *f == Field::Product));
    }

    #[test]
    fn an_optional_email_is_still_checked_when_given() {
        let fields = FormFields {
            email: "nope".into(),
            ..FormFields::default()
        };
        assert_eq!(
            validate(&fields, &[], false),
            vec![(Field::Email, Problem::EmailInvalid)]
        );
        let fields = FormFields {
            name: "  ".into(),
            ..FormFields::default()
        };
        assert_eq!(
            validate(&fields, &[ContactField::Name], false),
            vec![(Field::Name, Problem::Required)]
        );
    }

    #[test]
    fn files_are_checked_for_count_type_and_size() {
        let rule = AttachmentRule::default();
        assert_eq!(check_file("image/png", 1000, 0, &rule), Ok(()));
        assert_eq!(check_file("IMAGE/PNG", 1000, 0, &rule), Ok(()));
        assert_eq!(
            check_file("application/zip", 1000, 0, &rule),
            Err(FileProblem::Type)
        );
        assert_eq!(
            check_file("application/pdf", rule.max_bytes + 1, 0, &rule),
            Err(FileProblem::TooLarge {
                max_bytes: rule.max_bytes
            })
        );
        assert_eq!(
            check_file("image/png", 1, 5, &rule),
            Err(FileProblem::TooMany { max_files: 5 })
        );
    }

    #[test]
    fn receiver_error_paths_map_to_form_fields() {
        assert_eq!(Field::from_wire_path("contact.email"), Some(Field::Email));
        assert_eq!(Field::from_wire_path("$.subject"), Some(Field::Subject));
        assert_eq!(
            Field::from_wire_path("attachments[2]"),
            Some(Field::Attachments)
        );
        assert_eq!(Field::from_wire_path("severity"), None);
    }
}
