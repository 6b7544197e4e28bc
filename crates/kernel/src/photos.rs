//! Photos (fault reports, places of the map): checked by their content (JPEG or PNG only, within the size
//! limit), turned upright, scaled down and re-encoded as JPEG. Re-encoding
//! drops every metadata block of the original (EXIF with the camera's
//! position and serial number, XMP, comments); only when the reporter asks
//! to keep the location is a fresh EXIF block with just the GPS position
//! written back.

use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader};
use std::io::Cursor;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoError {
    #[error("photo_too_large")]
    TooLarge,
    #[error("photo_type")]
    Type,
    #[error("photo_unreadable")]
    Unreadable,
}

impl PhotoError {
    pub fn code(&self) -> &'static str {
        match self {
            PhotoError::TooLarge => "photo_too_large",
            PhotoError::Type => "photo_type",
            PhotoError::Unreadable => "photo_unreadable",
        }
    }
}

/// A photo ready to store.
#[derive(Debug)]
pub struct Processed {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The GPS position the original carried, as (lon, lat), whether kept or not.
    pub position: Option<(f64, f64)>,
    /// Whether the stored JPEG carries that position.
    pub located: bool,
}

/// Decoded images larger than this many pixels are refused (a small file
/// can claim a huge canvas).
const MAX_PIXELS: u64 = 50_000_000;

pub fn process(bytes: &[u8], max_bytes: usize, max_side: u32, keep_location: bool) -> Result<Processed, PhotoError> {
    if bytes.len() > max_bytes {
        return Err(PhotoError::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| PhotoError::Type)?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png) {
        return Err(PhotoError::Type);
    }
    let position = gps_position(bytes);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| PhotoError::Unreadable)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS || w == 0 || h == 0 {
        return Err(PhotoError::TooLarge);
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| PhotoError::Unreadable)?;
    img.apply_orientation(orientation);
    if img.width() > max_side || img.height() > max_side {
        img = img.resize(max_side, max_side, image::imageops::FilterType::Triangle);
    }
    let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
    let located = keep_location && position.is_some();
    if let (true, Some((lon, lat))) = (located, position) {
        // The JPEG encoder writes the APP1 "Exif" segment around this TIFF block.
        let _ = enc.set_exif_metadata(gps_exif(lon, lat));
    }
    enc.write_image(rgb.as_bytes(), rgb.width(), rgb.height(), image::ExtendedColorType::Rgb8).map_err(|_| PhotoError::Unreadable)?;
    Ok(Processed { jpeg: out, width: rgb.width(), height: rgb.height(), position, located })
}

/// The GPS position in a photo's EXIF, if it has one.
pub fn gps_position(bytes: &[u8]) -> Option<(f64, f64)> {
    let exif = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)).ok()?;
    let coord = |tag, reference| -> Option<f64> {
        let f = exif.get_field(tag, exif::In::PRIMARY)?;
        let exif::Value::Rational(v) = &f.value else { return None };
        if v.len() < 3 {
            return None;
        }
        let deg = v[0].to_f64() + v[1].to_f64() / 60.0 + v[2].to_f64() / 3600.0;
        let r = exif.get_field(reference, exif::In::PRIMARY).map(|f| f.display_value().to_string()).unwrap_or_default();
        Some(if r.starts_with('S') || r.starts_with('W') { -deg } else { deg })
    };
    let lat = coord(exif::Tag::GPSLatitude, exif::Tag::GPSLatitudeRef)?;
    let lon = coord(exif::Tag::GPSLongitude, exif::Tag::GPSLongitudeRef)?;
    let valid = lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
    valid.then_some((lon, lat))
}

fn dms(v: f64) -> Vec<exif::Rational> {
    let v = v.abs();
    let d = v.floor();
    let m = ((v - d) * 60.0).floor();
    let s = ((v - d) * 60.0 - m) * 60.0;
    vec![
        exif::Rational { num: d as u32, denom: 1 },
        exif::Rational { num: m as u32, denom: 1 },
        exif::Rational { num: (s * 10_000.0).round() as u32, denom: 10_000 },
    ]
}

/// A TIFF/EXIF block holding only the GPS position.
fn gps_exif(lon: f64, lat: f64) -> Vec<u8> {
    use exif::{Field, In, Tag, Value};
    let fields = [
        Field { tag: Tag::GPSLatitudeRef, ifd_num: In::PRIMARY, value: Value::Ascii(vec![if lat < 0.0 { b"S".to_vec() } else { b"N".to_vec() }]) },
        Field { tag: Tag::GPSLatitude, ifd_num: In::PRIMARY, value: Value::Rational(dms(lat)) },
        Field { tag: Tag::GPSLongitudeRef, ifd_num: In::PRIMARY, value: Value::Ascii(vec![if lon < 0.0 { b"W".to_vec() } else { b"E".to_vec() }]) },
        Field { tag: Tag::GPSLongitude, ifd_num: In::PRIMARY, value: Value::Rational(dms(lon)) },
    ];
    let mut w = exif::experimental::Writer::new();
    for f in &fields {
        w.push_field(f);
    }
    let mut buf = Cursor::new(Vec::new());
    if w.write(&mut buf, false).is_err() {
        return vec![];
    }
    buf.into_inner()
}

/// A JPEG with an EXIF block (camera make "SecretCam" and a GPS position),
/// for tests here and in the end-to-end suite.
pub fn sample_jpeg_with_gps(w: u32, h: u32, lon: f64, lat: f64) -> Vec<u8> {
    use exif::{Field, In, Tag, Value};
    let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])));
    let mut exif_w = exif::experimental::Writer::new();
    let make = Field { tag: Tag::Make, ifd_num: In::PRIMARY, value: Value::Ascii(vec![b"SecretCam".to_vec()]) };
    let lat_ref = Field { tag: Tag::GPSLatitudeRef, ifd_num: In::PRIMARY, value: Value::Ascii(vec![b"N".to_vec()]) };
    let lat_v = Field { tag: Tag::GPSLatitude, ifd_num: In::PRIMARY, value: Value::Rational(dms(lat)) };
    let lon_ref = Field { tag: Tag::GPSLongitudeRef, ifd_num: In::PRIMARY, value: Value::Ascii(vec![b"E".to_vec()]) };
    let lon_v = Field { tag: Tag::GPSLongitude, ifd_num: In::PRIMARY, value: Value::Rational(dms(lon)) };
    for f in [&make, &lat_ref, &lat_v, &lon_ref, &lon_v] {
        exif_w.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    exif_w.write(&mut tiff, false).unwrap();
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    enc.set_exif_metadata(tiff.into_inner()).unwrap();
    enc.write_image(img.as_bytes(), w, h, image::ExtendedColorType::Rgb8).unwrap();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_stripped_and_large_photos_shrink() {
        let original = sample_jpeg_with_gps(2400, 1200, 15.8706, 46.4199);
        assert!(original.windows(9).any(|w| w == b"SecretCam"));
        let (lon, lat) = gps_position(&original).unwrap();
        assert!((lon - 15.8706).abs() < 1e-4 && (lat - 46.4199).abs() < 1e-4);
        let p = process(&original, 8 << 20, 1600, false).unwrap();
        assert_eq!((p.width, p.height), (1600, 800));
        assert!(!p.located);
        assert!(!p.jpeg.windows(9).any(|w| w == b"SecretCam"), "camera make removed");
        assert_eq!(gps_position(&p.jpeg), None, "position removed");
        assert!(p.position.is_some(), "but known to the caller");
    }

    #[test]
    fn the_position_stays_when_asked_and_nothing_else() {
        let original = sample_jpeg_with_gps(400, 300, 15.8706, 46.4199);
        let p = process(&original, 8 << 20, 1600, true).unwrap();
        assert!(p.located);
        assert!(!p.jpeg.windows(9).any(|w| w == b"SecretCam"));
        let (lon, lat) = gps_position(&p.jpeg).unwrap();
        assert!((lon - 15.8706).abs() < 1e-4 && (lat - 46.4199).abs() < 1e-4);
    }

    #[test]
    fn other_types_and_sizes_are_refused() {
        assert_eq!(process(b"GIF89a....", 1000, 100, false).unwrap_err(), PhotoError::Type);
        assert_eq!(process(b"<svg xmlns='http://www.w3.org/2000/svg'/>", 1000, 100, false).unwrap_err(), PhotoError::Type);
        assert_eq!(process(&[0u8; 2000], 1000, 100, false).unwrap_err(), PhotoError::TooLarge);
        let mut broken = sample_jpeg_with_gps(100, 100, 15.0, 46.0);
        broken.truncate(300);
        assert!(process(&broken, 1 << 20, 100, false).is_err());
    }
}
