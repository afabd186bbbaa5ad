//! Turning a whole file's bytes into text: a BOM decides, else UTF-8, else a legacy encoding detected by
//! chardetng; binary files are recognised and refused. (Files are read as a stream by
//! [`read_text_file`](super::read_text_file), which decides the encoding by the same rule.)

use std::io::{self, Read, Seek, SeekFrom};

use encoding_rs::{DecoderResult, Encoding};

/// Why a file's bytes were not turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The file is binary (an image, a PDF, an archive…): skipped by design, not a failure.
    Binary(String),
    /// The file looks like text but no encoding decodes it cleanly.
    Undecodable(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Binary(why) | DecodeError::Undecodable(why) => f.write_str(why),
        }
    }
}

/// Text decoded from a file, and the encoding it was in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text (BOM removed).
    pub text: String,
    /// The encoding's name (`UTF-8`, `GBK`, `Big5`, `UTF-16LE`, …).
    pub encoding: &'static str,
}

/// Magic numbers of binary formats that end up in article folders.
const BINARY_MAGIC: &[(&[u8], &str)] = &[
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1F\x8B", "a gzip archive"),
    (b"\xD0\xCF\x11\xE0", "an old Office document"),
    (b"7z\xBC\xAF", "a 7z archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7FELF", "an executable"),
];

/// Decodes a file's bytes. A BOM decides (UTF-8, UTF-16LE, UTF-16BE); otherwise valid UTF-8 is UTF-8, and
/// anything else is given to a detector (chardetng, Firefox's) that picks among legacy encodings (GBK/GB18030,
/// Big5, …) and must then decode without errors. Binary files (known magic numbers, or NUL bytes) are
/// reported as [`DecodeError::Binary`]. The rule is `detect`'s, which reading a file as a stream uses too.
pub fn decode(bytes: &[u8]) -> std::result::Result<Decoded, DecodeError> {
    // One read shows the end of the bytes.
    let whole = bytes.len() + 1;
    let (encoding, bom) =
        detect(&mut io::Cursor::new(bytes), whole, whole).map_err(|e| match e {
            DetectError::Decode(d) => d,
            // (A cursor never fails to read.)
            DetectError::Io(e) => DecodeError::Undecodable(e.to_string()),
        })?;
    let body = &bytes[bom as usize..];
    // `detect` checked that the bytes decode cleanly.
    let (text, _) = encoding.decode_without_bom_handling(body);
    Ok(Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
    })
}

/// Why [`detect`] could not decide a file's encoding.
#[derive(Debug)]
pub(super) enum DetectError {
    /// The file is binary, or no encoding decodes it cleanly.
    Decode(DecodeError),
    /// The file could not be read.
    Io(io::Error),
}

/// Reads until `buf` is full or the file ends; returns the number of bytes read.
pub(super) fn read_full(file: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Decodes `src` onto `out` without replacement; false on malformed input.
pub(super) fn decode_into(
    decoder: &mut encoding_rs::Decoder,
    mut src: &[u8],
    last: bool,
    out: &mut String,
) -> bool {
    loop {
        let room = decoder
            .max_utf8_buffer_length_without_replacement(src.len())
            .unwrap_or(src.len() * 3 + 16);
        out.reserve(room);
        let (result, read) = decoder.decode_to_string_without_replacement(src, out, last);
        src = &src[read..];
        match result {
            DecoderResult::InputEmpty => return true,
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(..) => return false,
        }
    }
}

/// The bytes at the start of a file in which a NUL byte makes it binary.
pub(super) const HEAD_BYTES: usize = 8192;

/// The encoding of a file and the length of its BOM: a BOM decides; else a binary file (magic numbers, NUL
/// bytes in the first [`HEAD_BYTES`]) is refused; else UTF-8 if the whole file is UTF-8, else what chardetng
/// guesses from every byte, which must then decode the whole file cleanly. `head` bytes are read first
/// (for the BOM and magic numbers), the rest `chunk` bytes at a time.
pub(super) fn detect<R: Read + Seek>(
    file: &mut R,
    chunk: usize,
    head: usize,
) -> Result<(&'static Encoding, u64), DetectError> {
    let io = DetectError::Io;
    let mut head = vec![0u8; head];
    let n = read_full(file, &mut head).map_err(io)?;
    head.truncate(n);
    if let Some((encoding, bom_len)) = Encoding::for_bom(&head) {
        let bom_len = bom_len as u64;
        if encoding == encoding_rs::UTF_8 {
            if let Some(at) = utf8_error(file, bom_len, chunk).map_err(io)? {
                return Err(DetectError::Decode(DecodeError::Undecodable(format!(
                    "not valid UTF-8 (byte {at})"
                ))));
            }
        } else if !decodes_cleanly(file, bom_len, encoding, chunk).map_err(io)? {
            return Err(DetectError::Decode(DecodeError::Undecodable(format!(
                "has a {} BOM but is not valid {0}",
                encoding.name()
            ))));
        }
        return Ok((encoding, bom_len));
    }
    for (magic, what) in BINARY_MAGIC {
        if head.starts_with(magic) {
            return Err(DetectError::Decode(DecodeError::Binary(format!(
                "binary file ({what})"
            ))));
        }
    }
    if head[..head.len().min(HEAD_BYTES)].contains(&0) {
        return Err(DetectError::Decode(DecodeError::Binary(
            "binary file (NUL bytes)".to_string(),
        )));
    }
    let Some(utf8_error) = utf8_error(file, 0, chunk).map_err(io)? else {
        return Ok((encoding_rs::UTF_8, 0));
    };
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut buf = vec![0u8; chunk];
    loop {
        let n = read_full(file, &mut buf).map_err(io)?;
        detector.feed(&buf[..n], false);
        if n < buf.len() {
            break;
        }
    }
    detector.feed(&[], true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Deny);
    if encoding != encoding_rs::UTF_8 && decodes_cleanly(file, 0, encoding, chunk).map_err(io)? {
        return Ok((encoding, 0));
    }
    Err(DetectError::Decode(DecodeError::Undecodable(format!(
        "not valid UTF-8 (byte {utf8_error}), nor {}",
        encoding.name()
    ))))
}

/// The offset of the first byte at or after `from` where the file stops being UTF-8, if it does.
fn utf8_error(file: &mut (impl Read + Seek), from: u64, chunk: usize) -> io::Result<Option<u64>> {
    file.seek(SeekFrom::Start(from))?;
    let mut buf = vec![0u8; chunk];
    // Bytes of a character cut by the end of the previous chunk, then the new chunk.
    let mut data: Vec<u8> = Vec::new();
    let mut offset = from;
    loop {
        let n = read_full(file, &mut buf)?;
        data.extend_from_slice(&buf[..n]);
        let last = n < buf.len();
        match std::str::from_utf8(&data) {
            Ok(_) => {
                offset += data.len() as u64;
                data.clear();
            }
            Err(e) if e.error_len().is_none() && !last => {
                offset += e.valid_up_to() as u64;
                data.drain(..e.valid_up_to());
            }
            Err(e) => return Ok(Some(offset + e.valid_up_to() as u64)),
        }
        if last {
            return Ok(None);
        }
    }
}

/// Whether the file decodes without errors from `from` on.
fn decodes_cleanly(
    file: &mut (impl Read + Seek),
    from: u64,
    encoding: &'static Encoding,
    chunk: usize,
) -> io::Result<bool> {
    file.seek(SeekFrom::Start(from))?;
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut buf = vec![0u8; chunk];
    let mut out = String::new();
    loop {
        let n = read_full(file, &mut buf)?;
        let last = n < buf.len();
        out.clear();
        if !decode_into(&mut decoder, &buf[..n], last, &mut out) {
            return Ok(false);
        }
        if last {
            return Ok(true);
        }
    }
}
