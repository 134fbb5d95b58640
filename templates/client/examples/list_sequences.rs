//! Lists sequences with an `advancedFilter`: every sequence whose name starts
//! with a prefix (argument 1, default `pump`) and that has `metadata.unit`
//! set, following cursors to the end.
//!
//! `cargo run --example list_sequences -- pump`

mod common;

use cdf_client::types::*;
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), cdf_client::Error> {
    let prefix = std::env::args().nth(1).unwrap_or_else(|| "pump".into());
    let client = common::client_from_env()?;
    let name_prefix = SequencesPrefixFilter::new(SequencesPrefixFilterPrefix::new(vec!["name".into()], prefix));
    let has_unit = SequencesExistsFilter::new(SequencesExistsFilterExists::new(vec!["metadata".into(), "unit".into()]));
    // Each filter converts into the DSL's `SequencesFilterLanguage` with `into()`.
    let filter = SequencesBoolFilterAnd::new(vec![name_prefix.into(), has_unit.into()]).into();
    let request = SequencesAdvancedListDto::new().advanced_filter(filter).limit(100);
    let sequences: Vec<GetSequenceDto> = client
        .sequences()
        .advanced_list_sequences_stream(request)
        .try_collect()
        .await?;
    for s in &sequences {
        let columns: Vec<&str> = s.columns.iter().filter_map(|c| c.external_id.as_deref()).collect();
        println!("{} {:?}: columns {:?}", s.id, s.name, columns);
    }
    println!("{} sequence(s)", sequences.len());
    Ok(())
}
