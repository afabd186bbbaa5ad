//! Test texts (the "haystacks"), short and written for these tests. Each document goes into its own file of
//! the temporary corpus, so a hit's path says which document it is.

// The traps of Chinese search: one short document for each way a search of Chinese text goes wrong
// (sub-words, word boundaries, scripts, widths, Latin and digits, characters beyond the BMP).

/// Sub-words inside a compound: 农业, 发展银行, and 银行今天 across a word boundary.
pub const NONGYE: &str = "中国农业发展银行今天发布公告";
/// Contains the string 和尚 without being about a monk (和 | 尚未).
pub const HESHANG: &str = "结婚的和尚未结婚的都来了";
/// 中等 is one word; 进了中等 spans a word boundary.
pub const LIPING: &str = "李萍进了中等技术学校";
/// Traditional script.
pub const TRAD: &str = "記者從銀行獲悉，央行宣布降息";
/// Full-width Latin letters and digits.
pub const APPLE: &str = "ＡＰＰＬＥ公司发布ｉＰｈｏｎｅ１５手机";
/// 简单 and 单 inside 安装简单.
pub const JIANDAN: &str = "安装简单，没有复杂的配置：省心";
/// Dates, Latin with digits and dashes, a non-BMP character (𨨏, U+28A0F), full-width Ｃ１２３.
pub const MIXED: &str = "2023年10月1日，5G和COVID-19疫苗报道；王𨨏在Ｃ１２３号";
/// 今天 again, and 天气.
pub const TIANQI: &str = "今天天气不错";

/// The traps of Chinese search, as a corpus (file name → document): words inside compounds and across word
/// boundaries, a string that is not the word it looks like (和尚), traditional script, full-width Latin and
/// digits, dates and Latin with digits, a character beyond the BMP.
pub const TRAPS: &[(&str, &str)] = &[
    ("nongye.txt", NONGYE),
    ("heshang.txt", HESHANG),
    ("liping.txt", LIPING),
    ("trad.txt", TRAD),
    ("apple.txt", APPLE),
    ("jiandan.txt", JIANDAN),
    ("mixed.txt", MIXED),
    ("tianqi.txt", TIANQI),
];

// More documents.

/// Really about a monk: must outrank [`HESHANG`] for 和尚.
pub const MONK: &str = "寺里的和尚每天念经";
/// Latin unit glued to digits.
pub const GWH: &str = "宁德时代储能电池产能达25GWh。";
/// 配置 without 简单.
pub const PEIZHI: &str = "服务器的配置很高";
/// A passage that contains an unclosed-quote query's text.
pub const WEIBIHE: &str = "引号未闭合的查询也能搜索";

/// Matches both terms of 苹果 香蕉.
pub const FRUIT_BOTH: &str = "市场上的苹果和香蕉价格都上涨了";
/// Matches one term of 苹果 香蕉.
pub const FRUIT_ONE: &str = "市场上的苹果价格也上涨了";

/// A newspaper page with two articles, each a heading, a byline and a body (and a photo credit).
pub const NEWSPAPER_PAGE: &str = "\
梯度培育助力企业成长

◎本报记者 张三 通讯员 李四

本报讯 近日，某市高新区召开企业培育大会，介绍了孵化器的培育模式。会议指出，要持续完善服务体系。

王五摄

沿海城市推进海水淡化

◎本报记者 赵六

记者从有关部门获悉，沿海城市的海水淡化项目今年投入运行，日产淡水十万吨。
";

/// A file with a byte order mark and CRLF line ends.
pub const BOM_CRLF: &str =
    "\u{feff}标题行\r\n\r\n第一段提到关键词甲乙。\r\n第二行继续说明。\r\n\r\n第二段提到丙丁。\r\n";

/// A file with 独有词汇, for files that must be ignored.
pub const UNIQUE: &str = "这里有一个独有词汇";

/// One paragraph of about 1000 characters (no blank lines), made of sentences of different lengths, each
/// mentioning 切分. Returns the paragraph and its sentences.
pub fn long_paragraph() -> (String, Vec<String>) {
    let fillers = ["", "规则", "长短不一的", "用来测试段落", "按照句子边界进行"];
    let mut sentences = Vec::new();
    let mut total = 0;
    let mut i = 0;
    while total < 1000 {
        let s = format!("第{i}句讨论{}切分的效果。", fillers[i % fillers.len()]);
        total += s.chars().count();
        sentences.push(s);
        i += 1;
    }
    (sentences.concat(), sentences)
}

/// An article of `n` paragraphs that all mention 工研院 (for output larger than a pipe's buffer).
pub fn many_paragraphs(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "第{i}段：青岛市工研院围绕企业培育开展了一系列服务工作，帮助科技型中小企业成长为高新技术企业，\
                 并持续完善孵化平台的服务体系。\n\n"
            )
        })
        .collect()
}

// JSON Lines archives.

/// An archive with the default field names: a record with a numeric id, three paragraphs (JSON escapes and a
/// non-BMP character in the body) and fields that are not read; a blank line; a record with a string id; a
/// record without an id.
pub const NEWS_JSONL: &str = concat!(
    r#"{"id": 101, "title": "海水淡化项目投产", "body": "沿海城市的海水淡化项目今年投入运行。\n\n日产淡水十万吨，供应周边工业园区。\n\n王𨨏说：\"二期\"明年开工。", "date": "2023-05-01", "author": "张三", "tags": ["能源"]}"#,
    "\n",
    "\n",
    r#"{"id": "b-2", "title": "储能电池", "body": "宁德时代储能电池产能达25GWh。", "date": "2023-06-02"}"#,
    "\n",
    r#"{"title": "无编号", "body": "这条记录没有编号字段。"}"#,
    "\n",
);

/// An archive with malformed lines between good ones (line 6 is not UTF-8, line 7 is blank): see
/// [`MALFORMED_BAD_LINES`].
pub fn malformed_jsonl() -> Vec<u8> {
    let mut v = Vec::new();
    for line in [
        r#"{"id": "ok1", "body": "第一条正常记录讲海水淡化。"}"#,
        "this is not json 数组",
        r#"["ok2", "数组不是记录"]"#,
        r#"{"id": "nobody", "title": "无正文的标题"}"#,
        r#"{"id": "num", "body": 12345}"#,
    ] {
        v.extend_from_slice(line.as_bytes());
        v.push(b'\n');
    }
    v.extend_from_slice("{\"id\": \"bad\", \"body\": \"坏的".as_bytes());
    v.extend_from_slice(b"\xff\xfe");
    v.extend_from_slice("字节串\"}\n".as_bytes());
    v.extend_from_slice(b"   \n");
    v.extend_from_slice(r#"{"id": "ok3", "body": "最后一条正常记录讲储能电池。"}"#.as_bytes());
    v.push(b'\n');
    v
}

/// The lines of [`malformed_jsonl`] that are reported and skipped.
pub const MALFORMED_BAD_LINES: [u64; 5] = [2, 3, 4, 5, 6];

/// Records whose word 海水淡化 is in the title only (t1), in the body only (t2), or nowhere (t3).
pub const TITLES_JSONL: &str = concat!(
    r#"{"id": "t1", "title": "海水淡化新进展", "body": "沿岸城市的新项目今年投入运行，日产十万吨。"}"#,
    "\n",
    r#"{"id": "t2", "title": "工业新闻", "body": "海水淡化设备出口增长。"}"#,
    "\n",
    r#"{"id": "t3", "title": "天气", "body": "今天天气不错。"}"#,
    "\n",
);

/// Records with several paragraphs that all mention 储能 (r1: 3, r2: 2, r3: 1).
pub const MULTI_JSONL: &str = concat!(
    r#"{"id": "r1", "title": "甲", "body": "甲文第一段讲储能。\n\n甲文第二段也讲储能。\n\n甲文第三段还讲储能。"}"#,
    "\n",
    r#"{"id": "r2", "title": "乙", "body": "乙文第一段讲储能。\n\n乙文第二段讲储能。"}"#,
    "\n",
    r#"{"id": "r3", "title": "丙", "body": "丙文只有一段讲储能。"}"#,
    "\n",
);
