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
    ("error.invalid", "{field}格式不正确", "{field} is not valid"),
    ("error.out_of_range", "{field}超出允许范围（{detail}）", "{field} is out of range ({detail})"),
    ("error.duplicate", "{field}已存在", "{field} already exists"),
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
    ("field.role", "角色", "role"),
    ("field.phone", "电话", "phone"),
    ("field.value", "取值", "value"),
    ("field.source", "依据（文号）", "source document"),
    ("field.effective_from", "生效日期", "effective date"),
    ("field.note", "说明", "note"),
    ("field.date", "日期", "date"),
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
    let key = format!("error.{}", e.code.as_str());
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

/// Every key, for tests and for the template check.
pub fn keys() -> impl Iterator<Item = &'static str> {
    CATALOGUE.iter().map(|(k, _, _)| *k)
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
