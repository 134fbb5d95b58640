//! Creates 5 000 sequences in one call and reads them back by externalId:
//! the bulk methods split the items into requests of at most 1000 (the
//! spec's `maxItems`) and send them concurrently, within the client's limit.
//!
//! `cargo run --example bulk_sequences -- my-prefix`

mod common;

use cdf_client::types::*;
use cdf_client::BulkOptions;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let prefix = std::env::args().nth(1).unwrap_or_else(|| "bulk-example".into());
    let client = common::client_from_env()?;
    let external_ids: Vec<String> = (0..5_000).map(|i| format!("{prefix}-{i:05}")).collect();
    let column = PostSequenceColumnDto::new("value").value_type(SequenceValueTypeEnum::Double);
    let create = DataPostSequence::new(
        external_ids
            .iter()
            .map(|id| {
                PostSequenceDto::new(vec![column.clone()])
                    .external_id(id)
                    .name(format!("Bulk example {id}"))
            })
            .collect(),
    );
    // Carry on past a failed chunk, then say exactly what was written.
    let options = BulkOptions::default().carry_on();
    match client.sequences().create_sequence_bulk(create, &options).await {
        Ok(created) => println!("created {} sequences", created.len()),
        Err(e) => {
            eprintln!("{e}");
            for (items, error) in e.failed() {
                eprintln!("{} items not created: {error}", items.len());
            }
            return Err(e.into());
        }
    }
    let read = DataResourceIdsWithIgnoreUnknownIds::new(
        external_ids.iter().map(DataResourceIdsItem::external_id).collect(),
    )
    .ignore_unknown_ids(false);
    let sequences = client.sequences().get_sequence_by_id_bulk(read, &BulkOptions::default()).await?;
    println!("read back {} sequences; first id {:?}", sequences.len(), sequences.first().map(|s| s.id));
    Ok(())
}
