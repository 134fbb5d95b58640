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
    let filter = SequencesFilterLanguage::SequencesBoolFilter(Box::new(SequencesBoolFilter::And(
        SequencesBoolFilterAnd {
            and: vec![
                SequencesFilterLanguage::SequencesLeafFilter(SequencesLeafFilter::SequencesPrefixFilter(
                    SequencesPrefixFilter {
                        prefix: SequencesPrefixFilterPrefix {
                            property: vec!["name".into()],
                            value: prefix,
                        },
                    },
                )),
                SequencesFilterLanguage::SequencesLeafFilter(SequencesLeafFilter::SequencesExistsFilter(
                    SequencesExistsFilter {
                        exists: SequencesExistsFilterExists {
                            property: vec!["metadata".into(), "unit".into()],
                        },
                    },
                )),
            ],
        },
    )));
    let request = SequencesAdvancedListDto {
        advanced_filter: Some(filter),
        limit: Some(100),
        ..Default::default()
    };
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
