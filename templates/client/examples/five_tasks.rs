//! Five common CDF tasks, one function each, as the README's side-by-side
//! table counts them: the lines between each function's braces are the
//! figure in the table. The example compiles against the crate, so the
//! table cannot drift from the API. `main` runs them in order against
//! the project the environment names.
//!
//! `cargo run --example five_tasks`

mod common;

use cdf_client::types::*;
use cdf_client::{Client, Error};
use futures::TryStreamExt;

/// Sequences whose name starts with `prefix` and that have `metadata.unit`.
async fn list_with_advanced_filter(client: &Client, prefix: &str) -> Result<Vec<GetSequenceDto>, Error> {
    let name = SequencesPrefixFilter::new(SequencesPrefixFilterPrefix::new(vec!["name".into()], prefix));
    let unit = SequencesExistsFilter::new(SequencesExistsFilterExists::new(vec!["metadata".into(), "unit".into()]));
    let filter = SequencesBoolFilterAnd::new(vec![name.into(), unit.into()]);
    let request = SequencesAdvancedListDto::new().advanced_filter(filter.into());
    client.sequences().advanced_list_sequences_stream(request).try_collect().await
}

/// The sequences with these externalIds.
async fn read_by_external_ids(client: &Client, ids: &[&str]) -> Result<Vec<GetSequenceDto>, Error> {
    let request = DataResourceIdsWithIgnoreUnknownIds::new(ids.iter().map(|&id| id.into()).collect());
    Ok(client.sequences().get_sequence_by_id(&request).await?.items)
}

/// A sequence with a numeric and a string column.
async fn create_with_columns(client: &Client, external_id: &str) -> Result<Vec<GetSequenceDto>, Error> {
    let columns = vec![
        PostSequenceColumnDto::new("depth").value_type(SequenceValueTypeEnum::Double),
        PostSequenceColumnDto::new("label").value_type(SequenceValueTypeEnum::String),
    ];
    let sequence = PostSequenceDto::new(columns).external_id(external_id);
    Ok(client.sequences().create_sequence(&DataPostSequence::new(vec![sequence])).await?.items)
}

/// Every row of one sequence, with the columns named by externalId.
async fn read_rows_by_columns(
    client: &Client,
    external_id: &str,
    columns: &[&str],
) -> Result<Vec<SequenceRowDto>, Error> {
    let mut rows = Vec::new();
    let mut cursor = None;
    loop {
        let mut select = SequenceDataRequestSelectByExternalId::new(external_id)
            .columns(columns.iter().map(|c| c.to_string()).collect());
        select.cursor = cursor.take();
        let page = client.sequences().get_sequence_data(&select.into()).await?;
        rows.extend(page.rows);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(rows),
        }
    }
}

/// A group whose members may read every sequence.
async fn create_group_with_one_acl(client: &Client, name: &str) -> Result<Vec<Group>, Error> {
    let acl = CognitesequencesAclAcl::new(
        vec![CognitesequencesAclAction::Read],
        CognitesequencesAclScope::all(GenericAclAllScope::new()),
    );
    let capability = CogniteCapabilityItem::new(CogniteCapabilityItemPart::sequences_acl(acl));
    let group = ManagedExternally::new(name).capabilities(vec![capability]);
    Ok(client.groups().create_groups(&DataGroupSpec::new(vec![group.into()])).await?.items)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = common::client_from_env()?;
    let listed = list_with_advanced_filter(&client, "pump").await?;
    println!("{} sequence(s) named pump* with a unit", listed.len());
    let created = create_with_columns(&client, "five-tasks-example").await?;
    println!("created {} sequence(s)", created.len());
    let read = read_by_external_ids(&client, &["five-tasks-example"]).await?;
    println!("read back {} sequence(s)", read.len());
    let rows = read_rows_by_columns(&client, "five-tasks-example", &["depth", "label"]).await?;
    println!("{} row(s)", rows.len());
    let groups = create_group_with_one_acl(&client, "five-tasks-readers").await?;
    println!("created {} group(s)", groups.len());
    Ok(())
}
