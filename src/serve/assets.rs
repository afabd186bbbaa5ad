//! The page's files, embedded in the binary from `web/`: a fixed list, each at its own URL with its content
//! type. Nothing is read from the file system at run time, so no request can reach a file of it.
//!
//! They are revalidated on each load (`Cache-Control: no-cache`: their names carry no version, and a new
//! `sou` brings new ones).

use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use super::App;
use super::api::only_get;

/// One embedded file: its URL path, content type and bytes.
pub struct Asset {
    /// The URL path (`/`, `/assets/app.js`).
    pub path: &'static str,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
}

/// Every file the server serves besides the API.
pub const ASSETS: &[Asset] = &[
    Asset {
        path: "/",
        content_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../../web/index.html"),
    },
    Asset {
        path: "/assets/app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../web/app.js"),
    },
    Asset {
        path: "/assets/app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../web/app.css"),
    },
];

/// A route per asset.
pub(super) fn routes() -> Router<Arc<App>> {
    ASSETS.iter().fold(Router::new(), |r, a| {
        let (bytes, content_type) = (a.bytes, a.content_type);
        r.route(
            a.path,
            only_get(get(move || async move {
                super::bytes_response(bytes, content_type, "no-cache")
            })),
        )
    })
}
