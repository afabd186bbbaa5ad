use super::*;

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}

const BODY: &str = "<p>　　国务院新闻办公室今天举行新闻发布会，介绍今年前三季度国民经济运行情况。国家统计局新闻发言人表示，经济运行总体平稳。</p>\
<p>　　前三季度，全国规模以上工业增加值同比增长百分之五，服务业生产指数同比增长百分之六，市场销售稳步恢复。</p>";

#[test]
fn undeclared_gbk_page() {
    let page = gbk(&format!(
        "<html><head><title>前三季度经济运行总体平稳_新华网</title></head><body><h1>前三季度经济运行总体平稳</h1>{BODY}</body></html>"
    ));
    let doc = extract_html(&page).unwrap();
    assert_eq!(doc.title.as_deref(), Some("前三季度经济运行总体平稳"));
    assert!(doc.articles[0].paragraphs[0].starts_with("国务院新闻办公室今天举行新闻发布会"));
}

#[test]
fn utf8_page_with_bom() {
    let mut page = b"\xef\xbb\xbf".to_vec();
    page.extend(format!("<!doctype html><title>经济</title><body>{BODY}</body>").as_bytes());
    let doc = extract_html(&page).unwrap();
    assert_eq!(doc.articles[0].paragraphs.len(), 2);
    assert!(!doc.articles[0].paragraphs[0].starts_with('\u{feff}'));
}

#[test]
fn a_page_of_navigation_only_has_no_text() {
    let page = "<html><head><meta charset=utf-8><title>首页</title></head><body><ul class=nav>\
<li><a href=/0/>首页</a></li><li><a href=/1/>时政</a></li><li><a href=/2/>国际</a></li><li><a href=/3/>财经</a></li></ul>\
<div class=footer><p>版权所有 Copyright © 1997-2023</p><p>京ICP证000000号</p></div></body></html>";
    assert_eq!(extract_html(page.as_bytes()), Err(ExtractError::NoText));
    assert_eq!(extract_html(b""), Err(ExtractError::NoText));
}

#[test]
fn a_truncated_page_yields_what_it_has() {
    let full = gbk(&format!(
        "<html><head><meta charset=gb2312><title>经济运行</title></head><body><h1>经济运行</h1>{BODY}<div class=footer>京ICP证000000号</div></body></html>"
    ));
    // Cut in the second paragraph, inside the two bytes of 服: no closing tags, a broken last character.
    let word = gbk("服务业");
    let at = full.windows(word.len()).position(|w| w == word).unwrap();
    let cut = at + 1;
    let doc = extract_html(&full[..cut]).unwrap();
    let ps = &doc.articles[0].paragraphs;
    assert!(ps[0].starts_with("国务院新闻办公室"), "{ps:?}");
    assert_eq!(ps.len(), 2, "{ps:?}");
    assert!(ps[1].ends_with("同比增长百分之五，"), "{ps:?}");
}

#[test]
fn a_footer_copyright_year_is_not_the_date() {
    let page = format!(
        "<html><head><meta charset=utf-8><title>经济运行</title></head><body><h1>经济运行</h1>{BODY}\
<div class=footer><p>Copyright © 1997-2023 2023-01-01 版权所有</p><p>2023年1月1日 京ICP证000000号</p></div></body></html>"
    );
    let doc = extract_html(page.as_bytes()).unwrap();
    assert_eq!(doc.date, None);
}

#[test]
fn the_date_under_the_headline_is_taken() {
    let page = format!(
        "<html><head><meta charset=utf-8><title>经济运行</title></head><body><h1>经济运行</h1>\
<div class=info>2021-10-18 10:30　来源：新华社</div>{BODY}<div class=footer>© 2023 京ICP证000000号</div></body></html>"
    );
    let doc = extract_html(page.as_bytes()).unwrap();
    assert_eq!(doc.date.as_deref(), Some("2021-10-18"));
    assert_eq!(doc.source.as_deref(), Some("新华社"));
    assert!(
        doc.articles[0]
            .paragraphs
            .iter()
            .all(|p| !p.contains("来源"))
    );
}

#[test]
fn mojibake_is_refused_and_garbage_does_not_panic() {
    let mut page = b"\xef\xbb\xbf".to_vec();
    page.extend(gbk(&format!("<html><body>{BODY}</body></html>")));
    assert!(matches!(
        extract_html(&page),
        Err(ExtractError::Undecodable(_))
    ));
    let mut seed = 7u32;
    for len in [0, 1, 10, 100, 1000, 5000] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (seed >> 16) as u8
            })
            .collect();
        let _ = extract_html(&bytes);
        let _ = extract_mhtml(&bytes);
    }
    let _ = extract_mhtml(b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n\r\n--x\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!\r\n--x");
}

#[test]
fn template_inside_the_article_container_is_dropped() {
    // What Readability keeps, as it sits in the same container as the body: a 来源 line, a toolbar, an
    // editor's line, a list of related news in plain text, a share bar, a licence.
    let page = format!(
        "<html><head><meta charset=utf-8><title>经济运行_新华网</title></head><body><div id=content>\
<h1>经济运行</h1><p>2021年10月18日 10:30 来源：新华社 作者：张三</p>{BODY}\
<p>(责任编辑：李四)</p><p>【纠错】【打印本页】【关闭窗口】</p><p>分享到：微信 微博 QQ空间</p>\
<h3>相关新闻</h3><p>多地出台措施稳就业促增长</p><p>春耕备耕有序推进</p>\
<p>新华网版权所有 京ICP证000000号</p></div></body></html>"
    );
    let doc = extract_html(page.as_bytes()).unwrap();
    let ps = &doc.articles[0].paragraphs;
    assert_eq!(ps.len(), 2, "{ps:#?}");
    assert!(ps[0].starts_with("国务院新闻办公室"));
    assert!(ps[1].starts_with("前三季度"));
    assert_eq!(doc.date.as_deref(), Some("2021-10-18"));
    assert_eq!(doc.source.as_deref(), Some("新华社"));
    assert_eq!(doc.title.as_deref(), Some("经济运行"));
}

#[test]
fn body_lines_filter() {
    let line = |t: &str, link_chars: usize, heading: bool| Line {
        text: t.into(),
        link_chars,
        heading,
    };
    let lines = [
        line("首页 时政 国际", 7, false),
        line("标题", 0, true),
        line("正文第一段。", 0, false),
        line("网友评论", 0, true),
        line("网友a：说得好！", 0, false),
        line("一、正文的小标题", 0, true),
        line("正文第二段。", 0, false),
        line("京ICP证000000号", 0, false),
    ];
    assert_eq!(
        body_paragraphs(&lines, Some("标题")),
        ["正文第一段。", "一、正文的小标题", "正文第二段。"]
    );
}

#[test]
fn traditional_script_template_and_full_width_dates() {
    let page = "<html><head><meta charset=utf-8><title>經濟運行 - 中央社</title></head><body><div><h1>經濟運行</h1>\
<p>２０２１年１０月１８日　來源：中央社</p><p>國務院新聞辦公室今天舉行新聞發布會，介紹今年前三季度國民經濟運行情況。國家統計局新聞發言人表示，經濟運行總體平穩。</p>\
<p>前三季度，全國規模以上工業增加值同比增長百分之五，服務業生產指數同比增長百分之六，市場銷售穩步恢復。</p>\
<p>（責任編輯：李四）</p><p>分享至：微信 微博</p><h3>相關新聞</h3><p>多地出台措施穩就業促增長</p><p>版權所有 © 2023</p></div></body></html>";
    let doc = extract_html(page.as_bytes()).unwrap();
    let ps = &doc.articles[0].paragraphs;
    assert_eq!(ps.len(), 2, "{ps:#?}");
    assert_eq!(doc.date.as_deref(), Some("2021-10-18"));
    assert_eq!(doc.source.as_deref(), Some("中央社"));
    assert_eq!(doc.title.as_deref(), Some("經濟運行"));
}

#[test]
fn a_table_and_a_list_in_the_body_are_kept() {
    let page = format!(
        "<html><head><meta charset=utf-8><title>经济运行</title></head><body><ul class=nav><li><a href=/>首页</a></li></ul><div class=article><h1>经济运行</h1>{BODY}\
<table><tr><td>指标</td><td>增速</td></tr><tr><td>工业增加值</td><td>5.0%</td></tr><tr><td>服务业生产指数</td><td>6.0%</td></tr></table>\
<ul><li>第一，稳定就业。</li><li>第二，扩大内需。</li></ul>{BODY}</div><div class=footer>京ICP证000000号</div></body></html>"
    );
    let ps = extract_html(page.as_bytes()).unwrap().articles[0]
        .paragraphs
        .clone();
    assert_eq!(ps.len(), 9, "{ps:#?}");
    assert_eq!(
        ps[2..7],
        [
            "指标\t增速",
            "工业增加值\t5.0%",
            "服务业生产指数\t6.0%",
            "第一，稳定就业。",
            "第二，扩大内需。"
        ]
    );
}

#[test]
fn a_source_line_closing_the_article_and_an_original_title_line() {
    let page = format!(
        "<html><head><meta charset=utf-8><meta property=og:site_name content=新浪网><title>经济运行</title></head><body><div class=article>\
<h1>经济运行</h1><p>原标题：前三季度国民经济运行总体平稳</p>{BODY}<p>（来源：人民日报）</p></div></body></html>"
    );
    let doc = extract_html(page.as_bytes()).unwrap();
    assert_eq!(doc.source.as_deref(), Some("人民日报"));
    let ps = &doc.articles[0].paragraphs;
    assert_eq!(ps.len(), 2, "{ps:#?}");
}

#[test]
fn a_logo_in_h1_is_not_the_headline() {
    let page = format!(
        "<html><head><meta charset=utf-8><title>前三季度经济运行总体平稳-新华网</title></head><body>\
<h1 class=logo><a href=/>新华网</a></h1><div class=article><h2>前三季度经济运行总体平稳</h2>{BODY}</div></body></html>"
    );
    let doc = extract_html(page.as_bytes()).unwrap();
    assert_eq!(doc.title.as_deref(), Some("前三季度经济运行总体平稳"));
    assert_eq!(doc.articles[0].paragraphs.len(), 2);
}

#[test]
fn a_sentence_mentioning_a_source_does_not_name_the_page_source() {
    let page = format!(
        "<html><head><meta charset=utf-8><meta property=og:site_name content=新浪网><title>经济运行</title></head><body><div class=article>\
<h1>经济运行</h1>{BODY}<p>据介绍，资金来源：财政拨款和社会投资。</p></div></body></html>"
    );
    let doc = extract_html(page.as_bytes()).unwrap();
    assert_eq!(doc.source.as_deref(), Some("新浪网"));
    assert_eq!(doc.articles[0].paragraphs.len(), 3);
}

#[test]
fn deep_nesting_is_flattened_not_a_stack_overflow() {
    // Recursion over 3000 nested elements overflowed a thread's 2 MiB stack (an abort, which no
    // catch_unwind catches); the tree is flattened below MAX_DEPTH first.
    let mut page = String::from("<html><body>");
    page.push_str(&"<div><span>".repeat(1500));
    page.push_str(BODY);
    page.push_str("</body></html>");
    let doc = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || extract_html(page.as_bytes()))
        .unwrap()
        .join()
        .unwrap()
        .unwrap();
    let body = doc.articles[0].text();
    assert!(
        body.contains("国务院新闻办公室今天举行新闻发布会"),
        "{body}"
    );
    assert!(body.contains("市场销售稳步恢复"), "{body}");
}

#[test]
fn nesting_too_deep_to_parse_in_time_is_refused_at_once() {
    // The HTML parser checks the stack of open elements for each tag: 100,000 nested elements took it
    // minutes (past the extractor's time limit, its thread left burning a core). Such a page is refused
    // before parsing; a page nesting a few thousand unclosed elements (above) is still read.
    let mut page = String::from("<html><body>");
    page.push_str(&"<div>".repeat(100_000));
    page.push_str(BODY);
    page.push_str(&"</div>".repeat(100_000));
    page.push_str("</body></html>");
    let started = std::time::Instant::now();
    let result = extract_html(page.as_bytes());
    assert!(
        matches!(&result, Err(ExtractError::TooLarge(why)) if why.contains("nest 100000 deep")),
        "{result:?}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Closed elements, void elements, paragraphs and list items left open, comments and scripts do not
    // count as nesting.
    let mut page = String::from("<html><body><!-- <div><div> -->");
    for _ in 0..20_000 {
        page.push_str(
            "<div><p>一<br><img src=a.png><li>二<b>三</b></div><script>if (a<b) {}</script>",
        );
    }
    page.push_str(BODY);
    page.push_str("</body></html>");
    assert!(nesting_depth(&page) < 10, "{}", nesting_depth(&page));
}

#[test]
fn subheads_stay_in_the_body() {
    let page = format!(
        "<html><head><meta charset=utf-8><title>经济运行_新华网</title></head><body><div class=article><h1>经济运行</h1>\
<h3>一、总体平稳</h3>{BODY}<h3>二、稳中有进</h3>{BODY}</div><div class=footer>京ICP证000000号</div></body></html>"
    );
    let ps = extract_html(page.as_bytes()).unwrap().articles[0]
        .paragraphs
        .clone();
    assert_eq!(ps.len(), 6, "{ps:#?}");
    assert_eq!(ps[0], "一、总体平稳");
    assert_eq!(ps[3], "二、稳中有进");
}

#[test]
fn an_editors_default_title_is_no_title() {
    let page = format!(
        "<html><head><meta charset=utf-8><title>无标题文档</title></head><body><table><tr><td>{BODY}</td></tr></table>\
<p>京ＩＣＰ备00000000号</p></body></html>"
    );
    let doc = extract_html(page.as_bytes()).unwrap();
    assert_eq!(doc.title, None);
    assert!(
        !doc.articles[0].text().contains("ＩＣＰ"),
        "{:#?}",
        doc.articles[0].paragraphs
    );
}

#[test]
fn template_words_in_body_sentences_stay() {
    for body in [
        "老字号企业焕发新活力。",
        "扫描二维码即可报名。",
        "他说：“发现问题要及时纠错。”",
    ] {
        assert!(!is_template(body), "{body}");
    }
    for template in [
        "【纠错】",
        "分享到：",
        "扫一扫，分享到微信",
        "(责任编辑：李四)",
        "京ICP证000000号。",
        "大字号 中字号 小字号",
    ] {
        assert!(is_template(template), "{template}");
    }
}

#[test]
fn dateline_lines() {
    for meta in [
        "测试记者 2023年03月01日06:12 | 来源：人民网",
        "发布时间：2023-03-01",
        "2012年06月05日 09:15:27　　来源：新华网",
        "作者：张三",
    ] {
        assert!(is_dateline_meta(meta), "{meta}");
    }
    for body in [
        "活动时间：10月1日至7日",
        "2023年3月1日，国务院新闻办公室举行新闻发布会。",
    ] {
        assert!(!is_dateline_meta(body), "{body}");
    }
}
