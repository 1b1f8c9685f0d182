//! Typed errors of the engine: validation problems (each with a JSON path), classification and
//! due-time failures.

use std::fmt;

use crate::zone::{LocalError, ZoneError};

/// One problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PolicyError {
    /// JSON path of the offending value, e.g. `$.plans[1].targets.P3.resolution.limit.amount`.
    pub path: String,
    /// What is wrong, e.g. `must be positive, got 0`.
    pub message: String,
}

impl PolicyError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every problem found in a policy file, in document order (never empty).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct PolicyErrors(pub Vec<PolicyError>);

impl PolicyErrors {
    pub fn iter(&self) -> std::slice::Iter<'_, PolicyError> {
        self.0.iter()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a PolicyErrors {
    type Item = &'a PolicyError;
    type IntoIter = std::slice::Iter<'a, PolicyError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for PolicyErrors {
    type Item = PolicyError;
    type IntoIter = std::vec::IntoIter<PolicyError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// One problem per line.
impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyErrors {}

/// The answers given cannot be classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassifyError {
    /// The answer id is not one of the question's answers.
    UnknownAnswer { question: String, answer: String },
    /// The questionnaire is not finished: this question on the path has no answer yet.
    Unanswered { question: String },
}

impl fmt::Display for ClassifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClassifyError::UnknownAnswer { question, answer } => {
                write!(f, "question \"{question}\" has no answer \"{answer}\"")
            }
            ClassifyError::Unanswered { question } => {
                write!(f, "question \"{question}\" is not answered yet")
            }
        }
    }
}

impl std::error::Error for ClassifyError {}

/// A due time cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DueError {
    UnknownPlan {
        plan: String,
    },
    UnknownSeverity {
        severity: String,
    },
    UnknownChannel {
        channel: String,
    },
    UnknownCalendar {
        calendar: String,
    },
    /// A business unit in an always-open calendar, or an elapsed unit in one with opening hours.
    UnitMismatch {
        calendar: String,
        unit: crate::model::Unit,
    },
    Zone(ZoneError),
    /// The result would lie outside the supported range of dates (or the calendar never opens).
    OutOfRange,
}

impl fmt::Display for DueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DueError::UnknownPlan { plan } => write!(f, "unknown plan \"{plan}\""),
            DueError::UnknownSeverity { severity } => write!(f, "unknown severity \"{severity}\""),
            DueError::UnknownChannel { channel } => write!(f, "unknown channel \"{channel}\""),
            DueError::UnknownCalendar { calendar } => write!(f, "unknown calendar \"{calendar}\""),
            DueError::UnitMismatch { calendar, unit } => {
                write!(f, "calendar \"{calendar}\" cannot count {}", crate::model::unit_name(*unit))
            }
            DueError::Zone(e) => write!(f, "{e}"),
            DueError::OutOfRange => write!(f, "due time out of the supported range of dates"),
        }
    }
}

impl std::error::Error for DueError {}

impl From<ZoneError> for DueError {
    fn from(e: ZoneError) -> Self {
        DueError::Zone(e)
    }
}

impl From<LocalError> for DueError {
    fn from(e: LocalError) -> Self {
        match e {
            LocalError::Zone(z) => DueError::Zone(z),
            LocalError::OutOfRange => DueError::OutOfRange,
        }
    }
}
