//! The sequences migration from API 0.6 to v1 (Cognite's page "Migrating
//! sequences from API 0.6 to v1"): every column without an externalId gets
//! its name, if that name is unique within its sequence, else the string of
//! its id.
//!
//! v1 identifies columns only by externalId and no longer returns column ids,
//! so this program prints the plan in the page's format and lists columns
//! whose new externalId needs the id (to be applied through API 0.6). Run:
//! `cargo run --example migrate_column_external_ids`

mod common;

use std::collections::BTreeMap;

use cdf_client::types::*;
use futures::TryStreamExt;

/// One column as the plan sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: Option<String>,
    pub external_id: Option<String>,
    pub id: Option<i64>,
}

/// What a column's externalId should become: unchanged, the name, the id as
/// text, or unknown (no unique name and no id known).
#[derive(Debug, Clone, PartialEq)]
pub enum NewExternalId {
    Keep(String),
    FromName(String),
    FromId(String),
    NeedsId,
}

/// The page's rule, for the columns of one sequence.
pub fn plan(columns: &[Column]) -> Vec<NewExternalId> {
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for c in columns {
        if let Some(n) = c.name.as_deref() {
            *names.entry(n).or_default() += 1;
        }
    }
    columns
        .iter()
        .map(|c| match (&c.external_id, c.name.as_deref(), c.id) {
            (Some(x), _, _) => NewExternalId::Keep(x.clone()),
            (None, Some(n), _) if names.get(n) == Some(&1) => NewExternalId::FromName(n.to_string()),
            (None, _, Some(id)) => NewExternalId::FromId(id.to_string()),
            (None, _, None) => NewExternalId::NeedsId,
        })
        .collect()
}

fn show(values: &[Option<String>]) -> String {
    let parts: Vec<String> = values
        .iter()
        .map(|v| v.as_ref().map_or("None".to_string(), |s| format!("'{s}'")))
        .collect();
    format!("[{}]", parts.join(", "))
}

#[tokio::main]
async fn main() -> Result<(), cdf_client::Error> {
    let client = common::client_from_env()?;
    let sequences: Vec<GetSequenceDto> = client
        .sequences()
        .advanced_list_sequences_stream(SequencesAdvancedListDto::new().limit(1000))
        .try_collect()
        .await?;
    let mut needs_id = 0;
    for s in &sequences {
        let columns: Vec<Column> = s
            .columns
            .iter()
            .map(|c| Column { name: c.name.clone(), external_id: c.external_id.clone(), id: None })
            .collect();
        if columns.iter().all(|c| c.external_id.is_some()) {
            continue;
        }
        let new: Vec<Option<String>> = plan(&columns)
            .into_iter()
            .map(|p| match p {
                NewExternalId::Keep(x) | NewExternalId::FromName(x) | NewExternalId::FromId(x) => Some(x),
                NewExternalId::NeedsId => {
                    needs_id += 1;
                    None
                }
            })
            .collect();
        let old: Vec<Option<String>> = columns.iter().map(|c| c.external_id.clone()).collect();
        println!("id: {}, externalid: {}", s.id, s.external_id.as_deref().unwrap_or("None"));
        println!("Old: {}", show(&old));
        println!("New: {}\n", show(&new));
    }
    println!("{} sequence(s) read; {needs_id} column(s) need their 0.6 id", sequences.len());
    Ok(())
}
