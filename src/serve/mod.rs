//! `truce serve SCENARIO`: a local web app for the tweak loop. The page (HTML, CSS and JS
//! compiled into the binary) shows every parameter of the resolved scenario as a control; each
//! change is sent as the `--set`s it amounts to, resolved in memory over the files read once
//! (`scenario::Layers`), checked as the command line checks them, and run through the one run
//! pipeline (`pipeline::execute`) without writing a file.
//!
//! `Explorer::handle` answers one request and knows nothing of sockets, so the tests call it
//! directly; `serve` is the loop that feeds it from a `tiny_http` server. Requests are answered
//! one at a time, so two runs never share a model or a result; a body over `MAX_BODY` bytes is
//! refused before it is read, and no request can make the server stop.

mod api;

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::error::{Error, InputError, Result};
use crate::scenario::{Layers, Scenario};

/// The largest request body read (a tweak's `--set`s are a few kilobytes).
pub const MAX_BODY: usize = 64 * 1024;
/// The most rollouts one request may ask for: enough for a tight interval, small enough that
/// the page stays responsive (about 20 s on 2 cores for the baseline).
pub const MAX_N: u64 = 1_000_000;

static INDEX: &str = include_str!("assets/index.html");
static APP: &str = include_str!("assets/app.js");
static STYLE: &str = include_str!("assets/style.css");

/// The scenario being explored: its files read once, and the run settings.
pub struct Explorer {
    file: PathBuf,
    layers: Layers,
    /// The `--set`s given on `truce serve`'s command line, laid under every tweak.
    base_sets: Vec<String>,
    withs: Vec<PathBuf>,
    base: Scenario,
    pub n: u64,
    pub seed: u64,
    pub threads: usize,
    /// Where "save as a run folder" writes (`output/` by default).
    pub output: PathBuf,
}

/// An answer: status, content type, body, and an optional download name.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub download: Option<String>,
}

impl Response {
    fn text(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response { status, content_type, body: body.into(), download: None }
    }

    fn json(status: u16, v: &serde_json::Value) -> Response {
        Response::text(status, "application/json; charset=utf-8", v.to_string())
    }

    /// A refusal the page shows in place: `message` as the command line would print it.
    fn problem(status: u16, message: &str) -> Response {
        Response::json(status, &serde_json::json!({ "ok": false, "error": message }))
    }
}

impl Explorer {
    pub fn new(file: &Path, withs: &[PathBuf], sets: &[String], n: u64, seed: u64, threads: usize) -> Result<Explorer> {
        let layers = Layers::read(file, withs)?;
        let base = layers.resolve(sets)?;
        Ok(Explorer {
            file: file.to_path_buf(),
            layers,
            base_sets: sets.to_vec(),
            withs: withs.to_vec(),
            base,
            n,
            seed,
            threads,
            output: PathBuf::from("output"),
        })
    }

    pub fn scenario(&self) -> &Scenario {
        &self.base
    }

    /// Answers one request. Never panics on any input; a bad one gets a 4xx with a message.
    pub fn handle(&self, method: &str, url: &str, body: &[u8]) -> Response {
        let path = url.split('?').next().unwrap_or("/");
        match (method, path) {
            ("GET", "/") | ("GET", "/index.html") => Response::text(200, "text/html; charset=utf-8", INDEX),
            ("GET", "/app.js") => Response::text(200, "text/javascript; charset=utf-8", APP),
            ("GET", "/style.css") => Response::text(200, "text/css; charset=utf-8", STYLE),
            ("GET", "/api/scenario") => Response::json(200, &api::describe(self)),
            ("POST", "/api/run") | ("POST", "/api/compare") | ("POST", "/api/overrides") | ("POST", "/api/save") => {
                let request = match api::Request::parse(body, self) {
                    Ok(r) => r,
                    Err(msg) => return Response::problem(400, &msg),
                };
                let answer = match path {
                    "/api/run" => api::run(self, &request),
                    "/api/compare" => api::compare(self, &request),
                    "/api/overrides" => Ok(api::overrides(self, &request)),
                    _ => api::save(self, &request),
                };
                answer.unwrap_or_else(|e| match e.kind() {
                    crate::error::Kind::Input => Response::problem(422, &e.to_string()),
                    _ => Response::problem(500, &e.report()),
                })
            }
            ("GET", _) | ("POST", _) => Response::problem(404, &format!("no such page: {path}")),
            _ => Response::problem(405, &format!("method {method} is not used here")),
        }
    }

    /// The scenario with the tweak's `--set`s laid over the command line's. A tweak cannot name
    /// a file: the keys that do (the territory's history, `extends`, or a whole table holding
    /// them) are refused before anything is read, and the resolved scenario must read no file
    /// the served one does not.
    fn resolve(&self, sets: &[String]) -> Result<Scenario> {
        for s in sets {
            let path = s.split_once('=').map_or(s.as_str(), |(p, _)| p).trim();
            let names_files = |key: &str| key == path || key.starts_with(&format!("{path}.")) || path.starts_with(&format!("{key}."));
            if path.is_empty() || names_files("territory.history") || names_files("scenario.extends") {
                return Err(InputError(format!(
                    "--set {s}: the explorer reads only the files of the scenario it serves, and `{path}` can name another file\n  help: change it in the scenario file, or use `truce run … --set` on the command line"
                ))
                .into());
            }
        }
        let all: Vec<String> = self.base_sets.iter().chain(sets).cloned().collect();
        let sc = self.layers.resolve(&all)?;
        let served: Vec<&Path> = self.base.files.iter().map(|&f| self.base.sources.file(f).path.as_path()).collect();
        if let Some(other) = sc.files.iter().map(|&f| sc.sources.file(f).path.as_path()).find(|p| !served.contains(p)) {
            return Err(InputError(format!("the tweak would read `{}`, which the served scenario does not", other.display())).into());
        }
        Ok(sc)
    }
}

/// Serves `explorer` on `addr` until the process ends; `ready` is told the address bound (the
/// port the system chose when `addr` gives 0).
pub fn serve(explorer: &Explorer, addr: &str, ready: impl FnOnce(SocketAddr)) -> Result<()> {
    let server = tiny_http::Server::http(addr)
        .map_err(|e| InputError(format!("cannot listen on {addr}: {e}\n  help: choose another --port, or 0 for any free one")))?;
    let bound = server.server_addr().to_ip().ok_or_else(|| Error::bug("the server is not on an IP address"))?;
    ready(bound);
    for mut request in server.incoming_requests() {
        let method = request.method().as_str().to_string();
        let url = request.url().to_string();
        let too_big = request.body_length().is_some_and(|n| n > MAX_BODY);
        let mut body = Vec::new();
        let read = if too_big { Ok(0) } else { request.as_reader().take(MAX_BODY as u64 + 1).read_to_end(&mut body) };
        let answer = if too_big || body.len() > MAX_BODY {
            Response::problem(413, &format!("the request is larger than {MAX_BODY} bytes"))
        } else if read.is_err() {
            Response::problem(400, "the request could not be read")
        } else {
            explorer.handle(&method, &url, &body)
        };
        let mut reply = tiny_http::Response::from_data(answer.body).with_status_code(answer.status);
        let mut headers = vec![("Content-Type", answer.content_type.to_string()), ("Cache-Control", "no-store".to_string())];
        if let Some(name) = answer.download {
            headers.push(("Content-Disposition", format!("attachment; filename=\"{name}\"")));
        }
        for (k, v) in headers {
            if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                reply.add_header(h);
            }
        }
        // A client that went away is not the server's problem.
        let _ = request.respond(reply);
    }
    Ok(())
}
