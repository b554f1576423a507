//! 文件分解: splitting documents into draft tasks.

/// (key, zh-CN, en). Error messages may use `{field}` and `{detail}`.
pub(super) static MESSAGES: &[(&str, &str, &str)] = &[
    ("doc.split", "文件分解", "Split a document into tasks"),
    ("doc.intro", "粘贴讲话、报告或方案的全文，或上传文件（UTF-8、GBK 文本或 Word .docx），生成任务分解表初稿；核对后发布为决策部署。", "Paste a speech, report or plan, or upload it (UTF-8 or GBK text, or Word .docx), to draft a task-breakdown table; check it, then publish it as a directive."),
    ("doc.paste", "粘贴全文", "Paste the text"),
    ("doc.upload", "或上传文件", "or upload a file"),
    ("doc.year", "时限年份（“年底前”等所指年份）", "Year that phrases like 年底前 refer to"),
    ("doc.run", "分解", "Split"),
    ("doc.text", "原文", "Text"),
    ("doc.outline", "提纲", "Outline"),
    ("doc.drafts", "任务初稿", "Draft tasks"),
    ("doc.include", "纳入", "Include"),
    ("doc.why", "建议依据", "Why suggested"),
    ("doc.catalogue_source", "建议来源", "Suggestions from"),
    ("doc.catalogue_county", "本县权责清单", "the county's catalogue"),
    ("doc.catalogue_shipped", "内置示范清单（本县尚未维护）", "the shipped sample (the county has none yet)"),
    ("doc.publish", "发布为决策部署", "Publish as a directive"),
    ("doc.check", "只检查不发布", "Check only"),
    ("doc.checked", "检查通过，可以发布。", "Checked: ready to publish."),
    ("doc.none", "没有识别出可分解的条目。", "No actionable points found."),
    ("doc.catalogue", "权责清单", "Responsibility catalogue"),
    ("doc.catalogue_intro", "每个单位的职责关键词，一行一个或用顿号分隔。文件分解和诉求派单据此建议责任单位。", "Each unit's duty keywords, one per line or separated by 、. Document splitting and appeal routing suggest owner units from them."),
    ("doc.keywords", "关键词", "Keywords"),
];
