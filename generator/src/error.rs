//! The one error type of the generator. Every variant names the place in the
//! spec it is about, so a maintainer can jump straight to the offending text.

use std::borrow::Cow;

use thiserror::Error;

/// What can go wrong while generating, each naming where.
#[derive(Debug, Error)]
pub enum Error {
    /// The text is not JSON or YAML at all.
    #[error("spec is not valid {format} at line {line}, column {column}: {message}")]
    Syntax {
        /// `JSON` or `YAML`.
        format: &'static str,
        /// The line of the spec text, from 1.
        line: usize,
        /// The column of the spec text, from 1.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// Parsed, but not an OpenAPI document the generator understands.
    #[error("{}: {message}", place(pointer))]
    Invalid {
        /// The JSON pointer, or a named place (`spec/codegen.toml: ...`).
        pointer: String,
        /// What is wrong there.
        message: String,
    },
    /// A `$ref` whose target does not exist or is not supported.
    #[error("{pointer}: $ref `{target}` {message}")]
    Reference {
        /// The JSON pointer of the `$ref`.
        pointer: String,
        /// The `$ref` as written.
        target: String,
        /// Why it cannot be followed.
        message: String,
    },
    /// Generated Rust that does not parse: a generator bug, reported with the item.
    #[error("internal: generated code for {item} does not parse: {message}")]
    Emit {
        /// The generated file or item.
        item: String,
        /// What the parser said.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// An [`Error::Invalid`] at `pointer` (a JSON pointer, or a named place such as
    /// `spec/codegen.toml: ...`).
    pub fn invalid(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    /// An [`Error::Io`] on `path`.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// The generator's result.
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
pub fn pointer_token(token: &str) -> Cow<'_, str> {
    // Borrowed when there is nothing to escape: the walks over a whole
    // document call this for every key.
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

/// Appends a token to a JSON pointer.
pub fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", pointer_token(token))
}
