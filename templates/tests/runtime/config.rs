use cdf_client_runtime::client::Client;
use cdf_client_runtime::error::Error;

const CDF: &str = "https://{cluster}.cognitedata.com/api/v1/projects/{project}";
const DEFAULTS: &[(&str, &str)] = &[("cluster", "api"), ("project", "publicdata")];

#[test]
fn plain_http_is_refused_off_this_machine() {
    let got = Client::builder().base_url("http://example.com").build();
    assert!(matches!(got, Err(Error::Config(_))), "{got:?}");
    let got = Client::builder()
        .base_url("http://example.com")
        .allow_insecure_http(true)
        .build();
    assert!(got.is_ok());
    let got = Client::builder()
        .base_url("http://127.0.0.1:9/api/v1/projects/p")
        .build();
    assert!(got.is_ok());
}

#[test]
fn template_takes_defaults_and_variables() {
    let c = Client::builder()
        .server_template(CDF, DEFAULTS)
        .build()
        .unwrap();
    assert_eq!(
        c.base_url(),
        "https://api.cognitedata.com/api/v1/projects/publicdata"
    );
    let c = Client::builder()
        .server_template(CDF, DEFAULTS)
        .cluster("westeurope-1")
        .project("my-project")
        .build()
        .unwrap();
    assert_eq!(
        c.base_url(),
        "https://westeurope-1.cognitedata.com/api/v1/projects/my-project"
    );
}

#[test]
fn bad_settings_are_config_errors() {
    let cases = [
        // No server at all: the bare builder has no template.
        cdf_client_runtime::builder::ClientBuilder::default().build(),
        Client::builder()
            .server_template(CDF, &[("cluster", "api")])
            .build(),
        Client::builder()
            .server_template(CDF, DEFAULTS)
            .cluster("evil.example/x")
            .build(),
        Client::builder()
            .server_template(CDF, DEFAULTS)
            .server_variable("projet", "typo")
            .build(),
        Client::builder()
            .base_url("https://h.example")
            .app_name("a\r\nx-evil: 1")
            .build(),
        Client::builder()
            .base_url("https://h.example")
            .cdf_version("v\n")
            .build(),
        Client::builder()
            .base_url("https://h.example")
            .bearer_token("t\r\n")
            .build(),
        Client::builder()
            .base_url("https://h.example")
            .client_credentials("http://idp.example/token", "id", "s", vec![])
            .build(),
        Client::builder()
            .base_url("https://h.example")
            .max_concurrency(0)
            .build(),
        Client::builder().base_url("not a url").build(),
    ];
    for (i, got) in cases.into_iter().enumerate() {
        assert!(matches!(got, Err(Error::Config(_))), "case {i}: {got:?}");
    }
}

#[test]
fn client_builder_starts_from_the_spec_server() {
    let client = Client::builder()
        .project("p1")
        .bearer_token("t")
        .build()
        .unwrap();
    let expected = cdf_client_runtime::SERVER_TEMPLATE
        .replace("{cluster}", "api")
        .replace("{project}", "p1");
    assert_eq!(client.base_url(), expected);
}

#[test]
fn client_is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Client>();
}

#[test]
fn execute_can_be_spawned() {
    fn assert_send<T: Send + 'static>(_: T) {}
    let client = Client::builder()
        .base_url("http://127.0.0.1:9/api")
        .build()
        .unwrap();
    let req = cdf_client_runtime::request::Request::new(
        cdf_client_runtime::request::Method::GET,
        "/assets",
        "/assets".into(),
    );
    assert_send(async move { client.execute(req).await });
}
