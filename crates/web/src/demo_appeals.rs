//! The demo county's appeals: a few hundred realistic 12345 work orders across the taxonomy and
//! the townships, written for 示范县, most closed by the unit that owns such matters (so the
//! routing model has a history to learn from), the rest at every step of the loop.

use luoshi_app::appeals::{self as svc, ActInput};
use luoshi_app::Who;
use luoshi_domain::appeals::{AppealInput, Channel};
use luoshi_storage::Db;

/// (category, owner unit or "" for the township of the place, texts with `{p}` for a place).
pub const TEMPLATES: &[(&str, &str, &[&str])] = &[
    (
        "streetlight",
        "县住房和城乡建设局",
        &[
            "{p}主干道的路灯已经连续一周不亮了，晚上出行很不安全，请尽快维修。",
            "{p}新修的那段路没有路灯，晚上一片漆黑，老人孩子走路容易摔倒。",
            "{p}小区门口路灯白天也亮着，浪费电，请管理部门调整开关时间。",
        ],
    ),
    (
        "road",
        "县交通运输局",
        &[
            "{p}通往县城的公路有好几个大坑，下雨积水，电动车摔了好几次，请修补路面。",
            "{p}公交站台被拆除后一直没有恢复，群众候车只能站在路边，很危险。",
            "{p}路口红绿灯坏了三天，车辆乱行，上下学时段特别拥堵。",
            "{p}农村公路护栏被撞坏后没有修复，弯道处存在安全隐患。",
        ],
    ),
    (
        "water_supply",
        "县住房和城乡建设局",
        &[
            "{p}从昨天开始停水，没有任何通知，家里老人做饭洗漱都成问题。",
            "{p}自来水水压太低，三楼以上基本没水，已经持续半个月。",
            "{p}街道下水道堵塞，污水漫到路面，气味很大。",
            "{p}人行道上的井盖缺失，只用一根树枝插着，晚上很容易掉下去。",
        ],
    ),
    (
        "power_gas",
        "县住房和城乡建设局",
        &["{p}小区燃气管道有异味，担心泄漏，请燃气公司上门检查。", "{p}今年冬天暖气不热，室内温度只有十几度，物业说要等燃气公司。"],
    ),
    (
        "sanitation",
        "县综合行政执法局",
        &[
            "{p}垃圾桶满了好几天没人清运，苍蝇很多，夏天气味难闻。",
            "{p}菜市场门口摊贩占道经营，车辆和行人都过不去。",
            "{p}有人在自家楼顶违章搭建铁皮房，影响邻居采光，也有安全隐患。",
            "{p}渣土车晚上运输时沿路洒落泥土，白天尘土飞扬。",
        ],
    ),
    (
        "noise_pollution",
        "县生态环境局",
        &[
            "{p}附近一家工厂夜里排放废气，有刺鼻异味，晚上不敢开窗。",
            "{p}楼下烧烤店油烟直排，噪音到凌晨两点，严重影响休息。",
            "{p}河边有企业偷偷排污，河水发黑发臭，鱼都死了。",
            "{p}工地晚上十点以后还在施工打桩，噪声扰民，请查处。",
        ],
    ),
    (
        "housing",
        "县住房和城乡建设局",
        &[
            "{p}小区电梯经常困人，物业维修不及时，老人上下楼很困难。",
            "{p}新买的商品房墙体开裂漏水，开发商一直推脱不给维修。",
            "{p}物业公司擅自提高物业费，也没有召开业主大会。",
        ],
    ),
    (
        "wages",
        "县人力资源和社会保障局",
        &[
            "我在{p}的工地干了半年，老板拖欠工资三个月不发，请帮忙讨薪。",
            "{p}一家公司不给员工交社保，辞职后也不给开离职证明。",
            "{p}的工厂拖欠农民工工资两万多元，包工头电话打不通。",
            "公司不签劳动合同，加班不给加班费，我是在{p}上班的。",
        ],
    ),
    (
        "market",
        "县市场监督管理局",
        &[
            "在{p}一家超市买到过期食品，商家拒绝退款。",
            "{p}的药店价格明显高于其他地方，而且不明码标价。",
            "{p}一家培训机构收了学费后关门跑路，要求退款。",
            "在{p}饭店吃饭后全家腹泻，怀疑食品安全有问题。",
        ],
    ),
    (
        "health",
        "县卫生健康局",
        &["{p}卫生院医生态度很差，看病排队两个小时。", "{p}卫生院没有儿童疫苗，要跑到县城才能接种。", "在{p}医院住院，医保报销比例和说的不一样，请核实。"],
    ),
    (
        "education",
        "县教育局",
        &["孩子户口在{p}，学校说学位已满不能入学，请问怎么办。", "{p}小学校车超载，一辆车挤了三十多个学生。", "{p}中学乱收资料费，每学期要交几百元。"],
    ),
    (
        "agriculture",
        "县农业农村局",
        &[
            "{p}今年的耕地地力保护补贴还没有发放，请问什么时候发。",
            "{p}有人销售假化肥，庄稼施肥后不长，损失很大。",
            "{p}养殖场粪污处理不当，周围农户意见很大。",
        ],
    ),
    (
        "civil_affairs",
        "县民政局",
        &["我家住{p}，老伴瘫痪在床，家庭困难，想申请低保，请问怎么办理。", "{p}的养老院收费不透明，老人伙食很差。", "{p}一位残疾人的补贴已经三个月没有到账。"],
    ),
    (
        "safety_hazard",
        "县应急管理局",
        &[
            "{p}一家小作坊存放大量液化气罐，周围都是居民，安全隐患很大。",
            "{p}商场消防通道被货物堵死，安全出口上了锁。",
            "{p}有一栋危房已经倾斜，里面还住着人。",
        ],
    ),
    (
        "neighbour",
        "",
        &[
            "{p}邻居在宅基地边界上砌墙，占了我家的地，村委调解不了。",
            "{p}村干部处理集体土地流转不公开，村民有意见。",
            "{p}两户人家因为排水沟发生纠纷，已经吵了好几次，请镇里出面调解。",
            "{p}村里的道路被一户村民圈占，其他村民出行不便。",
        ],
    ),
];

pub const PLACES: &[&str] = &[
    "城关镇东门社区",
    "城关镇滨江社区",
    "城关镇新华社区",
    "城关镇城东村",
    "城关镇城南村",
    "青山镇青山村",
    "青山镇竹林村",
    "青山镇茶园村",
    "河口镇河口村",
    "河口镇渡头村",
    "石桥镇石桥村",
    "石桥镇石门村",
    "白沙镇白沙村",
    "白沙镇新塘村",
    "大坪镇大坪村",
    "大坪镇上坪村",
    "龙潭村",
    "桃源村",
];

const OPENERS: &[&str] = &["", "您好，", "反映一个问题：", "我是当地居民，", "麻烦转给相关部门，"];
const CLOSERS: &[&str] = &["", "希望尽快处理。", "请相关部门核实处理。", "之前反映过一次，还没解决。", "谢谢！"];
const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴"];

/// A small deterministic generator (the same demo every time).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        usize::try_from((self.0 >> 33) % (n.max(1) as u64)).unwrap_or(0)
    }
}

const HOUR: i64 = 3_600_000_000;

/// The demo county's Open311 key, published with the demo logins (a real county issues its
/// own with `luoshi open311 key add`).
pub const DEMO_OPEN311_KEY: &str = "ls311_demo_shifanxian_2026";

/// Seed `count` appeals ending before `now` (once: a database with appeals is left alone),
/// the taxonomy, and train the routing model on them. Returns how many were created.
pub async fn seed_appeals(db: &Db, routing: &svc::Routing, now: i64, count: usize) -> Result<usize, String> {
    let e = |x: luoshi_storage::StoreError| x.to_string();
    let who = Who::system("demo");
    svc::seed_categories(db, &who).await.map_err(e)?;
    if !luoshi_storage::appeals::list(db, &luoshi_storage::appeals::Filter { limit: 1, ..Default::default() }).await.map_err(e)?.is_empty() {
        return Ok(0);
    }
    let all = luoshi_storage::units::list(db, &luoshi_domain::access::Scope::All).await.map_err(e)?;
    let unit_id = |name: &str| luoshi_storage::units::resolve(&all, name).map(|u| u.id).map_err(|x| x.to_string());
    let mut rng = Lcg(20_261_126);
    for i in 0..count {
        let (cat, owner, texts) = TEMPLATES[rng.next(TEMPLATES.len())];
        let place = PLACES[rng.next(PLACES.len())];
        let text = texts[rng.next(texts.len())].replace("{p}", place);
        let content = format!("{}{}{}", OPENERS[rng.next(OPENERS.len())], text, CLOSERS[rng.next(CLOSERS.len())]);
        let township = all.iter().find(|u| u.kind == luoshi_domain::unit::UnitKind::Township && place.starts_with(&u.name)).map(|u| u.name.clone());
        let owner_id = if owner.is_empty() {
            let t = township.clone().or_else(|| {
                // A bare village: its township.
                let v = all.iter().find(|u| place.contains(&u.name))?;
                all.iter().find(|u| Some(u.id) == v.parent_id).map(|u| u.name.clone())
            });
            unit_id(&t.unwrap_or_else(|| "城关镇".into()))?
        } else {
            unit_id(owner)?
        };
        // Spread over the last 120 days; the newest are the ones still open.
        let age = (count - i) as i64 * 120 * 24 * HOUR / count as i64;
        let t0 = now - age - i64::try_from(rng.next(8)).unwrap_or(0) * HOUR;
        let phone = format!("1{}{:09}", [3, 5, 7, 8, 9][rng.next(5)], rng.next(1_000_000_000));
        let input = AppealInput {
            channel: ["phone", "phone", "phone", "web", "walk_in"][rng.next(5)].into(),
            kind: if cat == "civil_affairs" || cat == "education" { "consult".into() } else { "complaint".into() },
            category: cat.into(),
            content,
            address: place.into(),
            citizen_name: format!("{}{}", SURNAMES[rng.next(SURNAMES.len())], ["先生", "女士", "某某"][rng.next(3)]),
            phone,
            urgency: if cat == "safety_hazard" { "urgent".into() } else { "normal".into() },
            ..Default::default()
        };
        let channel = Channel::parse(&input.channel).unwrap_or(Channel::Phone);
        let r = svc::receive(db, routing, None, &input, channel, None, t0).await.map_err(e)?;
        let id = r.appeal.id;
        let left = count - i;
        // The last few stay at the start of the loop, to be worked on in the demo.
        let stop = match left {
            1..=4 => 0,
            5..=8 => 1,
            9..=12 => 2,
            13..=16 => 3,
            _ => 5,
        };
        let mut t = t0 + HOUR;
        let act = |action: &str, unit: Option<i64>, reply: &str, rating: &str| ActInput {
            action: action.into(),
            unit_id: unit,
            reply: reply.into(),
            rating: rating.into(),
            note: String::new(),
            ..Default::default()
        };
        let steps: Vec<ActInput> = vec![
            act("dispatch", Some(owner_id), "", ""),
            act("sign", None, "", ""),
            act("reply", None, "经核实，已安排人员现场处理，问题已解决。感谢您的监督。", ""),
            act("rate", None, "", if rng.next(10) == 0 { "basic" } else { "satisfied" }),
        ];
        for (k, s) in steps.into_iter().enumerate() {
            if k + 1 > stop {
                break;
            }
            svc::act(db, &who, id, &s, t).await.map_err(e)?;
            t += 6 * HOUR;
        }
    }
    svc::train(db, &who).await.map_err(e)?;
    Ok(count)
}
