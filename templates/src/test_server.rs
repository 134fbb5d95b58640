//! A small HTTP/1.1 server on 127.0.0.1 for tests and benchmarks. Unlike a
//! mock server it counts the requests it holds at once, which is what a
//! concurrency limit has to be checked against; it can hold each answer
//! for a while, like a busy CDF; and it can fail the way networks do, in
//! the middle of an answer. Behind the `test-util` feature.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// Largest request head and body the server reads.
const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 256 * 1024 * 1024;

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    /// The value of the request's header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What to answer, and how long to hold the answer back.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
    /// Fail this way instead of answering in full.
    pub fault: Option<Fault>,
}

/// A connection that breaks while answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Closes the connection without a byte.
    Hangup,
    /// Sends the head (its `content-length` promising the whole body) and
    /// the first `n` body bytes, then closes.
    CutAfter(usize),
    /// Sends the head and the first `n` body bytes, then waits this long
    /// before closing.
    StallAfter(usize, Duration),
}

impl Answer {
    pub fn json(status: u16, body: &serde_json::Value) -> Answer {
        Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
            delay: Duration::ZERO,
            fault: None,
        }
    }

    pub fn faulty(mut self, fault: Fault) -> Answer {
        self.fault = Some(fault);
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Answer {
        self.delay = delay;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.into(), value.into()));
        self
    }
}

#[derive(Default)]
struct Counters {
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    requests: AtomicUsize,
}

/// Stops serving when dropped.
pub struct TestServer {
    addr: SocketAddr,
    counters: Arc<Counters>,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Serves every request with `handler` until dropped.
    pub async fn start<H>(handler: H) -> std::io::Result<TestServer>
    where
        H: Fn(&Seen) -> Answer + Send + Sync + 'static,
    {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let handler = Arc::new(handler);
        let shared = counters.clone();
        let task = tokio::spawn(async move {
            // Dropped with the accept loop, which aborts every connection.
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                connections.spawn(serve(stream, handler.clone(), shared.clone()));
            }
        });
        Ok(TestServer {
            addr,
            counters,
            task,
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Most requests held at once so far.
    pub fn peak_in_flight(&self) -> usize {
        self.counters.peak.load(Ordering::SeqCst)
    }

    /// Requests read so far.
    pub fn requests(&self) -> usize {
        self.counters.requests.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One keep-alive connection: requests one after another until the client
/// closes it or sends something this server does not read.
async fn serve<H>(mut stream: TcpStream, handler: Arc<H>, counters: Arc<Counters>)
where
    H: Fn(&Seen) -> Answer + Send + Sync + 'static,
{
    let mut buffer = Vec::new();
    while let Some(seen) = read_request(&mut stream, &mut buffer).await {
        counters.requests.fetch_add(1, Ordering::SeqCst);
        let now = counters.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        counters.peak.fetch_max(now, Ordering::SeqCst);
        let answer = handler(&seen);
        // Even a zero sleep waits for the timer's next 1 ms tick.
        if !answer.delay.is_zero() {
            tokio::time::sleep(answer.delay).await;
        }
        let sent = match answer.fault {
            None => write_answer(&mut stream, &answer).await,
            Some(fault) => {
                break_answer(&mut stream, &answer, fault).await;
                Err(std::io::ErrorKind::ConnectionAborted.into())
            }
        };
        counters.in_flight.fetch_sub(1, Ordering::SeqCst);
        if sent.is_err() {
            return;
        }
    }
}

async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Seen> {
    let head_end = loop {
        if let Some(at) = find(buffer, b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > MAX_HEAD || !fill(stream, buffer).await {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    if length > MAX_BODY || headers.iter().any(|(k, _)| k == "transfer-encoding") {
        return None;
    }
    let start = head_end + 4;
    while buffer.len() < start + length {
        if !fill(stream, buffer).await {
            return None;
        }
    }
    let body = buffer[start..start + length].to_vec();
    buffer.drain(..start + length);
    Some(Seen {
        method,
        target,
        headers,
        body,
    })
}

/// Reads more bytes; false at the end of the stream or on an error.
async fn fill(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 16 * 1024];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buffer.extend_from_slice(&chunk[..n]);
            true
        }
    }
}

async fn write_answer(stream: &mut TcpStream, answer: &Answer) -> std::io::Result<()> {
    stream.write_all(&encode(answer)).await?;
    stream.flush().await
}

/// Sends part of the answer as `fault` says; the caller then drops the
/// connection.
async fn break_answer(stream: &mut TcpStream, answer: &Answer, fault: Fault) {
    let bytes = encode(answer);
    let head = bytes.len() - answer.body.len();
    let (sent, stall) = match fault {
        Fault::Hangup => return,
        Fault::CutAfter(n) => (n, Duration::ZERO),
        Fault::StallAfter(n, wait) => (n, wait),
    };
    let end = (head + sent).min(bytes.len());
    if stream.write_all(&bytes[..end]).await.is_ok() && stream.flush().await.is_ok() {
        tokio::time::sleep(stall).await;
    }
}

/// Head and body in one buffer: a head and a body sent apart meet Nagle's
/// algorithm and the client's delayed ACK, 40 ms per answer.
fn encode(answer: &Answer) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
        answer.status,
        answer.body.len()
    );
    for (name, value) in &answer.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&answer.body);
    bytes
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// For benchmarks: this process's peak resident memory, from Linux's `/proc` (0 elsewhere).
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
