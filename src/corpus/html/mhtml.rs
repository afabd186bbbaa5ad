//! MHTML (RFC 2557, a browser's "save as single file"): a MIME message whose root part is the page's HTML,
//! the images and styles after it. `mail-parser` reads the MIME structure; the root part's bytes are taken
//! as they are in the file and decoded from their transfer encoding here, so that the page's charset is
//! decided by [`super::charset`] like any page's (mail-parser would decode text parts lossily).

use mail_parser::{MessageParser, MimeHeaders};

use super::super::document::ExtractError;

/// The root HTML part of an MHTML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlPart {
    /// Its bytes, quoted-printable or base64 decoded.
    pub body: Vec<u8>,
    /// The `charset` parameter of its `Content-Type`, if any.
    pub charset: Option<String>,
}

/// Finds the root `text/html` part of an MHTML file: the part whose `Content-ID` the `start` parameter
/// names, else the one at the message's `Snapshot-Content-Location`/`Content-Location`, else the first
/// `text/html` part (a single-part message that is itself `text/html` is its own root).
///
/// # Errors
/// [`ExtractError::Corrupt`] when the bytes are no MIME message or it has no `text/html` part.
pub fn root_html(bytes: &[u8]) -> Result<HtmlPart, ExtractError> {
    let message = MessageParser::default()
        .parse(bytes)
        .ok_or_else(|| ExtractError::Corrupt("not a MIME message".into()))?;
    let is_html = |i: usize| {
        message.parts[i].content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("text")
                && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("html"))
        })
    };
    let root = message
        .parts
        .first()
        .ok_or_else(|| ExtractError::Corrupt("an empty MIME message".into()))?;
    let start = root
        .content_type()
        .and_then(|ct| ct.attribute("start"))
        .map(|s| {
            s.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        });
    let location = message
        .header_raw("Snapshot-Content-Location")
        .or_else(|| root.content_location())
        .map(|s| s.trim().to_string());
    let candidates: Vec<usize> = (0..message.parts.len()).filter(|&i| is_html(i)).collect();
    let by_id = start.as_deref().and_then(|id| {
        candidates.iter().copied().find(|&i| {
            message.parts[i]
                .content_id()
                .is_some_and(|c| c.trim().trim_start_matches('<').trim_end_matches('>') == id)
        })
    });
    let by_location = location.as_deref().and_then(|loc| {
        candidates.iter().copied().find(|&i| {
            message.parts[i]
                .content_location()
                .is_some_and(|l| l.trim() == loc)
        })
    });
    let index = by_id
        .or(by_location)
        .or_else(|| candidates.first().copied())
        .ok_or_else(|| ExtractError::Corrupt("an MHTML file without an HTML part".into()))?;
    let part = &message.parts[index];
    let raw = bytes
        .get(part.raw_body_offset() as usize..part.raw_end_offset() as usize)
        .unwrap_or_default();
    let encoding = part
        .content_transfer_encoding()
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let body = match encoding.as_str() {
        "quoted-printable" => mail_parser::decoders::quoted_printable::quoted_printable_decode(raw)
            .unwrap_or_else(|| lenient_quoted_printable(raw)),
        "base64" => {
            let clean: Vec<u8> = raw
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            mail_parser::decoders::base64::base64_decode(&clean)
                .ok_or_else(|| ExtractError::Corrupt("the HTML part's base64 is invalid".into()))?
        }
        _ => raw.to_vec(),
    };
    let charset = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    Ok(HtmlPart { body, charset })
}

/// Quoted-printable as a browser writes it, read leniently: `=XX` is a byte, `=` at a line's end joins
/// lines, anything else (a lone `=`) is kept as it is.
fn lenient_quoted_printable(raw: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'=' {
            match (raw.get(i + 1).copied(), raw.get(i + 2).copied()) {
                (Some(b'\r'), Some(b'\n')) => {
                    i += 3;
                    continue;
                }
                (Some(b'\n'), _) => {
                    i += 2;
                    continue;
                }
                (Some(a), Some(b)) => {
                    if let (Some(h), Some(l)) = (hex(a), hex(b)) {
                        out.push(h << 4 | l);
                        i += 3;
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "From: <Saved by Blink>\r\nSnapshot-Content-Location: http://x.example/a.html\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n\tboundary=\"--b--\"\r\n\r\n";

    #[test]
    fn the_root_part_in_base64_with_its_charset() {
        // "<p>新闻</p>" in GBK, base64.
        let gbk = encoding_rs::GBK.encode("<p>新闻</p>").0.into_owned();
        let b64 = base64_of(&gbk);
        let mht = format!(
            "{HEAD}----b--\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\nContent-Location: http://x.example/i.png\r\n\r\niVBORw0KGgo=\r\n----b--\r\nContent-Type: text/html; charset=gbk\r\nContent-Transfer-Encoding: base64\r\nContent-Location: http://x.example/a.html\r\n\r\n{b64}\r\n----b----\r\n"
        );
        let part = root_html(mht.as_bytes()).unwrap();
        assert_eq!(part.body, gbk);
        assert_eq!(part.charset.as_deref(), Some("gbk"));
    }

    #[test]
    fn lenient_quoted_printable_keeps_a_lone_equals() {
        assert_eq!(lenient_quoted_printable(b"a=3Db=\r\nc=zz"), b"a=bc=zz");
    }

    #[test]
    fn no_html_part_is_corrupt() {
        let mht = format!("{HEAD}----b--\r\nContent-Type: image/png\r\n\r\nxx\r\n----b----\r\n");
        assert!(matches!(
            root_html(mht.as_bytes()),
            Err(ExtractError::Corrupt(_))
        ));
    }

    #[test]
    fn the_start_parameter_names_the_root() {
        let mht = "MIME-Version: 1.0\r\nContent-Type: multipart/related; start=\"<root@x>\"; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/html\r\nContent-ID: <frame@x>\r\n\r\n<p>frame</p>\r\n\
--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-ID: <root@x>\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>=E6=96=B0=\r\n=E9=97=BB</p>\r\n--b--\r\n";
        let part = root_html(mht.as_bytes()).unwrap();
        assert_eq!(String::from_utf8(part.body).unwrap().trim(), "<p>新闻</p>");
        assert_eq!(part.charset.as_deref(), Some("utf-8"));
    }

    #[test]
    fn a_single_part_message_is_its_own_root() {
        let mht = "MIME-Version: 1.0\r\nContent-Type: text/html; charset=gbk\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>=D0=C2=CE=C5</p>\r\n";
        let part = root_html(mht.as_bytes()).unwrap();
        assert_eq!(
            part.body.trim_ascii(),
            encoding_rs::GBK.encode("<p>新闻</p>").0.as_ref()
        );
    }

    fn base64_of(bytes: &[u8]) -> String {
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut s = String::new();
        for c in bytes.chunks(3) {
            let n = (c[0] as u32) << 16
                | (*c.get(1).unwrap_or(&0) as u32) << 8
                | *c.get(2).unwrap_or(&0) as u32;
            for k in 0..4 {
                if k <= c.len() {
                    s.push(T[(n >> (18 - 6 * k) & 63) as usize] as char);
                } else {
                    s.push('=');
                }
            }
        }
        s
    }
}
