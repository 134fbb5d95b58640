//! A caller of the crate generated from `spec/fixtures/additive/old.yaml`,
//! written the way the crate is meant to be used. `tests/compile.rs`
//! builds it against that crate and against the one from `new.yaml`,
//! which only adds to the API: it must compile against both, unchanged.

use api::api::ListOrdersParams;
use api::types::*;

/// Builds requests with `new` and setters, and reads answers by field.
pub async fn place_and_list(client: &api::Client) -> Result<Vec<String>, api::Error> {
    let order = OrderCreate::new("sku-1", 2)
        .note("gift")
        .payment(PaymentMethod::Card(Card::new("4242")));
    let created = client.orders().create_order(&order).await?;
    let mut seen = vec![created.id.to_string()];
    let mut params = ListOrdersParams::new("open").limit(10);
    params.limit = Some(20);
    let page = client.orders().list_orders(&params).await?;
    for o in &page.items {
        seen.push(describe(o));
    }
    Ok(seen)
}

/// Matches the enum and the response union, with the arm for what a later
/// spec may add.
pub fn describe(order: &Order) -> String {
    let status = match &order.status {
        OrderStatus::Open => "open".to_string(),
        OrderStatus::Shipped => "shipped".to_string(),
        other => other.as_str().to_string(),
    };
    let paid = match &order.payment {
        Some(Payment::Card(card)) => format!("card {}", card.last4),
        Some(Payment::Invoice(invoice)) => format!("invoice {}", invoice.invoice_number),
        Some(_) => "other".to_string(),
        None => "unpaid".to_string(),
    };
    format!("{} {status} {paid}", order.id)
}
