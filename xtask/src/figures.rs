//! The README's figures about the CDF crate, checked against a fresh
//! generation with the lock: each sentence that states a count must state
//! the one the generator gives today, so the README cannot drift from the
//! crate (it said 89 `*_stream` methods when the crate had 86).

use anyhow::{bail, Context, Result};
use cdf_codegen::Generated;
use regex::Regex;

/// A sentence of the README, as a pattern whose groups read numbers, and
/// the values they must read, in order.
struct Figure {
    pattern: &'static str,
    values: Vec<usize>,
}

/// Every figure the README states about the real crate, from `g`.
fn figures(g: &Generated) -> Result<Vec<Figure>> {
    let text = |prefix: &str| -> String {
        g.files
            .iter()
            .filter(|(path, _)| path.starts_with(prefix))
            .map(|(_, t)| t.as_str())
            .collect()
    };
    // Types are under `src/types/` of the client crate, or of each crate
    // of types when split (`crates/*/src/types/`).
    let types: String = g
        .files
        .iter()
        .filter(|(path, _)| {
            path.starts_with("src/types/")
                || path.starts_with("crates/") && path.contains("/src/types/")
        })
        .map(|(_, t)| t.as_str())
        .collect();
    let api = text("src/api/");
    let count = |pattern: &str, hay: &str| -> Result<usize> {
        Ok(Regex::new(pattern)?.find_iter(hay).count())
    };
    let r = &g.report;
    let merged: usize = r.shared.iter().map(|m| m.pointers.len()).sum();
    Ok(vec![
        Figure {
            pattern: r"(\d+) operations, (\d+) schemas\)",
            values: vec![g.methods.len(), r.schemas.seen],
        },
        Figure {
            pattern: r"\((\d+) of (\d+) on the real spec",
            values: vec![r.schemas.typed, r.schemas.seen],
        },
        Figure {
            pattern: r"the inline schemas they need \((\d+)\)",
            values: vec![r.schemas.inline_types],
        },
        Figure {
            pattern: r"(\d+) operations with `cursor`",
            values: vec![count(r"pub fn [a-z0-9_]+_stream\(", &api)?],
        },
        Figure {
            pattern: r"the (\d+) with `partition`",
            values: vec![count(r"pub fn [a-z0-9_]+_partitioned\(", &api)?],
        },
        Figure {
            pattern: r"(\d+) `From` impls on the real spec",
            values: vec![count(r"(?m)^impl From<", &types)? + conversion_entries(&types)?],
        },
        Figure {
            pattern: r"(\d+) schemas merged into (\d+) types",
            values: vec![merged, r.shared.len()],
        },
        Figure {
            pattern: r"of (\d+) names (\d+) are over 40 characters",
            values: vec![r.names.types, r.names.over_40],
        },
        Figure {
            pattern: r"and (\d+) of those are the spec's own",
            values: vec![r.names.over_40_from_spec],
        },
        Figure {
            pattern: r"(\d+) are over 60",
            values: vec![r.names.over_60],
        },
    ])
}

/// The `From` impls that `conversions!(Union { ctor(Ty), .. });` calls
/// write: one per `ctor(`.
fn conversion_entries(types: &str) -> Result<usize> {
    let call = Regex::new(r"(?s)conversions!\(\s*\w+\s*\{(.*?)\}\s*\);")?;
    let entry = Regex::new(r"\w+\(")?;
    Ok(call
        .captures_iter(types)
        .map(|c| entry.find_iter(&c[1]).count())
        .sum())
}

/// Checks `readme` against the figures of `g`: what was checked, or an
/// error listing every stale or missing figure.
pub fn check(readme: &str, g: &Generated) -> Result<String> {
    check_figures(readme, &figures(g)?)
}

/// Whitespace is read as one space, so a sentence may wrap.
fn check_figures(readme: &str, figures: &[Figure]) -> Result<String> {
    let text = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut stale = Vec::new();
    for f in figures {
        let re = Regex::new(f.pattern).with_context(|| f.pattern.to_string())?;
        let mut seen = 0;
        for caps in re.captures_iter(&text) {
            seen += 1;
            let read: Vec<usize> = caps
                .iter()
                .skip(1)
                .filter_map(|m| m.and_then(|m| m.as_str().parse().ok()))
                .collect();
            if read != f.values {
                stale.push(format!(
                    "`{}` says {read:?}, the crate has {:?}",
                    &caps[0], f.values
                ));
            }
        }
        if seen == 0 {
            stale.push(format!("no sentence matches `{}` any more", f.pattern));
        }
    }
    if !stale.is_empty() {
        bail!(
            "README.md states figures the real crate does not have:\n  {}",
            stale.join("\n  ")
        );
    }
    Ok(format!(
        "README figures: {} checked against the crate",
        figures.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streams(values: Vec<usize>) -> Vec<Figure> {
        vec![Figure {
            pattern: r"(\d+) operations with `cursor`",
            values,
        }]
    }

    #[test]
    fn figures_read_across_line_breaks_and_must_match() {
        let readme = "**Pagination**: 86\n  operations with `cursor` and";
        assert!(check_figures(readme, &streams(vec![86])).is_ok());
        let stale = check_figures(readme, &streams(vec![89])).unwrap_err();
        assert!(
            stale.to_string().contains("says [86], the crate has [89]"),
            "{stale}"
        );
    }

    #[test]
    fn a_sentence_that_is_gone_fails_too() {
        let gone = check_figures("no figures here", &streams(vec![86])).unwrap_err();
        assert!(gone.to_string().contains("no sentence matches"), "{gone}");
    }

    #[test]
    fn each_entry_of_a_conversions_call_is_one_from() {
        let types = "conversions!(\n    Id { Id(i64), external_id(String),\n    Many(Vec<i64>) }\n);\nconversions!(Other { A(B) });\nimpl From<&str> for Id {\n}\n";
        assert_eq!(conversion_entries(types).unwrap(), 4);
    }
}
