//! The server URLs a client may talk to, and the rules that keep a bearer
//! token on them: the spec's URL template is filled in with checked values,
//! plain `http` is refused off this machine, and "same origin" is what the
//! redirect policy and the token use.

use std::collections::BTreeMap;

use url::{Host, Url};

use super::error::Error;

/// Fills `{name}` placeholders. Values are limited to RFC 3986 unreserved
/// characters: a cluster of `evil.example/x` would otherwise move the host,
/// and the token with it.
pub(crate) fn expand(template: &str, vars: &BTreeMap<String, String>) -> Result<String, Error> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| {
            Error::Config(format!("server template `{template}` has an unclosed `{{`"))
        })?;
        let name = &after[..close];
        let value = vars.get(name).ok_or_else(|| {
            Error::Config(format!(
                "server variable `{name}` is not set (template `{template}`)"
            ))
        })?;
        check_variable(name, value)?;
        out.push_str(value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn check_variable(name: &str, value: &str) -> Result<(), Error> {
    let unreserved = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
    if value.is_empty() || value == "." || value == ".." || !value.chars().all(unreserved) {
        return Err(Error::Config(format!(
            "server variable `{name}` must be letters, digits, `-`, `.`, `_` or `~`; got {value:?}"
        )));
    }
    Ok(())
}

/// Parses a server URL and applies the `http` rule. `what` names the setting
/// in errors.
pub(crate) fn parse_server(raw: &str, what: &str, allow_insecure: bool) -> Result<Url, Error> {
    let trimmed = raw.trim_end_matches('/');
    let url = Url::parse(trimmed)
        .map_err(|e| Error::Config(format!("{what} `{raw}` is not a URL: {e}")))?;
    if url.host().is_none() {
        return Err(Error::Config(format!("{what} `{raw}` has no host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "{what} `{raw}` may not have a query or fragment"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(format!(
            "{what} may not carry credentials in the URL"
        )));
    }
    check_scheme(&url, what, allow_insecure)?;
    Ok(url)
}

/// Tokens travel in clear over `http`, so it is allowed only to this machine
/// (tests, local proxies) unless the caller says otherwise.
pub(crate) fn check_scheme(url: &Url, what: &str, allow_insecure: bool) -> Result<(), Error> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure || is_loopback(url) => Ok(()),
        "http" => Err(Error::Config(format!(
            "{what} `{url}` uses plain http to a host that is not this machine; \
             use https or allow_insecure_http(true)"
        ))),
        other => Err(Error::Config(format!(
            "{what} `{url}` has scheme `{other}`; only https and http are supported"
        ))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Scheme, host and port: a different port is another server.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Server URL + encoded path + query. The path is checked against the
/// template first: an empty parameter or a dot segment would make the URL
/// name another resource (`/assets/` is the list, `%2E%2E` climbs up).
pub(crate) fn join(
    server: &Url,
    template: &str,
    path: &str,
    query: &[(String, String)],
) -> Result<Url, Error> {
    check_path(template, path)?;
    let base = server.as_str().trim_end_matches('/');
    let slash = if path.starts_with('/') { "" } else { "/" };
    let mut url = Url::parse(&format!("{base}{slash}{path}"))
        .map_err(|e| Error::InvalidRequest(format!("path `{path}` does not form a URL: {e}")))?;
    if !same_origin(&url, server) {
        return Err(Error::InvalidRequest(format!(
            "path `{path}` leaves the server {server}"
        )));
    }
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in query {
            pairs.append_pair(k, v);
        }
    }
    Ok(url)
}

fn check_path(template: &str, path: &str) -> Result<(), Error> {
    let names: Vec<&str> = template.split('/').collect();
    let values: Vec<&str> = path.split('/').collect();
    if names.len() != values.len() {
        return Err(Error::InvalidRequest(format!(
            "path `{path}` does not match template `{template}`; was a value not encoded with path_segment?"
        )));
    }
    for (name, value) in names.iter().zip(&values) {
        let decoded = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
        if decoded == "." || decoded == ".." {
            return Err(Error::InvalidRequest(format!(
                "path parameter {name} may not be `{decoded}`: URLs read it as a move up the path"
            )));
        }
        if value.is_empty() && name.starts_with('{') {
            return Err(Error::InvalidRequest(format!(
                "path parameter {name} is empty"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const CDF: &str = "https://{cluster}.cognitedata.com/api/v1/projects/{project}";

    #[test]
    fn template_is_filled() {
        let got = expand(CDF, &vars(&[("cluster", "westeurope-1"), ("project", "p")]));
        assert_eq!(
            got.unwrap(),
            "https://westeurope-1.cognitedata.com/api/v1/projects/p"
        );
    }

    #[test]
    fn unset_or_unsafe_variables_are_refused() {
        let err = expand(CDF, &vars(&[("cluster", "api")])).unwrap_err();
        assert!(err.to_string().contains("`project` is not set"), "{err}");
        for bad in ["evil.example/x", "a b", "", "..", "x@y", "a?b"] {
            let err = expand(CDF, &vars(&[("cluster", bad), ("project", "p")])).unwrap_err();
            assert!(err.to_string().contains("`cluster`"), "{bad}: {err}");
        }
    }

    #[test]
    fn http_only_to_loopback() {
        assert!(parse_server("http://127.0.0.1:8080/api", "base URL", false).is_ok());
        assert!(parse_server("http://[::1]:8080/api", "base URL", false).is_ok());
        assert!(parse_server("http://localhost/api", "base URL", false).is_ok());
        assert!(parse_server("http://example.com", "base URL", false).is_err());
        assert!(parse_server("http://example.com", "base URL", true).is_ok());
        assert!(parse_server("ftp://example.com", "base URL", true).is_err());
        assert!(parse_server("https://u:p@example.com", "base URL", false).is_err());
    }

    #[test]
    fn join_keeps_the_path_inside() {
        let s = parse_server("https://h.example/api/v1/projects/p/", "base URL", false).unwrap();
        let q = vec![("a".to_string(), "x y&z".to_string())];
        let url = join(&s, "/assets/{id}", "/assets/a%2Fb", &q).unwrap();
        assert_eq!(
            url.as_str(),
            "https://h.example/api/v1/projects/p/assets/a%2Fb?a=x+y%26z"
        );
        for bad in ["/assets/%2E%2E", "/assets/.", "/assets/", "/assets/a/b"] {
            assert!(
                matches!(
                    join(&s, "/assets/{id}", bad, &[]),
                    Err(Error::InvalidRequest(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn origins_compare_port() {
        let a = Url::parse("http://127.0.0.1:1/x").unwrap();
        let b = Url::parse("http://127.0.0.1:2/x").unwrap();
        let c = Url::parse("http://127.0.0.1:1/y").unwrap();
        assert!(!same_origin(&a, &b));
        assert!(same_origin(&a, &c));
    }
}
