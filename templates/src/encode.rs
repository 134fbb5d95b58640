//! Encoding of values that the generated code puts into URLs.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
/// A strict set rather than the looser "path" set, so that a value can never
/// add a segment, a query or a fragment, whatever it holds.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment: everything but RFC 3986 unreserved characters, so '/', '?', '#', '%', ' ', '..' and unicode can never escape the segment ("a/b c?#%é" -> "a%2Fb%20c%3F%23%25%C3%A9"; ".." -> "%2E%2E").
///
/// Note that URL parsers (the `url` crate included) still read `%2E%2E` as
/// `..`; the client therefore refuses such paths before sending, instead of
/// letting them climb to a parent resource.
pub fn path_segment(value: &str) -> String {
    if value == "." || value == ".." {
        return value.replace('.', "%2E");
    }
    utf8_percent_encode(value, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_characters_stay() {
        assert_eq!(path_segment("a/b c?#%é"), "a%2Fb%20c%3F%23%25%C3%A9");
        assert_eq!(path_segment("Az09-._~"), "Az09-._~");
        assert_eq!(path_segment("a+b&c=d;e"), "a%2Bb%26c%3Dd%3Be");
    }

    #[test]
    fn dot_segments_are_encoded() {
        assert_eq!(path_segment(".."), "%2E%2E");
        assert_eq!(path_segment("."), "%2E");
        assert_eq!(path_segment("..."), "...");
        assert_eq!(path_segment("a..b"), "a..b");
    }
}
