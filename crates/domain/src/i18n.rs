//! 消息目录 (message catalogue): every text the user sees, keyed by a stable code, in
//! Simplified Chinese (default) and English. Error codes, field names and UI labels all live
//! here, so a translation is one place to change and a test can prove none is missing.

use crate::error::{DomainError, ErrorCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "zh-hans" => Some(Lang::ZhCn),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }
    /// From an `Accept-Language` header: the first language we know, else Chinese.
    pub fn from_accept(header: &str) -> Lang {
        header
            .split(',')
            .filter_map(|p| p.split(';').next())
            .filter_map(|p| Lang::parse(p).or_else(|| p.trim().starts_with("en").then_some(Lang::En)))
            .next()
            .unwrap_or_default()
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// (key, zh-CN, en). Error messages may use `{field}` and `{detail}`.
static CATALOGUE: &[(&str, &str, &str)] = &[
    // errors
    ("error.required", "请填写{field}", "{field} is required"),
    ("error.too_long", "{field}过长（最多 {detail} 个字符）", "{field} is too long (at most {detail} characters)"),
    ("error.too_short", "{field}过短（至少 {detail} 个字符）", "{field} is too short (at least {detail} characters)"),
    ("error.invalid", "{field}格式不正确", "{field} is not valid"),
    ("error.out_of_range", "{field}超出允许范围（{detail}）", "{field} is out of range ({detail})"),
    ("error.duplicate", "{field}已存在", "{field} already exists"),
    (
        "error.too_many_attempts.form",
        "提交得太快了：请用至少 {detail} 秒核对填写的内容后再提交",
        "That was too fast: take at least {detail} seconds to check what you typed, then submit again",
    ),
    ("error.duplicate.exemption", "该任务已有一份待处理的容错免责申请，请等待办理结果", "This task already has a pending exemption application; wait for its decision"),
    ("error.invalid.form", "提交未被接受，请刷新页面后重新填写", "The submission was not accepted; reload the page and fill it in again"),
    (
        "error.invalid.rating_code",
        "评价码不正确：请填写提交诉求时页面显示的8位评价码",
        "The rating code is wrong: enter the 8-character rating code shown when you submitted",
    ),
    (
        "error.out_of_range.deadline_past",
        "完成时限已经过去（今天是 {detail}）：请填写今后的日期；补录已有任务请勾选“补录”",
        "The deadline has already passed (today is {detail}): enter a later date, or tick \"entered after the fact\" for an existing task",
    ),
    ("error.out_of_range.issued_on", "发文日期不能晚于今天（{detail}）", "The issue date cannot be later than today ({detail})"),
    (
        "error.out_of_range.run_date",
        "督查只能按今天（{detail}）运行并写入；其他日期请勾选“演练”，只计算不写入",
        "Supervision runs and writes for today ({detail}) only; for another date use a rehearsal, which writes nothing",
    ),
    ("error.not_found", "未找到该{field}，或您无权查看", "{field} not found, or you may not see it"),
    ("error.unauthenticated", "请先登录", "Please log in"),
    ("error.forbidden", "您无权进行此操作", "You are not allowed to do this"),
    ("error.bad_credentials", "用户名或密码错误", "Wrong user name or password"),
    ("error.account_disabled", "该账号已停用，请联系管理员", "This account is disabled; ask an administrator"),
    ("error.too_many_attempts", "尝试次数过多，请 15 分钟后再试", "Too many attempts; try again in 15 minutes"),
    ("error.csrf_mismatch", "页面已过期，请刷新后重试", "The page has expired; reload it and try again"),
    (
        "error.calendar_unknown_year",
        "工作日历中没有 {detail} 年的节假日安排，请管理员先导入该年日历",
        "The working-day calendar has no data for {detail}; an administrator must import that year first",
    ),
    ("error.bad_hierarchy", "{field}不符合单位层级（县→部门/乡镇→村社区）", "{field} breaks the unit hierarchy (county → department/township → village)"),
    ("error.bad_file", "文件无法读取：{detail}", "The file cannot be read: {detail}"),
    ("error.too_large", "内容过大（上限 {detail}）", "Too large (limit {detail})"),
    ("error.conflict", "记录已被他人修改，请刷新后重试", "The record was changed by someone else; reload and retry"),
    ("error.unavailable", "数据库暂时不可用，请稍后重试；您的修改未保存", "The database is unavailable; try again later. Nothing was saved"),
    ("error.internal", "系统内部错误，已记录，请联系管理员", "Internal error; it has been logged, contact an administrator"),
    // fields
    ("field.name", "名称", "name"),
    ("field.short_name", "简称", "short name"),
    ("field.kind", "类型", "kind"),
    ("field.code", "代码", "code"),
    ("field.leader", "负责人", "leader"),
    ("field.parent_id", "上级单位", "parent unit"),
    ("field.unit_id", "所属单位", "unit"),
    ("field.unit", "单位", "unit"),
    ("field.user", "用户", "user"),
    ("field.rule", "规则", "rule"),
    ("field.username", "用户名", "user name"),
    ("field.display_name", "姓名", "display name"),
    ("field.password", "密码（至少10位，含两类字符）", "password (at least 10 characters of two kinds)"),
    ("field.password_common", "密码", "password"),
    ("field.password_name", "密码", "password"),
    ("error.invalid.password_common", "密码太常见，容易被猜中：请换一个（在常见密码前后加数字或符号也不行）", "This password is too common and easily guessed: choose another (adding digits or symbols to a common one is not enough)"),
    ("error.invalid.password_name", "密码不能包含用户名或姓名", "The password must not contain the user name or the person's name"),
    ("field.role", "角色", "role"),
    ("field.phone", "电话", "phone"),
    ("field.rating_code", "评价码", "rating code"),
    ("field.media_url", "图片链接", "media URL"),
    ("field.value", "取值", "value"),
    ("field.source", "依据（文号）", "source document"),
    ("field.effective_from", "生效日期", "effective date"),
    ("field.note", "说明", "note"),
    ("field.date", "日期", "date"),
    ("field.run_date", "督查日期", "supervision date"),
    ("field.deadline_past", "完成时限", "deadline"),
    ("field.backfill", "补录", "entered after the fact"),
    ("field.rehearsal", "演练", "rehearsal"),
    ("field.days", "工作日数", "working days"),
    ("field.year", "年份", "year"),
    ("field.file", "文件", "file"),
    ("field.body", "请求内容", "request body"),
    ("field.token", "令牌", "token"),
    ("field.audit", "审计记录", "audit record"),
    ("field.page", "页面", "page"),
    // roles
    ("role.admin", "系统管理员", "Administrator"),
    ("role.leader", "县领导", "County leader"),
    ("role.supervisor", "督查室", "Supervision office"),
    ("role.unit_manager", "单位负责人", "Unit manager"),
    ("role.unit_staff", "单位经办人", "Unit staff"),
    ("role.hotline", "12345话务员", "12345 operator"),
    ("role.deputy", "人大代表", "People's deputy"),
    // unit kinds
    ("kind.county", "县", "County"),
    ("kind.department", "部门", "Department"),
    ("kind.township", "乡镇/街道", "Township"),
    ("kind.village", "村/社区", "Village/community"),
    // tasks and supervision
    ("nav.inbox", "待办", "Inbox"),
    ("nav.tasks", "任务", "Tasks"),
    ("nav.directives", "决策部署", "Directives"),
    ("nav.reports", "通报", "Reports"),
    ("tasks.board", "督办看板", "Supervision board"),
    ("tasks.inbox", "我的待办", "My inbox"),
    ("tasks.directives", "决策部署", "Directives"),
    ("tasks.report", "督查通报", "Supervision report"),
    ("tasks.import", "导入任务分解表", "Import a task-breakdown table"),
    ("tasks.export", "导出任务分解表", "Export the task-breakdown table"),
    ("tasks.run", "立即执行督查", "Run supervision now"),
    ("task.title", "工作任务", "Task"),
    ("task.owner", "牵头单位", "Lead unit"),
    ("task.leader", "牵头领导", "Lead leader"),
    ("task.deadline", "完成时限", "Deadline"),
    ("task.progress", "进度", "Progress"),
    ("task.state", "状态", "State"),
    ("task.term", "期限类型", "Term"),
    ("task.parent", "上级任务", "Parent task"),
    ("task.measures", "具体措施", "Measures"),
    ("task.responsible", "责任单位", "Responsible units"),
    ("task.cooperating", "配合单位", "Co-operating units"),
    ("task.deadline_wd", "或：交办后工作日数", "or: working days after assignment"),
    ("task.weight", "权重", "Weight"),
    ("task.milestones", "节点（序时进度）", "Milestones (planned progress)"),
    ("task.new", "新增任务", "Add a task"),
    ("task.original", "原时限", "originally"),
    ("task.after_assign", "交办后工作日：", "working days after assignment:"),
    ("task.planned", "序时进度", "planned"),
    ("task.returned", "退回次数", "Returned"),
    ("task.extended", "延期次数", "extended"),
    ("task.co_units", "责任与配合单位", "Co-units"),
    ("task.children", "分解任务", "Sub-tasks"),
    ("task.reports", "进展报告", "Progress reports"),
    ("task.timeline", "办理轨迹", "Timeline"),
    ("term.current", "当前", "Current"),
    ("term.long_term", "长期", "Long-term"),
    ("state.draft", "立项", "Draft"),
    ("state.assigned", "已交办", "Assigned"),
    ("state.signed", "办理中", "In progress"),
    ("state.closure_requested", "申请办结", "Closure requested"),
    ("state.returned", "退回重办", "Returned"),
    ("state.closed", "已办结", "Closed"),
    ("light.green", "绿灯", "Green"),
    ("light.blue", "蓝灯", "Blue"),
    ("light.yellow", "黄灯", "Yellow"),
    ("light.red", "红灯", "Red"),
    ("light.done", "已办结", "Done"),
    ("light.none", "未交办", "Not assigned"),
    ("event.create", "立项", "Registered"),
    ("event.assign", "交办", "Assigned"),
    ("event.sign", "签收", "Signed"),
    ("event.request_closure", "申请办结", "Closure requested"),
    ("event.accept", "审核通过，办结", "Accepted and closed"),
    ("event.return", "退回重办", "Returned for rework"),
    ("event.report", "报送进展", "Progress reported"),
    ("event.extension_request", "申请延期", "Extension requested"),
    ("event.extension_approve", "同意延期", "Extension approved"),
    ("event.extension_refuse", "不同意延期", "Extension refused"),
    ("event.notice_reminder", "催办", "Reminder"),
    ("event.notice_notice", "督办通知", "Supervision notice"),
    ("event.notice_report", "纳入通报", "Included in the public report"),
    ("event.exemption_apply", "申请容错免责", "Exemption applied for"),
    ("event.exemption_accepted", "容错申请已受理", "Exemption application accepted"),
    ("event.exemption_rejected", "容错申请不予受理", "Exemption application rejected"),
    ("event.exemption_verified", "容错情形已核实", "Exemption conditions verified"),
    ("event.exemption_exempted", "集体认定：予以免责", "Decided: exempted"),
    ("event.exemption_not_exempted", "集体认定：不予免责", "Decided: not exempted"),
    ("notice.reminder", "催办", "Reminder"),
    ("notice.report_due", "报送提醒", "Report due"),
    ("event.notice_report_due", "进展报送提醒", "Progress report due"),
    ("event.evaluate", "评价", "Evaluated"),
    ("event.attach", "上传附件", "File attached"),
    ("action.evaluate", "评价", "Evaluation"),
    ("action.attach", "上传佐证材料", "Attach evidence"),
    ("task.attachments", "佐证材料", "Attachments"),
    ("grade.excellent", "优秀", "Excellent"),
    ("grade.good", "良好", "Good"),
    ("grade.fair", "一般", "Fair"),
    ("grade.poor", "较差", "Poor"),
    ("field.grade", "评价等次", "grade"),
    ("field.attachment", "附件", "attachment"),
    ("notice.notice", "督办", "Supervision notice"),
    ("notice.report", "通报", "Public report"),
    ("common.all", "全部", "All"),
    ("common.filter", "筛选", "Filter"),
    ("common.next", "下一页", "Next page"),
    ("inbox.review", "待审核办结", "Closures to review"),
    ("inbox.extensions", "待审批延期", "Extensions to decide"),
    ("inbox.exemptions", "容错免责申请", "Exemption applications"),
    ("inbox.todo", "待签收、待报送", "To sign and report"),
    ("inbox.notices", "收到的催办、督办、通报", "Reminders, notices and reports received"),
    ("ext.approve", "同意", "Approve"),
    ("ext.request", "申请延期", "Request an extension"),
    ("task.light", "亮灯", "Light"),
    ("ext.refuse", "不同意", "Refuse"),
    ("ext.pending", "待审批", "Pending"),
    ("ext.approved", "已同意", "Approved"),
    ("ext.refused", "未同意", "Refused"),
    ("exemption.applied", "已申请", "Applied"),
    ("exemption.accepted", "已受理", "Accepted"),
    ("exemption.verified", "已核实", "Verified"),
    ("exemption.exempted", "予以免责", "Exempted"),
    ("exemption.not_exempted", "不予免责", "Not exempted"),
    ("exemption.rejected", "不予受理", "Rejected"),
    ("exemption.evidence", "佐证材料", "Evidence"),
    ("exemption.do_accept", "受理", "Accept"),
    ("exemption.do_reject", "不予受理", "Reject"),
    ("exemption.do_verify", "核实完毕", "Verified"),
    ("exemption.do_exempt", "集体认定：免责", "Decide: exempt"),
    ("exemption.do_not_exempt", "集体认定：不免责", "Decide: not exempt"),
    ("condition.lawful", "遵纪守法", "Lawful"),
    ("condition.duty", "履职需要", "Duty"),
    ("condition.diligent", "勤勉尽责", "Diligent"),
    ("condition.public_interest", "出于公心", "Public interest"),
    ("condition.due_process", "程序正当", "Due process"),
    ("condition.corrected", "知错就改", "Corrected"),
    ("nav.appeals", "群众诉求", "Appeals"),
    ("appeal.title", "群众诉求", "Citizens' appeals"),
    ("appeal.order", "工单", "Work order"),
    ("appeal.address", "地点", "Place"),
    ("appeal.callbacks", "待回访", "To call back"),
    ("appeal.category", "诉求分类", "Category"),
    ("appeal.channel", "渠道", "Channel"),
    ("appeal.citizen", "诉求人", "Citizen"),
    ("appeal.code", "查询码", "Tracking code"),
    ("appeal.comment", "评价意见", "Comment"),
    ("appeal.confidential", "诉求人要求保密", "The citizen asks for confidentiality"),
    ("appeal.content", "诉求内容", "What the citizen asks"),
    ("appeal.due", "办理时限", "Time limit"),
    ("appeal.duplicate_of", "已合并到", "Merged into"),
    ("appeal.duplicates", "疑似重复件", "Likely duplicates"),
    ("appeal.from", "受理日期起", "Received from"),
    ("appeal.export", "导出Excel", "Export to Excel"),
    ("appeal.to", "受理日期止", "Received until"),
    ("appeal.inbox", "群众诉求工单", "Citizens' work orders"),
    ("appeal.intake", "受理登记", "Register an appeal"),
    ("appeal.kind", "诉求类型", "Type"),
    ("appeal.merge", "合并", "Merge"),
    ("appeal.owner", "承办单位", "Owner unit"),
    ("appeal.rating", "满意度", "Satisfaction"),
    ("appeal.received", "受理时间", "Received"),
    ("appeal.register", "受理", "Register"),
    ("appeal.reply", "答复内容", "Reply"),
    ("appeal.returned", "待审核退单", "Returns to review"),
    ("appeal.rework", "重办次数", "Reworked"),
    ("appeal.search", "诉求查询", "Search appeals"),
    ("appeal.suggestion", "建议派单", "Suggested owner"),
    ("appeal.to_dispatch", "待派单", "To dispatch"),
    ("appeal.urgency", "紧急程度", "Urgency"),
    ("appeal.words", "关键词", "Words"),
    ("appeal_state.received", "已受理", "Received"),
    ("appeal_state.dispatched", "已派单", "Dispatched"),
    ("appeal_state.signed", "办理中", "In hand"),
    ("appeal_state.returned", "退单待审", "Returned, under review"),
    ("appeal_state.replied", "已答复待回访", "Replied, awaiting callback"),
    ("appeal_state.closed", "已办结", "Closed"),
    ("appeal_state.rejected", "不予受理", "Not accepted"),
    ("appeal_kind.consult", "咨询", "Enquiry"),
    ("appeal_kind.help", "求助", "Request for help"),
    ("appeal_kind.complaint", "投诉", "Complaint"),
    ("appeal_kind.report", "举报", "Report of wrongdoing"),
    ("appeal_kind.suggestion", "建议", "Suggestion"),
    ("appeal_action.receive", "受理", "Received"),
    ("appeal_action.dispatch", "派单", "Dispatch"),
    ("appeal_action.reject", "不予受理", "Do not accept"),
    ("appeal_action.sign", "签收", "Sign"),
    ("appeal_action.give_back", "退单", "Give back"),
    ("appeal_action.reassign", "改派", "Reassign"),
    ("appeal_action.refuse_return", "驳回退单", "Refuse the return"),
    ("appeal_action.reply", "答复", "Reply"),
    ("appeal_action.rate", "回访评价", "Callback rating"),
    ("appeal_action.close", "办结", "Close"),
    ("appeal_action.merge", "合并重复件", "Merged as duplicate"),
    ("appeal_action.set_urgency", "调整紧急程度", "Set the urgency"),
    ("appeal_action.extension_request", "申请延期", "Extension requested"),
    ("appeal_action.extension_approve", "同意延期", "Extension approved"),
    ("appeal_action.extension_refuse", "不同意延期", "Extension refused"),
    ("urgency.normal", "一般", "Normal"),
    ("urgency.urgent", "紧急", "Urgent"),
    ("urgency.critical", "特急", "Critical"),
    ("channel.phone", "电话", "Phone"),
    ("channel.web", "网站", "Website"),
    ("channel.open311", "Open311", "Open311"),
    ("channel.walk_in", "来访", "Walk-in"),
    ("channel.letter", "来信", "Letter"),
    ("rating.satisfied", "满意", "Satisfied"),
    ("rating.basic", "基本满意", "Fairly satisfied"),
    ("rating.unsatisfied", "不满意", "Unsatisfied"),
    ("reject.in_proceedings", "已进入诉讼、仲裁、复议或信访程序", "Already in court, arbitration, review or petition"),
    ("reject.secret", "涉及国家秘密、商业秘密或个人隐私", "Involves state or business secrets or privacy"),
    ("reject.repeated", "无新情况新理由的重复件", "Repeat without new facts"),
    ("reject.emergency", "属110等紧急事项", "An emergency for 110 and the like"),
    ("reject.harassment", "恶意骚扰", "Harassment"),
    ("give_back.not_our_duty", "非本单位职责", "Not our duty"),
    ("give_back.not_our_area", "非本辖区", "Not our area"),
    ("public.title", "12345 群众诉求", "12345 citizens' appeals"),
    ("public.submit", "我要反映", "Tell us"),
    ("public.track", "查询办理进度", "Follow an appeal"),
    ("public.find", "查询", "Find"),
    ("public.thanks", "已受理，请记下查询码：", "Received. Keep your tracking code:"),
    ("public.privacy", "您的姓名和电话只有12345热线可见，公开页面不显示任何个人信息。", "Only the 12345 hotline sees your name and phone; public pages show no personal data."),
    ("public.rate", "请对答复进行评价", "Rate the reply"),
    ("public.rating_code", "评价码：", "Rating code:"),
    ("appeal.registered", "已登记。", "Registered."),
    ("appeal.tell_rating_code", "请把查询码和评价码告诉来电群众：评价码只显示这一次，群众凭它评价答复。", "Tell the caller both codes: the rating code is shown only now, and the citizen needs it to rate the reply."),
    (
        "public.rating_code_help",
        "评价码只显示这一次，请与查询码一起保存；对答复评价时需要填写。查询码可公开查询进度，评价码请勿告诉他人。",
        "The rating code is shown only now: keep it with the tracking code; you need it to rate the reply. The tracking code is public, the rating code is yours alone.",
    ),
    ("field.id_number", "身份证号", "ID number"),
    ("field.content", "诉求内容", "content"),
    ("field.category", "诉求分类", "category"),
    ("field.group", "大类", "group"),
    ("field.description", "说明", "description"),
    ("field.rating", "满意度", "rating"),
    ("field.comment", "评价意见", "comment"),
    ("field.citizen_name", "诉求人", "name"),
    ("field.urgency", "紧急程度", "urgency"),
    ("field.channel", "渠道", "channel"),
    ("field.lat", "纬度", "latitude"),
    ("field.long", "经度", "longitude"),
    ("field.address", "地点", "address"),
    ("field.duplicate_of", "重复件", "duplicate of"),
    ("field.appeal", "诉求", "appeal"),
    ("field.key", "密钥", "key"),
    ("nav.documents", "文件分解", "Split a document"),
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
    ("field.keywords", "关键词", "keywords"),
    ("field.tasks", "任务", "tasks"),
    ("directive.kind", "来源类型", "Kind"),
    ("directive.issuer", "部署人", "Issued by"),
    ("directive.issued_on", "部署日期", "Issued on"),
    ("directive.doc_no", "文号", "Document number"),
    ("directive.source_text", "原文", "Source text"),
    ("directive.new", "新增决策部署", "New directive"),
    ("directive.meeting", "会议", "Meeting"),
    ("directive.document", "文件", "Document"),
    ("directive.instruction", "领导批示", "Leader's instruction"),
    ("co.responsible", "责任单位", "Responsible"),
    ("co.cooperating", "配合单位", "Co-operating"),
    ("action.assign", "交办", "Assign"),
    ("action.sign", "签收", "Sign"),
    ("action.report", "报送进展", "Report progress"),
    ("action.request_closure", "申请办结", "Request closure"),
    ("action.review", "审核", "Review"),
    ("action.accept", "同意办结", "Accept and close"),
    ("action.return", "退回重办", "Return for rework"),
    ("action.extension", "申请延期", "Request an extension"),
    ("action.incentive", "表扬激励", "Praise or incentive"),
    ("action.exemption", "容错免责", "Exemption (容错免责)"),
    ("report.text", "进展情况", "Progress"),
    ("report.percent", "完成百分比", "Percent done"),
    ("report.period", "月份", "Month"),
    ("report.notices", "督办", "notices"),
    ("report.reminders", "催办", "reminders"),
    ("report.rank", "排名", "Rank"),
    ("report.items", "事项", "Items"),
    ("report.on_time", "按时办结", "On time"),
    ("report.late", "逾期办结", "Late"),
    ("report.open_overdue", "逾期未结", "Open overdue"),
    ("report.returned", "退回", "Returned"),
    ("report.early", "提前办结", "Early"),
    ("report.exempted", "容错免责", "Exempted"),
    ("report.score", "得分", "Score"),
    ("report.not_ranked", "事项过少，不参与排名", "Too few items to rank"),
    ("report.rule", "得分 = 按时办结 ÷（按时办结 + 逾期办结 + 逾期未结 − 容错免责）× 100，每次退回扣 2 分（至多 20 分）；事项少于此数的单位列出但不排名：", "Score = on time ÷ (on time + late + open overdue − exempted) × 100, minus 2 per return (at most 20); units with fewer items than this are listed, not ranked:"),
    ("report.praise", "表扬", "Praise"),
    ("report.criticism", "通报批评", "Criticism"),
    ("incentive.praise", "表扬", "Praise"),
    ("incentive.incentive", "激励", "Incentive"),
    ("field.title", "标题", "title"),
    ("field.reason", "理由", "reason"),
    ("field.new_deadline", "新的完成时限", "new deadline"),
    ("field.text", "内容", "text"),
    ("field.percent", "百分比", "percent"),
    ("field.action", "操作", "action"),
    ("field.state", "状态", "state"),
    ("field.lead_unit_id", "牵头单位", "lead unit"),
    ("field.lead_leader_id", "牵头领导", "lead leader"),
    ("field.deadline", "完成时限", "deadline"),
    ("field.deadline_working_days", "工作日数", "working days"),
    ("field.milestones", "节点", "milestones"),
    ("field.measures", "具体措施", "measures"),
    ("field.remarks", "备注", "remarks"),
    ("field.weight", "权重", "weight"),
    ("field.term", "期限类型", "term"),
    ("field.co_units", "责任或配合单位", "co-unit"),
    ("field.task", "任务", "task"),
    ("field.directive", "决策部署", "directive"),
    ("field.directive_id", "决策部署", "directive"),
    ("field.extension", "延期申请", "extension"),
    ("field.exemption", "容错申请", "exemption"),
    ("field.conditions", "容错情形", "conditions"),
    ("field.step", "步骤", "step"),
    ("field.approve", "审批意见", "decision"),
    ("field.issuer", "部署人", "issuer"),
    ("field.issued_on", "部署日期", "date issued"),
    ("field.doc_no", "文号", "document number"),
    ("field.source_text", "原文", "source text"),
    ("field.period", "月份", "month"),
    ("field.after", "分页位置", "page position"),
    ("field.light", "亮灯", "light"),
    ("field.seq", "序号", "number"),
    ("field.current_password", "原密码", "current password"),
    ("field.lang", "语言", "language"),
    ("field.leader_id", "牵头领导", "leader"),
    ("field.limit", "每页条数", "page size"),
    // UI
    ("app.name", "落实", "Luoshi"),
    ("app.tagline", "把决策部署付诸行动、见之于成效", "Turning decisions into action and results"),
    ("nav.home", "首页", "Home"),
    ("nav.units", "单位", "Units"),
    ("nav.users", "用户", "Users"),
    ("nav.rules", "规则", "Rules"),
    ("nav.calendar", "工作日历", "Calendar"),
    ("nav.audit", "审计", "Audit"),
    ("nav.logout", "退出", "Log out"),
    ("nav.lang", "English", "中文"),
    ("login.title", "登录", "Log in"),
    ("login.submit", "登录", "Log in"),
    ("home.welcome", "您好", "Welcome"),
    ("home.modules", "功能模块", "Modules"),
    ("home.passage", "讲话依据", "Passage of the speech"),
    ("home.status", "状态", "Status"),
    ("status.ready", "已上线", "available"),
    ("status.planned", "建设中", "planned"),
    ("module.foundation", "基础：单位、用户、审计、日历、规则", "Foundation: units, users, audit, calendar, rules"),
    ("module.tasks", "决策落实与督查督办", "Directives, tasks and supervision"),
    ("module.breakdown", "文件分解", "Document breakdown"),
    ("module.projects", "重大项目", "Investment projects"),
    ("module.safety", "安全生产", "Work safety"),
    ("module.debt", "债务风险", "Debt risk"),
    ("module.emergency", "应急协同", "Emergencies"),
    ("module.livelihood", "民生实事", "Livelihood projects"),
    ("module.appeals", "群众诉求（12345）", "Citizen appeals (12345)"),
    ("module.assessment", "考核与驾驶舱", "Assessment and cockpit"),
    ("units.title", "单位管理", "Units"),
    ("units.add", "新增单位", "Add a unit"),
    ("units.import", "导入单位表（xlsx 或 CSV）", "Import units (xlsx or CSV)"),
    ("units.export_xlsx", "导出 Excel", "Export Excel"),
    ("units.export_csv", "导出 CSV", "Export CSV"),
    ("units.count", "单位数", "units"),
    ("units.dry_run", "仅预检，不写入", "Check only, write nothing"),
    ("units.import_ok", "导入完成", "Import finished"),
    ("units.import_checked", "预检通过，未写入", "Checked; nothing written"),
    ("units.created", "新建", "created"),
    ("units.updated", "更新", "updated"),
    ("users.title", "用户管理", "Users"),
    ("users.add", "新增用户", "Add a user"),
    ("users.disable", "停用", "Disable"),
    ("users.disabled", "已停用", "disabled"),
    ("users.active", "正常", "active"),
    ("users.state", "状态", "State"),
    ("rules.title", "规则配置", "Rules"),
    ("rules.version", "版本", "Version"),
    ("rules.changed_by", "修改人", "Changed by"),
    ("rules.save", "保存新版本", "Save as new version"),
    ("rules.history", "历史版本", "History"),
    ("calendar.title", "工作日历", "Working-day calendar"),
    ("calendar.years", "已载入年份", "Years loaded"),
    ("calendar.holiday", "放假", "Day off"),
    ("calendar.workday", "调休上班", "Make-up working day"),
    ("calendar.weekend", "周末", "Weekend"),
    ("calendar.months", "1月 2月 3月 4月 5月 6月 7月 8月 9月 10月 11月 12月", "January February March April May June July August September October November December"),
    ("calendar.weekdays", "一 二 三 四 五 六 日", "Mo Tu We Th Fr Sa Su"),
    ("calendar.list", "节假日与调休清单", "List of holidays and make-up days"),
    ("calendar.unknown", "该年份尚未载入工作日历", "This year is not in the working-day calendar"),
    ("calendar.compute", "推算期限", "Compute a deadline"),
    ("calendar.from", "起算日", "From"),
    ("calendar.result", "期限", "Deadline"),
    ("audit.title", "审计日志", "Audit log"),
    ("audit.verify", "校验审计链", "Verify the chain"),
    ("audit.ok", "审计链完整", "The audit chain is intact"),
    ("audit.broken", "审计链断裂于第 {detail} 条", "The audit chain is broken at row {detail}"),
    ("audit.when", "时间", "When"),
    ("audit.who", "操作人", "Who"),
    ("audit.action", "操作", "Action"),
    ("audit.what", "对象", "What"),
    ("common.save", "保存", "Save"),
    ("common.edit", "修改", "Change"),
    ("calendar.import", "导入或替换年度日历", "Load or replace a year"),
    ("unit.hours", "小时", "hours"),
    ("unit.count", "次", "times"),
    ("unit.working_days", "个工作日", "working days"),
    ("unit.days", "日", "days"),
    ("unit.percentage_points", "个百分点", "percentage points"),
    ("unit.day_of_month", "日", "th of the month"),
    ("unit.states", "（状态代码）", "(state codes)"),
    ("unit.channels", "（渠道代码）", "(channel codes)"),
    ("unit.switch", "（0 否，1 是）", "(0 no, 1 yes)"),
    ("unit.seconds", "秒", "seconds"),
    ("unit.date", "（日期）", "(date)"),
    ("unit.years", "年", "years"),
    ("common.submit", "提交", "Submit"),
    ("common.none", "无", "none"),
    ("common.actions", "操作", "Actions"),
    ("common.error", "出错了", "Something went wrong"),
    ("common.back", "返回", "Back"),
    ("common.row", "第 {detail} 行", "row {detail}"),
    ("common.saved", "已保存", "Saved"),
];

/// Look up a key; an unknown key is returned as is, so a missing entry is visible, not fatal.
pub fn t(lang: Lang, key: &str) -> &str {
    match CATALOGUE.iter().find(|(k, _, _)| *k == key) {
        Some((_, zh, en)) => match lang {
            Lang::ZhCn => zh,
            Lang::En => en,
        },
        None => key,
    }
}

/// Does the catalogue have this key?
pub fn has(key: &str) -> bool {
    CATALOGUE.iter().any(|(k, _, _)| *k == key)
}

/// The user-facing message of an error: the code's sentence with the field's name and detail.
pub fn error_message(lang: Lang, e: &DomainError) -> String {
    // A sentence written for this field and code says more than the general one.
    let own = e.field.as_deref().map(|f| format!("error.{}.{f}", e.code.as_str())).filter(|k| has(k));
    let key = own.unwrap_or_else(|| format!("error.{}", e.code.as_str()));
    let template = t(lang, &key);
    let field = match &e.field {
        Some(f) => {
            let key = format!("field.{f}");
            if has(&key) {
                t(lang, &key).to_string()
            } else {
                f.clone()
            }
        }
        None => String::new(),
    };
    let mut msg = template.replace("{field}", &field).replace("{detail}", e.detail.as_deref().unwrap_or(""));
    // A detail the sentence has no place for (a row, a line, the value typed) follows it.
    if let (false, Some(d)) = (template.contains("{detail}"), e.detail.as_deref().filter(|d| !d.is_empty())) {
        msg = match lang {
            Lang::ZhCn => format!("{msg}（{d}）"),
            Lang::En => format!("{msg} ({d})"),
        };
    }
    if lang == Lang::En {
        // Sentences start with a capital letter even when they start with a field name.
        if let Some(first) = msg.get(..1) {
            msg = first.to_uppercase() + msg.get(1..).unwrap_or("");
        }
    }
    msg
}

/// Is this code translated in both languages? (Used by tests.)
pub fn error_code_translated(code: ErrorCode) -> bool {
    has(&format!("error.{}", code.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_is_translated() {
        for c in ErrorCode::ALL {
            assert!(error_code_translated(*c), "{}", c.as_str());
        }
    }

    #[test]
    fn keys_unique_and_both_languages_present() {
        let mut seen = std::collections::HashSet::new();
        for (k, zh, en) in CATALOGUE {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
        }
    }

    #[test]
    fn messages_name_the_field() {
        let e = DomainError::required("name");
        assert_eq!(error_message(Lang::ZhCn, &e), "请填写名称");
        assert_eq!(error_message(Lang::En, &e), "Name is required");
        let e = DomainError::field(ErrorCode::CalendarUnknownYear, "date").with_detail("2027");
        assert!(error_message(Lang::ZhCn, &e).contains("2027"));
        let e = DomainError::invalid("date").with_detail("line 4");
        assert_eq!(error_message(Lang::ZhCn, &e), "日期格式不正确（line 4）");
        assert_eq!(error_message(Lang::En, &e), "Date is not valid (line 4)");
    }

    #[test]
    fn accept_language() {
        assert_eq!(Lang::from_accept("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept("zh-CN,zh;q=0.9,en;q=0.8"), Lang::ZhCn);
        assert_eq!(Lang::from_accept(""), Lang::ZhCn);
    }
}
