//! The layers' GeoJSON, kept made between requests. Making a layer of
//! 10,000 places (read, build, write out: about 9 MB) took a quarter of a
//! second of one core, on every request of every phone opening the map. A
//! made layer is good while the places' version (bumped by every write, see
//! `store`) and the local minute (`open_now` changes on the minute) are the
//! same; each is kept plain and gzip-compressed, compressed once. Made
//! again in a new minute with the same bytes, it keeps its ETag (a hash of
//! the bytes), so a client revalidating gets 304 until something changed.

use crate::model::Layer;
use axum::body::Bytes;
use kernel::{AppError, AppResult, Ctx};
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// One layer's GeoJSON as made at `version` in `minute`.
pub struct Made {
    pub version: i64,
    pub minute: i64,
    pub plain: Bytes,
    pub gzip: Bytes,
    /// A validator for conditional requests: the same while the bytes are.
    pub etag: String,
}

#[derive(Default)]
pub struct LayerCache {
    made: Mutex<HashMap<Layer, Arc<Made>>>,
    /// Held while a layer is made, so that many requests for a stale layer
    /// make it once and the rest wait for it.
    making: tokio::sync::Mutex<()>,
}

impl LayerCache {
    fn fresh(&self, layer: Layer, version: i64, minute: i64) -> Option<Arc<Made>> {
        let made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        made.get(&layer).filter(|m| m.version == version && m.minute == minute).cloned()
    }

    pub async fn get(&self, ctx: &Ctx, layer: Layer) -> AppResult<Arc<Made>> {
        let version = crate::store::version(ctx.db.conn()).await?;
        let now = ctx.now();
        let minute = now.0.div_euclid(60_000);
        if let Some(m) = self.fresh(layer, version, minute) {
            return Ok(m);
        }
        let _making = self.making.lock().await;
        if let Some(m) = self.fresh(layer, version, minute) {
            return Ok(m);
        }
        // The version is read before the places: a write in between leaves
        // a newer version, and the next request makes the layer again.
        let places = crate::service::list(ctx, &[layer]).await?;
        let plain = Bytes::from(crate::geojson::collection(&places, now).to_string());
        let before = self.made.lock().unwrap_or_else(|e| e.into_inner()).get(&layer).cloned();
        let made = match before.filter(|b| b.plain == plain) {
            Some(b) => Made { version, minute, plain: b.plain.clone(), gzip: b.gzip.clone(), etag: b.etag.clone() },
            None => {
                let (gzip, etag) = tokio::task::spawn_blocking({
                    let plain = plain.clone();
                    move || {
                        gzip(&plain)
                            .map(|z| (z, format!("\"{}\"", &kernel::crypto::sha256_hex(std::str::from_utf8(&plain).unwrap_or_default())[..20])))
                    }
                })
                .await
                .map_err(AppError::internal)??;
                Made { version, minute, plain, gzip, etag }
            }
        };
        let made = Arc::new(made);
        self.made.lock().unwrap_or_else(|e| e.into_inner()).insert(layer, made.clone());
        Ok(made)
    }
}

fn gzip(data: &[u8]) -> AppResult<Bytes> {
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 8), flate2::Compression::default());
    enc.write_all(data).and_then(|_| enc.finish()).map(Bytes::from).map_err(AppError::internal)
}

/// Whether the client takes gzip (`Accept-Encoding`, a `q=0` refuses it).
pub fn accepts_gzip(headers: &axum::http::HeaderMap) -> bool {
    headers.get_all(axum::http::header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or("");
        let refused = parts.any(|p| p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q == 0.0));
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue, header};
    use std::io::Read;

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn gzip_is_taken_when_offered_and_not_refused() {
        assert!(accepts_gzip(&headers("gzip, deflate, br")));
        assert!(accepts_gzip(&headers("br;q=1.0, GZIP;q=0.5")));
        assert!(accepts_gzip(&headers("*")));
        assert!(!accepts_gzip(&headers("gzip;q=0")));
        assert!(!accepts_gzip(&headers("br, deflate")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn gzip_round_trips() {
        let data = b"{\"type\":\"FeatureCollection\",\"features\":[]}".repeat(100);
        let z = gzip(&data).unwrap();
        assert!(z.len() < data.len() / 10);
        let mut out = vec![];
        flate2::read::GzDecoder::new(&z[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
    }
}
