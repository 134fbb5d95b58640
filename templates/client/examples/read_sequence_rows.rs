//! Reads the rows of one sequence (argument 1: its externalId), selecting
//! columns by their externalIds (arguments 2..; all columns when none),
//! following `nextCursor` until every row is read.
//!
//! `cargo run --example read_sequence_rows -- my_sequence depth temperature`

mod common;

use cdf_client::types::*;

#[tokio::main]
async fn main() -> Result<(), cdf_client::Error> {
    let mut args = std::env::args().skip(1);
    let Some(external_id) = args.next() else {
        eprintln!("usage: read_sequence_rows SEQUENCE_EXTERNAL_ID [COLUMN_EXTERNAL_ID...]");
        std::process::exit(2);
    };
    let columns: Vec<String> = args.collect();
    let client = common::client_from_env()?;
    let mut cursor = None;
    let mut total = 0;
    loop {
        let mut select = SequenceDataRequestSelectByExternalId::new(external_id.clone()).limit(10_000);
        select.columns = (!columns.is_empty()).then(|| columns.clone());
        select.cursor = cursor.take();
        let request = SequenceDataRequest::SelectByExternalId(select);
        let page = client.sequences().get_sequence_data(&request).await?;
        if total == 0 {
            let names: Vec<&str> = page.columns.iter().map(|c| c.external_id.as_deref().unwrap_or("")).collect();
            println!("rowNumber\t{}", names.join("\t"));
        }
        for row in &page.rows {
            let values: Vec<String> = row.values.iter().map(|v| format!("{v:?}")).collect();
            println!("{}\t{}", row.row_number, values.join("\t"));
        }
        total += page.rows.len();
        match page.next_cursor {
            Some(next) if !next.is_empty() => cursor = Some(next),
            _ => break,
        }
    }
    println!("{total} row(s)");
    Ok(())
}
