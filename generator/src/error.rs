//! The one error type of the generator. Every variant names the place in the
//! spec it is about, so a maintainer can jump straight to the offending text.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    /// The text is not JSON or YAML at all.
    #[error("spec is not valid {format} at line {line}, column {column}: {message}")]
    Syntax {
        format: &'static str,
        line: usize,
        column: usize,
        message: String,
    },
    /// Parsed, but not an OpenAPI document the generator understands.
    #[error("{}: {message}", place(pointer))]
    Invalid { pointer: String, message: String },
    /// A `$ref` whose target does not exist or is not supported.
    #[error("{pointer}: $ref `{target}` {message}")]
    Reference {
        pointer: String,
        target: String,
        message: String,
    },
    /// Generated Rust that does not parse: a generator bug, reported with the item.
    #[error("internal: generated code for {item} does not parse: {message}")]
    Emit { item: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn invalid(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A pointer as shown in messages: the empty pointer is the whole document.
fn place(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the document root"
    } else {
        pointer
    }
}

/// Escapes one JSON-pointer token (RFC 6901).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends a token to a JSON pointer.
pub fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", pointer_token(token))
}
