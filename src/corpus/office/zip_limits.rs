//! Reading the parts of a zip package within limits, so that a zip bomb is refused before it is unpacked.
//!
//! A zip's declared sizes can lie, so each entry is read through [`std::io::Read::take`] and the limits hold
//! for the bytes actually unpacked:
//! - an entry unpacks to at most [`ENTRY_LIMIT`] bytes;
//! - all entries read from one file unpack to at most [`TOTAL_LIMIT`] bytes;
//! - an entry unpacks to at most [`RATIO_LIMIT`] times its packed size (or [`RATIO_FLOOR`] bytes, whichever
//!   is more): XML packs 5 to 20 times (a Word body of one paragraph repeated, about 100 times), a bomb
//!   of zeros about a thousand times, the most deflate can.
//!
//! Each refusal is an [`ExtractError::TooLarge`] naming the entry and the limit.

use std::io::{Cursor, Read};

use zip::ZipArchive;
use zip::result::ZipError;

use crate::corpus::document::ExtractError;

/// The most bytes one entry may unpack to: 64 MiB.
pub const ENTRY_LIMIT: u64 = 64 << 20;
/// The most bytes all the entries read from one file may unpack to: 256 MiB.
pub const TOTAL_LIMIT: u64 = 256 << 20;
/// The most an entry may unpack to, as a multiple of its packed size (beyond [`RATIO_FLOOR`]).
pub const RATIO_LIMIT: u64 = 500;
/// An entry may always unpack to this many bytes (1 MiB), whatever its ratio.
pub const RATIO_FLOOR: u64 = 1 << 20;

const OLE2_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// `n` bytes as text: `64 MiB`, `300 KiB`, `12 bytes`.
fn bytes_text(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

/// Whether `bytes` start with the OLE2 compound file signature.
pub(crate) fn is_ole2(bytes: &[u8]) -> bool {
    bytes.starts_with(&OLE2_MAGIC)
}

/// Whether `bytes` hold `name` in UTF-16LE, as an OLE2 directory entry names its streams.
pub(crate) fn has_utf16_name(bytes: &[u8], name: &str) -> bool {
    let needle: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// The limits a [`Package`] reads within, in bytes (the ratio as a multiple).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most one entry may unpack to.
    pub entry: u64,
    /// The most all entries read may unpack to.
    pub total: u64,
    /// The most an entry may unpack to as a multiple of its packed size, beyond `ratio_floor`.
    pub ratio: u64,
    /// What an entry may always unpack to, whatever its ratio.
    pub ratio_floor: u64,
}

impl Default for Limits {
    /// [`ENTRY_LIMIT`], [`TOTAL_LIMIT`], [`RATIO_LIMIT`], [`RATIO_FLOOR`].
    fn default() -> Limits {
        Limits {
            entry: ENTRY_LIMIT,
            total: TOTAL_LIMIT,
            ratio: RATIO_LIMIT,
            ratio_floor: RATIO_FLOOR,
        }
    }
}

/// A zip package opened for reading its entries within the limits.
pub struct Package<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    limits: Limits,
    unpacked: u64,
}

/// The error for a zip crate's error: a password needed is [`ExtractError::Encrypted`], anything else
/// [`ExtractError::Corrupt`].
fn zip_error(what: &str, e: ZipError) -> ExtractError {
    match e {
        ZipError::UnsupportedArchive(m) if m == ZipError::PASSWORD_REQUIRED => {
            ExtractError::Encrypted
        }
        ZipError::InvalidPassword => ExtractError::Encrypted,
        other => ExtractError::Corrupt(format!("{what}: {other}")),
    }
}

impl<'a> Package<'a> {
    /// Opens `bytes` as a zip (`kind` names the format in errors, `"DOCX"`).
    ///
    /// # Errors
    /// [`ExtractError::Encrypted`] for an encrypted Office file (OLE2 with an `EncryptedPackage` stream);
    /// [`ExtractError::Corrupt`] for any other file that is not a readable zip (an OLE2 file, a truncated zip
    /// whose central directory is missing, …).
    pub fn open(bytes: &'a [u8], kind: &str) -> Result<Package<'a>, ExtractError> {
        Package::open_with(bytes, kind, Limits::default())
    }

    /// [`Package::open`] with other limits than the default ones.
    ///
    /// # Errors
    /// As [`Package::open`].
    pub fn open_with(
        bytes: &'a [u8],
        kind: &str,
        limits: Limits,
    ) -> Result<Package<'a>, ExtractError> {
        // "an EPUB", "a DOCX".
        let a = if kind.starts_with(['A', 'E', 'I', 'O', 'U']) {
            "an"
        } else {
            "a"
        };
        if is_ole2(bytes) {
            if has_utf16_name(bytes, "EncryptedPackage") {
                return Err(ExtractError::Encrypted);
            }
            return Err(ExtractError::Corrupt(format!(
                "not {a} {kind} (a zip) but an OLE2 compound file, as a legacy Word 97-2003 .doc is"
            )));
        }
        if !bytes.starts_with(b"PK") {
            return Err(ExtractError::Corrupt(format!(
                "not {a} {kind}: not a zip file"
            )));
        }
        let zip = ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| zip_error(&format!("not a readable zip ({kind})"), e))?;
        Ok(Package {
            zip,
            limits,
            unpacked: 0,
        })
    }

    /// The index of entry `name`, compared exactly, else ignoring ASCII case (OPC part names are
    /// case-insensitive).
    fn index(&self, name: &str) -> Option<usize> {
        self.zip.index_for_name(name).or_else(|| {
            self.zip
                .file_names()
                .position(|n| n.is_ok_and(|n| n.eq_ignore_ascii_case(name)))
        })
    }

    /// Whether the package has an entry `name`.
    pub fn has(&self, name: &str) -> bool {
        self.index(name).is_some()
    }

    /// The unpacked bytes of entry `name`, or `None` if there is no such entry.
    ///
    /// # Errors
    /// [`ExtractError::TooLarge`] when the entry unpacks past a limit (see the module);
    /// [`ExtractError::Encrypted`] for an encrypted entry; [`ExtractError::Corrupt`] for a truncated or
    /// corrupt entry (a bad checksum, a deflate stream cut short, an unsupported compression method).
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ExtractError> {
        let Some(i) = self.index(name) else {
            return Ok(None);
        };
        let mut entry = self
            .zip
            .by_index(i)
            .map_err(|e| zip_error(&format!("entry {name}"), e))?;
        if entry.encrypted() {
            return Err(ExtractError::Encrypted);
        }
        let Limits {
            entry: entry_limit,
            total,
            ratio,
            ratio_floor,
        } = self.limits;
        let left = total.saturating_sub(self.unpacked);
        let packed = entry.compressed_size();
        let by_ratio = packed.saturating_mul(ratio).max(ratio_floor);
        let limit = entry_limit.min(left).min(by_ratio);
        let refuse = |size: u64| {
            let why = if limit == by_ratio && by_ratio < entry_limit.min(left) {
                format!(
                    "{name} unpacks to {} times its packed size of {packed} bytes or more, past the limit of {ratio} (a zip bomb?)",
                    size / packed.max(1),
                )
            } else if limit == left && left < entry_limit {
                format!(
                    "the parts read unpack to more than {} in all (a zip bomb?)",
                    bytes_text(total)
                )
            } else {
                format!(
                    "{name} unpacks to more than {} (a zip bomb?)",
                    bytes_text(entry_limit)
                )
            };
            ExtractError::TooLarge(why)
        };
        if entry.size() > limit {
            return Err(refuse(entry.size()));
        }
        let mut buf = Vec::with_capacity(entry.size() as usize);
        (&mut entry)
            .take(limit + 1)
            .read_to_end(&mut buf)
            .map_err(|e| ExtractError::Corrupt(format!("entry {name}: {e}")))?;
        if buf.len() as u64 > limit {
            return Err(refuse(buf.len() as u64));
        }
        self.unpacked += buf.len() as u64;
        Ok(Some(buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::{SimpleFileOptions, ZipWriter};

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            w.start_file(*name, SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn reads_entries_and_tells_missing_ones() {
        let z = zip_of(&[("a/b.xml", b"<x/>")]);
        let mut p = Package::open(&z, "DOCX").unwrap();
        assert!(p.has("a/b.xml") && p.has("A/B.XML") && !p.has("c"));
        assert_eq!(p.read("a/b.xml").unwrap().unwrap(), b"<x/>");
        assert_eq!(p.read("c").unwrap(), None);
    }

    #[test]
    fn refuses_an_entry_packed_too_well() {
        // 8 MiB of zeros pack to about 8 KiB: a ratio of about 1000.
        let z = zip_of(&[("zeros", &vec![0u8; 8 << 20])]);
        let mut p = Package::open(&z, "DOCX").unwrap();
        match p.read("zeros") {
            Err(ExtractError::TooLarge(why)) => assert!(why.contains("packed size"), "{why}"),
            other => panic!("{other:?}"),
        }
        // Just over the floor but packing like text is fine.
        let text: Vec<u8> = (0..(2u64 << 20)).map(|i| (i * 7919 % 251) as u8).collect();
        let z = zip_of(&[("text", &text)]);
        assert_eq!(
            Package::open(&z, "DOCX")
                .unwrap()
                .read("text")
                .unwrap()
                .unwrap(),
            text
        );
    }

    #[test]
    fn refuses_past_the_entry_and_the_total_limits() {
        let text: Vec<u8> = (0..3000u64).map(|i| (i * 7919 % 251) as u8).collect();
        let z = zip_of(&[("a", &text), ("b", &text), ("c", &text)]);
        let limits = Limits {
            entry: 4096,
            total: 8000,
            ..Limits::default()
        };
        let mut p = Package::open_with(&z, "EPUB", limits).unwrap();
        assert_eq!(p.read("a").unwrap().unwrap().len(), 3000);
        assert_eq!(p.read("b").unwrap().unwrap().len(), 3000);
        match p.read("c") {
            Err(ExtractError::TooLarge(why)) => assert!(why.contains("in all"), "{why}"),
            other => panic!("{other:?}"),
        }
        let limits = Limits {
            entry: 2048,
            ..Limits::default()
        };
        let mut p = Package::open_with(&z, "EPUB", limits).unwrap();
        match p.read("a") {
            Err(ExtractError::TooLarge(why)) => {
                assert!(why.contains("a unpacks to more than 2 KiB"), "{why}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn not_a_zip_truncated_and_ole2() {
        assert!(matches!(
            Package::open(b"hello", "DOCX"),
            Err(ExtractError::Corrupt(_))
        ));
        let z = zip_of(&[("a", b"some text")]);
        assert!(matches!(
            Package::open(&z[..z.len() - 10], "DOCX"),
            Err(ExtractError::Corrupt(_))
        ));
        let mut ole = OLE2_MAGIC.to_vec();
        ole.extend([0u8; 600]);
        assert!(matches!(
            Package::open(&ole, "DOCX"),
            Err(ExtractError::Corrupt(_))
        ));
        ole.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(
            Package::open(&ole, "DOCX").err(),
            Some(ExtractError::Encrypted)
        );
    }
}
