//! 示范县 (the demo county): a fictional county with its departments, townships, villages and
//! one user per role. Seeding is idempotent: a second run finds everything and writes nothing.

use luoshi_domain::access::Scope;
use luoshi_domain::unit_import::{plan, UnitRow};
use luoshi_domain::user::UserInput;
use luoshi_storage::{units, users, Actor, Db};

/// The county's GB/T 2260-shaped code. Fictional: no real county has it.
pub const COUNTY_CODE: &str = "339901";
pub const COUNTY_NAME: &str = "示范县";
/// The password of every demo account (printed by `luoshi demo`).
pub const DEMO_PASSWORD: &str = "Luoshi@2026";

/// (full name, short name, leader)
const DEPARTMENTS: &[(&str, &str, &str)] = &[
    ("县委办公室", "县委办", "周文"),
    ("县政府办公室", "县府办", "吴明"),
    ("县委县政府督查室", "督查室", "郑直"),
    ("县人大常委会办公室", "人大办", "王正"),
    ("县发展和改革局", "发改局", "冯远"),
    ("县教育局", "教育局", "陈育"),
    ("县科学技术局", "科技局", "褚新"),
    ("县工业和信息化局", "工信局", "卫工"),
    ("县公安局", "公安局", "蒋安"),
    ("县民政局", "民政局", "沈民"),
    ("县司法局", "司法局", "韩法"),
    ("县财政局", "财政局", "杨财"),
    ("县人力资源和社会保障局", "人社局", "朱保"),
    ("县自然资源和规划局", "自然资源局", "秦地"),
    ("县生态环境局", "生态环境局", "尤绿"),
    ("县住房和城乡建设局", "住建局", "许建"),
    ("县交通运输局", "交通局", "何路"),
    ("县水利局", "水利局", "吕水"),
    ("县农业农村局", "农业农村局", "施农"),
    ("县商务局", "商务局", "张商"),
    ("县文化广电旅游体育局", "文广旅体局", "孔文"),
    ("县卫生健康局", "卫健局", "曹医"),
    ("县退役军人事务局", "退役军人局", "严军"),
    ("县应急管理局", "应急局", "华安"),
    ("县审计局", "审计局", "金审"),
    ("县市场监督管理局", "市场监管局", "魏市"),
    ("县统计局", "统计局", "陶统"),
    ("县医疗保障局", "医保局", "姜保"),
    ("县综合行政执法局", "执法局", "戚城"),
    ("县信访局", "信访局", "谢访"),
    ("县政务服务中心（12345热线）", "12345", "邹线"),
    ("县投资促进中心", "投促中心", "喻招"),
];

/// (name, code suffix of the township: 001-099 街道, 100-199 镇, 200-399 乡, villages)
const TOWNSHIPS: &[(&str, &str, &[&str])] = &[
    ("城东街道", "001", &["东门社区", "滨江社区", "新华社区"]),
    ("城西街道", "002", &["西门社区", "文昌社区", "桥头社区"]),
    ("城关镇", "100", &["城东村", "城南村", "城北村", "前进村"]),
    ("青山镇", "101", &["青山村", "竹林村", "茶园村"]),
    ("河口镇", "102", &["河口村", "渡头村", "沙洲村"]),
    ("石桥镇", "103", &["石桥村", "石门村", "岭下村"]),
    ("白沙镇", "104", &["白沙村", "新塘村", "湾里村"]),
    ("大坪镇", "105", &["大坪村", "上坪村", "下坪村"]),
    ("龙潭乡", "200", &["龙潭村", "龙山村", "潭头村"]),
    ("桃源乡", "201", &["桃源村", "桃花村", "源口村"]),
    ("清水乡", "202", &["清水村", "高峰村", "溪口村"]),
    ("新田乡", "203", &["新田村", "田心村", "坪上村"]),
];

fn unit_rows() -> Vec<UnitRow> {
    let mut rows =
        vec![UnitRow { row: 2, code: COUNTY_CODE.into(), name: COUNTY_NAME.into(), kind: "县".into(), leader: "李县长".into(), ..Default::default() }];
    let mut push = |code: String, name: &str, short: &str, kind: &str, parent: &str, leader: &str| {
        let row = rows.len() + 2;
        rows.push(UnitRow { row, code, name: name.into(), short_name: short.into(), kind: kind.into(), parent: parent.into(), leader: leader.into() });
    };
    for (name, short, leader) in DEPARTMENTS {
        push(String::new(), name, short, "部门", COUNTY_CODE, leader);
    }
    for (town, suffix, villages) in TOWNSHIPS {
        let town_code = format!("{COUNTY_CODE}{suffix}000");
        push(town_code.clone(), town, "", "乡镇/街道", COUNTY_CODE, "");
        let first_village = if suffix.starts_with('0') { 1 } else { 201 };
        for (i, v) in villages.iter().enumerate() {
            push(format!("{COUNTY_CODE}{suffix}{:03}", first_village + i), v, "", "村/社区", &town_code, "");
        }
    }
    rows
}

/// (username, display name, unit name, role)
pub const DEMO_USERS: &[(&str, &str, &str, &str)] = &[
    ("admin", "系统管理员", "县政府办公室", "admin"),
    ("leader", "李县长", COUNTY_NAME, "leader"),
    ("vice", "张副县长", COUNTY_NAME, "leader"),
    ("supervisor", "郑督查", "县委县政府督查室", "supervisor"),
    ("manager", "陈镇长", "城关镇", "unit_manager"),
    ("staff", "林干事", "城关镇", "unit_staff"),
    ("staff2", "黄干事", "青山镇", "unit_staff"),
    ("finance", "杨会计", "县财政局", "unit_staff"),
    ("hotline", "许话务", "县政务服务中心（12345热线）", "hotline"),
    ("deputy", "王代表", "县人大常委会办公室", "deputy"),
    ("govdesk", "吴秘书", "县政府办公室", "unit_staff"),
    ("npc", "王计票", "县人大常委会办公室", "unit_staff"),
    ("npc2", "赵监票", "县人大常委会办公室", "unit_manager"),
];

/// What seeding did.
#[derive(Debug, Default)]
pub struct Seeded {
    pub units_created: usize,
    pub users_created: usize,
}

pub async fn seed(db: &Db) -> Result<Seeded, String> {
    let actor = Actor::cli("demo");
    let existing = units::list(db, &Scope::All).await.map_err(|e| e.to_string())?;
    let planned = plan(&existing, &unit_rows()).map_err(|errs| format!("demo unit list is invalid: {errs:?}"))?;
    let mut out = Seeded::default();
    if planned.iter().any(|p| !p.unchanged) {
        let mut tx = db.begin_write().await.map_err(|e| e.to_string())?;
        let c = units::apply_import(&mut tx, &actor, &planned).await.map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
        out.units_created = c.created;
    }
    let all = units::list(db, &Scope::All).await.map_err(|e| e.to_string())?;
    for (username, name, unit, role) in DEMO_USERS {
        if users::by_username(db, username).await.map_err(|e| e.to_string())?.is_some() {
            continue;
        }
        let unit = units::resolve(&all, unit).map_err(|e| e.to_string())?;
        let input = UserInput {
            username: (*username).into(),
            display_name: (*name).into(),
            unit_id: unit.id,
            role: (*role).into(),
            password: DEMO_PASSWORD.into(),
            phone: String::new(),
        };
        let new = input.validate().map_err(|e| e.to_string())?;
        let hash = crate::auth::hash_password(DEMO_PASSWORD).map_err(|e| e.to_string())?;
        let mut tx = db.begin_write().await.map_err(|e| e.to_string())?;
        users::create(&mut tx, &actor, &new, &hash).await.map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
        out.users_created += 1;
    }
    oversight(db, &actor).await?;
    // The 权责清单 the county edits: the shipped sample, once.
    if luoshi_storage::catalogue::list(db).await.map_err(|e| e.to_string())?.is_empty() {
        let missing = luoshi_app::documents::load_catalogue(db, &luoshi_app::Who::system("demo"), &luoshi_domain::doc::shipped_catalogue())
            .await
            .map_err(|e| e.to_string())?;
        if !missing.is_empty() {
            return Err(format!("the shipped catalogue names units the demo county lacks: {}", missing.join("、")));
        }
    }
    Ok(out)
}

/// The units the deputy county head oversees (分管单位); the county head (县长) is principal and
/// sees the whole county.
const OVERSEEN_BY_VICE: &[&str] = &["县统计局", "县应急管理局", "县住房和城乡建设局"];

/// Who sees what, as data: the principal leader and the deputy's 分管单位, once.
async fn oversight(db: &Db, actor: &Actor) -> Result<(), String> {
    let e = |e: luoshi_storage::StoreError| e.to_string();
    if !luoshi_storage::oversight::principals(db).await.map_err(e)?.is_empty() {
        return Ok(());
    }
    let all = units::list(db, &Scope::All).await.map_err(e)?;
    let head = users::by_username(db, "leader").await.map_err(e)?;
    let vice = users::by_username(db, "vice").await.map_err(e)?;
    let (Some(head), Some(vice)) = (head, vice) else { return Ok(()) };
    let mut tx = db.begin_write().await.map_err(e)?;
    luoshi_storage::oversight::set_principal(&mut tx, actor, head.id, true).await.map_err(e)?;
    for name in OVERSEEN_BY_VICE {
        let u = units::resolve(&all, name).map_err(|e| e.to_string())?;
        luoshi_storage::oversight::set_overseer(&mut tx, actor, u.id, Some(vice.id)).await.map_err(e)?;
    }
    tx.commit().await.map_err(e)
}

mod debt;
mod emergencies;
mod hazards;
mod livelihood;
mod livelihood_votes;
mod projects;
mod safety;
mod tasks;
pub use debt::seed_debt;
pub use emergencies::seed_emergencies;
pub use hazards::seed_hazards;
pub use livelihood::seed_livelihood;
pub use projects::seed_projects;
pub use tasks::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_county_has_the_promised_size() {
        let rows = unit_rows();
        let count = |k: &str| rows.iter().filter(|r| r.kind == k).count();
        assert_eq!(count("县"), 1);
        assert!((28..=34).contains(&count("部门")));
        assert_eq!(count("乡镇/街道"), 12);
        assert!(count("村/社区") >= 36);
        assert!(plan(&[], &rows).is_ok());
    }
}
