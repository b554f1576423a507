use super::*;
use proptest::prelude::*;

fn assert_spans(nodes: &[Node], len: usize, lo: usize, hi: usize, src: &str) {
    let mut last = lo;
    for n in nodes {
        assert!(n.start >= last && n.start <= n.end && n.end <= hi && n.end <= len);
        assert!(src.is_char_boundary(n.start) && src.is_char_boundary(n.end));
        assert_spans(&n.children, len, n.start, n.end, src);
        last = n.end;
    }
}

proptest! {
    /// Any text: an outline whose spans lie inside the text on character boundaries, nest, and
    /// do not overlap; never a panic.
    #[test]
    fn any_text(src in "\\PC{0,300}") {
        let o = outline(&src);
        assert_spans(&o.nodes, src.len(), 0, src.len(), &src);
    }

    #[test]
    fn marker_soup(parts in proptest::collection::vec("(一、|（二）|第三章|第4条|1\\.|2、|\\(3\\)|①|一是|二是|首先|其次|最后|\\n|- 2 -|。|，|[\\u4e00-\\u9fa5]{0,5})", 0..60)) {
        let src: String = parts.concat();
        let o = outline(&src);
        assert_spans(&o.nodes, src.len(), 0, src.len(), &src);
    }
}
