// Walk luoshi's main screens in a real browser: log in as several roles, follow links, submit a
// form, switch the language; fail on any console error (a CSP violation is one) or missing text.
// Usage: node walk.mjs http://127.0.0.1:PORT [screenshot-dir]
import { chromium } from "playwright-core";
import { accessibility } from "./a11y.mjs";

const base = process.argv[2];
const shots = process.argv[3];
const PASSWORD = "Luoshi@2026";
if (!base) {
  console.error("usage: node walk.mjs BASE_URL [SCREENSHOT_DIR]");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
let failures = 0;
let checks = 0;
function check(ok, what) {
  checks++;
  if (!ok) {
    failures++;
    console.error("FAIL " + what);
  }
}

async function session(username, walk) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
  const page = await context.newPage();
  const errors = [];
  // A form refused on purpose answers 422 with the page again: the browser logs the status.
  page.on("console", (m) => { if (m.type() === "error" && !m.text().includes("status of 422")) errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + "/");
  check(page.url().includes("/login"), `${username}: anonymous home redirects to login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click("form button")]);
  check(!page.url().includes("/login"), `${username}: logged in`);
  await walk(page);
  check(errors.length === 0, `${username}: console errors: ${errors.join(" | ")}`);
  if (shots) await page.screenshot({ path: `${shots}/${username}.png`, fullPage: true });
  await context.close();
}

async function text(page) {
  return await page.textContent("body");
}

await session("supervisor", async (page) => {
  await page.click("nav >> text=任务");
  check((await text(page)).includes("督办看板"), "supervisor: board");
  const counts = await page.locator(".count").count();
  check(counts >= 5, `supervisor: light counts (${counts})`);
  await page.locator("table.tasks tbody tr a").first().click();
  check((await text(page)).includes("办理轨迹"), "supervisor: task page with timeline");
  await page.click("nav >> text=待办");
  check((await text(page)).includes("待审批延期"), "supervisor: inbox of the office");
  await page.click("nav >> text=通报");
  const report = await text(page);
  check(report.includes("落实情况通报"), "supervisor: report");
  check(/督通〔\d{4}〕\d+号/.test(report) && report.includes("县委督查室") && report.includes("一、总体情况") && report.includes("四、通报批评"), "supervisor: the 通报 as a document: office, 文号, its sections");
  await page.emulateMedia({ media: "print" });
  check(!(await page.locator("header.top").isVisible()) && !(await page.locator("form.noprint").isVisible()), "supervisor: the 通报 prints without the app's header or its filter");
  if (shots) await page.screenshot({ path: `${shots}/report-print.png`, fullPage: true });
  await page.emulateMedia({ media: "screen" });
  const docx = await page.request.get(base + "/reports/export.docx");
  check(docx.status() === 200 && (await docx.body()).subarray(0, 2).toString() === "PK", "supervisor: the 通报 as a Word document");
  await page.click("nav >> text=决策部署");
  await page.locator("table.grid tbody tr a").first().click();
  check((await text(page)).includes("新增任务"), "supervisor: directive page with the task form");
  // The unit picker: type part of a name, Enter chooses it, a chip says so.
  const find = page.locator("#new-task .picker input[type=search]").nth(1);
  await find.fill("财政");
  const shown = await page.$$eval("select[name=responsible_unit_ids] option", (os) => os.filter((o) => !o.hidden).map((o) => o.text.trim()));
  check(shown.length >= 1 && shown.every((t) => t.includes("财政")), `supervisor: the picker finds units by name (${shown.join("、")})`);
  await find.press("Enter");
  check((await page.locator("#new-task .picker .chip").first().textContent()).includes("财政"), "supervisor: the chosen unit shown as a chip");
  check((await page.locator("#new-task input[name=m1_title]").count()) === 1 && (await text(page)).includes("计划完成"), "supervisor: milestones as rows");
  if (shots) await page.screenshot({ path: `${shots}/directive-form.png`, fullPage: true });
  // 任务分解表: the directive exported imports back, checked first, then in one click.
  const exported = await page.request.get(base + (await page.getAttribute("a[href*='export.xlsx?directive_id=']", "href")));
  await page.click("nav >> text=决策部署");
  const imp = page.locator("form[action^='/directives/import']");
  await imp.locator("input[name=title]").fill("任务分解表导入（走查）");
  await imp.locator("input[name=issuer]").fill("县政府办公室");
  await imp.locator("input[name=file]").setInputFiles({ name: "任务分解表.xlsx", mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buffer: await exported.body() });
  await Promise.all([page.waitForNavigation(), imp.locator("button").click()]);
  check((await page.locator("form[action='/directives/import/confirm'] button").count()) === 1, "supervisor: an exported 任务分解表 checks clean and offers the import in one click");
  await Promise.all([page.waitForNavigation(), page.click("form[action='/directives/import/confirm'] button")]);
  check((await text(page)).includes("导入完成") && (await page.locator("td.error").count()) === 0, "supervisor: the exported table imported back");
  // 容错免责 as the office works it: accept, verify condition by condition, decide with reasons.
  await page.click("nav >> text=待办");
  await Promise.all([page.waitForNavigation(), page.locator("a[href$='#exemptions']").first().click()]);
  await Promise.all([page.waitForNavigation(), page.click("form[action$='/step'] button[value=accept]")]);
  check((await text(page)).includes("容错免责已更新"), "supervisor: the exemption accepted, and told so");
  check((await page.locator("form[action$='/step'] input[type=checkbox][name^=met_]").count()) === 6, "supervisor: each of the six conditions verified on its own");
  await Promise.all([page.waitForNavigation(), page.click("form[action$='/step'] button[value=verify]")]);
  await page.fill("form[action$='/step'] textarea[name=note]", "经集体研究，六项情形均有佐证，予以免责");
  await Promise.all([page.waitForNavigation(), page.click("form[action$='/step'] button[value=exempted]")]);
  check((await text(page)).includes("容错免责已更新：予以免责"), "supervisor: 免责 decided with its reasons");
  // English: the 通报 and the appeal categories read in English.
  await page.click("text=English");
  await page.goto(base + "/reports");
  check((await text(page)).includes("how decisions were carried out"), "supervisor: the 通报's title in English");
  await page.goto(base + "/appeals");
  const cats = await page.$$eval("select[name=category] option", (os) => os.map((o) => o.textContent));
  check(cats.includes("Street lighting") && cats.includes("Roads and traffic"), "supervisor: appeal categories in English");
  await page.click("text=中文");
  // 文件分解: paste a short plan, split it, check the draft, see the outline beside the text.
  await page.click("nav >> text=文件分解");
  await page.fill("textarea[name=text]",
    "关于开展城乡环境整治的实施方案\n为改善人居环境，制定本方案。\n一、工作任务\n（一）整治农村生活垃圾。年底前实现行政村垃圾收运全覆盖。\n（二）治理黑臭水体。6月底前完成排查。\n二、保障措施\n1. 加强组织领导。\n2. 强化资金保障。由财政统筹预算。");
  await Promise.all([page.waitForNavigation(), page.click("main form button")]);
  check((await page.locator(".doc-text mark").count()) === 4, "supervisor: four points highlighted in the text");
  check((await page.locator("ol.outline li").count()) === 6, "supervisor: outline of two sections and four points");
  check((await page.inputValue("input[name=t1_deadline]")) !== "", "supervisor: a deadline read from 6月底前");
  await page.fill("input[name=issuer]", "县政府办公室");
  // The 保障措施 points name no unit: the office picks them before checking.
  await page.fill("input[name=t2_lead_unit]", "县农业农村局");
  await page.fill("input[name=t2_deadline]", "年底前");
  await page.fill("input[name=t3_lead_unit]", "县财政局");
  await page.fill("input[name=t3_deadline]", "年底前");
  await Promise.all([page.waitForNavigation(), page.click("main button[name=dry_run]")]);
  check((await text(page)).includes("检查通过"), "supervisor: the draft checks");
  if (shots) await page.screenshot({ path: `${shots}/doc_split.png`, fullPage: true });
});

await session("staff", async (page) => {
  await page.click("nav >> text=待办");
  const body = await text(page);
  check(body.includes("城关镇安全生产大检查"), "staff: inbox lists the township's task");
  check(!body.includes("茶园村道路塌方"), "staff: inbox hides another township's task");
  await page.click("text=城关镇安全生产大检查");
  // Sign it through the page's own form.
  const sign = page.locator("form:has(input[value=sign]) button");
  check((await sign.count()) === 1, "staff: may sign the assigned task");
  if (await sign.count()) {
    await Promise.all([page.waitForNavigation(), sign.click()]);
    check((await text(page)).includes("办理中"), "staff: signed, now in progress");
    check(/已签收/.test(await text(page)), "staff: told what the action did");
    check(/剩余\d+个工作日|今天到期|已逾期\d+个工作日/.test(await text(page)), "staff: days left or overdue beside the deadline");
    check(!(await text(page)).includes("决策部署 #"), "staff: the directive named, not numbered");
    // An extension to a day before the deadline: refused on the same page, the input kept.
    const ext = page.locator("form[action$='/extensions']");
    if (await ext.count()) {
      await ext.locator("input[name=new_deadline]").fill("2020-01-01");
      await ext.locator("input[name=reason]").fill("材料供应延迟");
      await Promise.all([page.waitForNavigation(), ext.locator("button").click()]);
      check((await page.locator("form[action$='/extensions'] p.error").count()) === 1 && (await page.inputValue("form[action$='/extensions'] input[name=reason]")) === "材料供应延迟", "staff: a wrong extension refused on its own form, the input kept");
      check(!(await text(page)).includes("出错了"), "staff: never the bare error page for a form");
    }
  }
});

await session("manager", async (page) => {
  // 安全生产: the township's hazard ledger, a hazard's page, an action through its form.
  await page.click("nav >> text=安全隐患");
  const body = await text(page);
  check(body.includes("隐患台账") && body.includes("液氨储罐区未设置泄漏报警装置") && body.includes("城关化工有限公司"), "manager: the hazard ledger lists the township's hazards");
  check(!body.includes("青山化工"), "manager: the ledger hides another township's enterprises");
  if (shots) await page.screenshot({ path: `${shots}/hazards.png`, fullPage: true });
});

await session("supervisor", async (page) => {
  // The supervision office grades a registered hazard through the page's form.
  await page.click("nav >> text=安全隐患");
  const registered = page.locator("tr:has-text('已登记') a").first();
  check((await registered.count()) === 1, "supervisor: a registered hazard is listed");
  if (await registered.count()) {
    await Promise.all([page.waitForNavigation(), registered.click()]);
    const grade = page.locator("form:has(input[value=grade_general])");
    check((await grade.count()) === 1, "supervisor: may grade the registered hazard");
    if (await grade.count()) {
      const d = new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10);
      await grade.locator("input[name=deadline]").fill(d);
      await Promise.all([page.waitForNavigation(), grade.locator("button").click()]);
      const after = await text(page);
      check(after.includes("已完成") && after.includes("治理中"), "supervisor: graded, now rectifying, and told so");
      if (shots) await page.screenshot({ path: `${shots}/hazard.png`, fullPage: true });
    }
  }
  await page.goto(base + "/hazards/stats");
  const stats = await text(page);
  check(stats.includes("隐患整改率") && stats.includes("重大隐患整改率") && stats.includes("防范“翘尾”"), "supervisor: the statistics page shows the rates and the rebound");
  check((await page.locator("svg.chart rect").count()) > 0, "supervisor: the chart is drawn on the server");
  if (shots) await page.screenshot({ path: `${shots}/hazard_stats.png`, fullPage: true });
});

// The township's inspector on a phone: an inspection with a photo and a finding; the line drops
// on the first try (said so, the form kept), the second goes through and is recorded once.
{
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN", isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error" && !/Failed to fetch|ERR_INTERNET_DISCONNECTED/.test(m.text())) errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + "/login");
  await page.fill("input[name=username]", "staff");
  await page.fill("input[name=password]", PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click("form button")]);
  await page.goto(base + "/hazards/inspect");
  check((await text(page)).includes("提交检查记录"), "inspector: the phone form");
  const firm = await page.locator("select[name=enterprise_id] option").nth(1).getAttribute("value");
  await page.selectOption("select[name=enterprise_id]", firm);
  await page.locator("input[name=checked]").first().check();
  await page.locator("textarea[name=finding]").first().fill("车间安全出口被货物堵塞");
  // A 1×1 PNG taken "with the camera".
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
  await page.setInputFiles("input[name=photos]", { name: "exit.png", mimeType: "image/png", buffer: png });
  await context.setOffline(true);
  await page.click("form.phone button.big");
  await page.waitForSelector("#status.error");
  check((await page.textContent("#status")).includes("未能提交") || (await page.textContent("#status")).includes("没有网络"), "inspector: told the submission did not go through");
  check((await page.inputValue("textarea[name=finding] >> nth=0")) === "车间安全出口被货物堵塞", "inspector: the form is kept");
  if (shots) await page.screenshot({ path: `${shots}/inspect_offline.png`, fullPage: true });
  await context.setOffline(false);
  await page.click("form.phone button.big");
  await page.waitForSelector("#status.flash");
  check((await page.textContent("#status")).includes("登记隐患1项"), "inspector: sent, one hazard registered");
  if (shots) await page.screenshot({ path: `${shots}/inspect_sent.png` });
  await Promise.all([page.waitForNavigation(), page.click("#status a")]);
  const record = await text(page);
  check(record.includes("车间安全出口被货物堵塞") && (await page.locator(".photos img").count()) === 1, "inspector: the inspection with its finding and photo");
  check(errors.length === 0, `inspector: console errors: ${errors.join(" | ")}`);
  await context.close();
}

await session("supervisor", async (page) => {
  // The module's other screens: campaigns with their progress, the risk map, an enterprise.
  await page.goto(base + "/hazards/campaigns");
  check((await text(page)).includes("2026年安全生产大检查"), "supervisor: the campaigns");
  await Promise.all([page.waitForNavigation(), page.click("text=安全生产大检查“回头看”")]);
  const lb = await text(page);
  check(lb.includes("抽查已销号隐患") && lb.includes("零隐患企业"), "supervisor: the look-back's sample and zero-report enterprises");
  if (shots) await page.screenshot({ path: `${shots}/look_back.png`, fullPage: true });
  await page.goto(base + "/hazards/risk-map");
  check((await page.locator("svg.chart rect").count()) > 10, "supervisor: the risk map is drawn on the server");
  if (shots) await page.screenshot({ path: `${shots}/risk_map.png`, fullPage: true });
  await page.goto(base + "/hazards/accidents");
  check((await text(page)).includes("一般事故"), "supervisor: the accidents with their grades");
});

await session("hotline", async (page) => {
  await page.click("nav >> text=群众诉求");
  const body = await text(page);
  check(body.includes("受理登记") && body.includes("待派单") && body.includes("待回访"), "hotline: the desk");
  if (shots) await page.screenshot({ path: `${shots}/appeals.png` });
  // Register an appeal by phone; the category is the operator's choice, never a default.
  check((await page.inputValue("select[name=category]")) === "", "hotline: no category chosen in advance");
  await page.selectOption("select[name=category]", "streetlight");
  await page.fill("textarea[name=content]", "东门社区幸福路的路灯坏了一周，晚上出行很不安全。");
  await page.fill("input[name=address]", "城关镇东门社区");
  await page.fill("input[name=phone]", "13900001111");
  await Promise.all([page.waitForNavigation(), page.click("main form button:has-text('受理')")]);
  const order = await text(page);
  check(order.includes("建议派单") && order.includes("县住房和城乡建设局"), "hotline: routing suggestion on the work order");
  check(order.includes("13900001111"), "hotline: sees the contact");
  await Promise.all([page.waitForNavigation(), page.click("form:has(input[value=dispatch]) button")]);
  check((await text(page)).includes("已派单"), "hotline: dispatched");
  check(/剩余\d+个工作日|剩余\d+小时/.test(await text(page)), "hotline: the time left on the order");
  // A 咨询 answered on the call and closed (直接答复办结), by keyboard: Ctrl+Enter sends the form.
  await page.click("nav >> text=群众诉求");
  check((await page.locator(".desk").count()) === 1 && (await text(page)).includes("Alt+N"), "hotline: the desk beside its queues, its keys said");
  await page.selectOption("select[name=kind]", "consult");
  await page.selectOption("select[name=category]", "streetlight");
  await page.fill("textarea[name=content]", "请问路灯报修后一般多久能修好？");
  await Promise.all([page.waitForNavigation(), page.press("textarea[name=content]", "Control+Enter")]);
  const answer = page.locator("form:has(input[value=answer])");
  check((await answer.count()) === 1, "hotline: 直接答复办结 offered for a 咨询");
  await answer.locator("textarea[name=reply]").fill("一般三个工作日内修复，可拨打12345查询进度。");
  await Promise.all([page.waitForNavigation(), answer.locator("button").click()]);
  check((await text(page)).includes("已办结"), "hotline: the 咨询 answered and closed");
  if (shots) await page.screenshot({ path: `${shots}/appeal.png`, fullPage: true });
  await page.click("nav >> text=群众诉求");
});

await session("admin", async (page) => {
  await page.click("nav >> text=单位");
  check((await text(page)).includes("城关镇"), "admin: unit tree");
  await page.click("text=English");
  check((await text(page)).includes("Units"), "admin: English switch");
  await page.click("nav >> text=Calendar");
  check((await page.locator("table.month").count()) === 12, "admin: twelve months in the calendar");
  await page.click("text=中文");
  check((await text(page)).includes("工作日历"), "admin: back to Chinese");
  await page.click("nav >> text=审计");
  check((await text(page)).includes("审计链完整"), "admin: audit chain intact");
});

// 应急: the command view of the storm, a printed report, a warning composed; the township signs
// or reports on its assignment from its inbox.
await session("supervisor", async (page) => {
  await page.click("nav >> text=应急");
  check((await text(page)).includes("强降雨致城关镇城区内涝"), "supervisor: the storm is listed");
  await Promise.all([page.waitForNavigation(), page.click("text=强降雨致城关镇城区内涝")]);
  const view = await text(page);
  check(view.includes("Ⅳ级响应") && view.includes("县水利局") && view.includes("态势"), "supervisor: the command view names units, level and log");
  check((await page.locator("span.light.red").count()) > 0, "supervisor: late assignments are red");
  if (shots) await page.screenshot({ path: `${shots}/incident.png`, fullPage: false });
  await Promise.all([page.waitForNavigation(), page.click("text=续报")]);
  check((await text(page)).includes("突发事件信息报告（续报）"), "supervisor: the printed follow-up report");
  await page.goto(base + "/emergencies/warnings");
  const w = await text(page);
  check(w.includes("暴雨黄色") && w.includes("已更新") && w.includes("已撤销"), "supervisor: warnings with their chain");
  await page.fill("input[name=headline]", "示范县气象台发布雷电黄色预警信号");
  await page.check("input[name=area] >> nth=0");
  const d = new Date(Date.now() + 86400000).toISOString().slice(0, 16);
  await page.fill("input[name=expires]", d);
  await Promise.all([page.waitForNavigation(), page.click("text=编制预警 >> nth=-1")]);
  check((await text(page)).includes("已保存草稿"), "supervisor: a warning composed, said so");
});

await session("staff", async (page) => {
  await page.click("nav >> text=待办");
  const link = page.locator("a:has-text('强降雨致城关镇城区内涝')").first();
  check((await link.count()) === 1, "staff: the inbox holds the township's emergency assignments");
  if (await link.count()) {
    await Promise.all([page.waitForNavigation(), link.click()]);
    const sign = page.locator("form:has(input[value=sign]) button");
    if (await sign.count()) {
      await Promise.all([page.waitForNavigation(), sign.click()]);
      check((await text(page)).includes("已签收"), "staff: signed, and told so");
    } else {
      const report = page.locator("form:has(input[value=report])");
      check((await report.count()) === 1, "staff: may report on the assignment");
      if (await report.count()) {
        await report.locator("textarea[name=text]").fill("已组织巡查，暂无新增险情");
        await Promise.all([page.waitForNavigation(), report.locator("button").click()]);
        check((await text(page)).includes("已报告"), "staff: reported, and told so");
      }
    }
  }
});

// 重大项目: the ledger, a project under way (a month reported, refused first with the input
// kept), an approval item, where projects get stuck; the township's own projects.
await session("supervisor", async (page) => {
  await page.click("nav >> text=重大项目");
  const ledger = await text(page);
  check(ledger.includes("重大项目台账") && ledger.includes("在建") && ledger.includes("距下一节点"), "supervisor: the project ledger with stages and days to the next target");
  await page.goto(base + "/projects?stage=building");
  await Promise.all([page.waitForNavigation(), page.locator("table.grid a[href^='/projects/']").first().click()]);
  const project = await text(page);
  check(project.includes("进度节点") && project.includes("投资完成"), "supervisor: a project page with its timeline and investment");
  check((await page.locator("svg.chart polyline").count()) === 2, "supervisor: the investment curve against plan is drawn on the server");
  const form = page.locator("form[action$='/reports']");
  await form.locator("input[name=progress]").fill("主体结构封顶");
  await form.locator("input[name=month]").fill("2026-11");
  await form.locator("input[name=invested_wan]").evaluate((e) => e.removeAttribute("required"));
  await Promise.all([page.waitForNavigation(), form.locator("button").click()]);
  check((await text(page)).includes("当月完成投资（万元）") && (await page.locator("p.error").count()) === 1, "supervisor: a report without its investment is refused naming the field");
  check((await page.inputValue("form[action$='/reports'] input[name=progress]")) === "主体结构封顶", "supervisor: the report form keeps the input");
  await page.fill("form[action$='/reports'] input[name=invested_wan]", "1200");
  await Promise.all([page.waitForNavigation(), page.click("form[action$='/reports'] button")]);
  check((await text(page)).includes("月报已报送"), "supervisor: the month reported, and told so");
  await page.goto(base + "/projects?stage=landing");
  const links = page.locator("table.grid a[href^='/projects/']");
  for (let i = 0; i < (await links.count()); i++) {
    await page.goto(base + "/projects?stage=landing");
    await Promise.all([page.waitForNavigation(), page.locator("table.grid a[href^='/projects/']").nth(i).click()]);
    const item = page.locator("a[href^='/projects/approvals/']");
    if (await item.count()) {
      await Promise.all([page.waitForNavigation(), item.first().click()]);
      check((await text(page)).includes("审批部门") && (await text(page)).includes("法定时限"), "supervisor: an approval item with its unit and legal limit");
      break;
    }
  }
  await page.goto(base + "/projects/bottlenecks");
  const b = await text(page);
  check(b.includes("中梗阻分析") && b.includes("县自然资源和规划局") && b.includes("履约率"), "supervisor: where projects get stuck, with the KPIs");
  check((await page.locator("svg.chart rect").count()) > 5, "supervisor: the bottleneck charts are drawn on the server");
  if (shots) await page.screenshot({ path: `${shots}/bottlenecks.png`, fullPage: false });
});

await session("staff", async (page) => {
  await page.goto(base + "/projects/mine");
  check((await text(page)).includes("城东片区城市更新项目"), "staff: the projects the township leads");
});

// 债务风险: the finance bureau's ledger, the wall, the indicators with the 非标 warning as a
// duty, an instrument (a repayment above what is owed refused naming the amount, the input
// kept), the saved 置换 scenario; a township sees no debt at all.
await session("finance", async (page) => {
  await page.click("nav >> text=债务风险");
  const ledger = await text(page);
  check(ledger.includes("债务台账") && ledger.includes("非标") && ledger.includes("天到期"), "finance: the debt ledger with balances and days to maturity");
  await page.goto(base + "/debt/wall");
  check((await text(page)).includes("到期高峰") && (await page.locator("svg.chart rect").count()) > 10, "finance: the maturity wall drawn on the server with its peak");
  await page.goto(base + "/debt/ratios");
  const r = await text(page);
  check(r.includes("债务率") && r.includes("非标占比·超目标") && r.includes("方案报送时限"), "finance: the indicators, the 非标 warning and the funding plans due");
  await page.goto(base + "/debt?kind=trust_loan");
  await Promise.all([page.waitForNavigation(), page.locator("table.grid a[href^='/debt/instruments/']").first().click()]);
  check((await text(page)).includes("还本付息计划"), "finance: an instrument with its schedule");
  const form = page.locator("form[action$='/transactions']");
  await form.locator("select[name=kind]").selectOption("repayment");
  await form.locator("input[name=amount_wan]").fill("99999999");
  await form.locator("input[name=note]").fill("测试超额还款");
  await Promise.all([page.waitForNavigation(), form.locator("button").click()]);
  check((await page.locator("p.error").count()) === 1 && (await text(page)).includes("金额（万元）"), "finance: a repayment above what is owed is refused naming the amount");
  check((await page.inputValue("form[action$='/transactions'] input[name=note]")) === "测试超额还款", "finance: the transaction form keeps the input");
  await page.goto(base + "/debt/scenario?after=1");
  check((await text(page)).includes("节约利息"), "finance: the saved 置换 scenario with the interest saved");
  if (shots) await page.screenshot({ path: `${shots}/debt-scenario.png`, fullPage: false });
});

await session("staff", async (page) => {
  check((await page.locator("nav a[href='/debt']").count()) === 0, "staff: no debt in the township's navigation");
  const r = await page.request.get(base + "/api/v1/debt/ratios");
  check(r.status() === 403, `staff: the debt book refused (${r.status()})`);
});

// 民生实事: the desk hands a proposal to a department; the congress office opens next year's
// vote (a paper count above those present refused on the same page, the input kept); a deputy
// votes on a phone, once; the result sheet of this year's vote; a citizen proposes and rates.
await session("govdesk", async (page) => {
  await page.click("nav >> text=民生实事");
  const list = await text(page);
  check(list.includes("民生实事项目建议") && list.includes("论证中") && list.includes("个工作日"), "govdesk: the year's proposals with the departments' working days");
  await page.goto(base + "/livelihood?state=collected");
  await Promise.all([page.waitForNavigation(), page.locator("table.grid a[href^='/livelihood/proposals/']").last().click()]);
  const form = page.locator("form[action$='/actions']");
  await form.locator("select[name=action]").selectOption("assign");
  await Promise.all([page.waitForNavigation(), form.locator("button").click()]);
  check((await page.locator("p.error").count()) === 1 && (await text(page)).includes("单位"), "govdesk: handing out without a department is refused naming it");
  await form.locator("select[name=unit_id]").selectOption({ label: "县民政局" });
  await Promise.all([page.waitForNavigation(), form.locator("button").click()]);
  const after = await text(page);
  check(after.includes("办理已保存") && after.includes("论证中") && after.includes("剩余15个工作日"), "govdesk: handed to 县民政局 with fifteen working days");
  await page.goto(base + "/livelihood/report");
  check((await text(page)).includes("年度报告"), "govdesk: the year's report");
});

let voteId = null;
await session("npc", async (page) => {
  await page.goto(base + "/livelihood/sessions");
  await Promise.all([page.waitForNavigation(), page.locator("table.grid tr:has-text('筹备') a").first().click()]);
  voteId = page.url().split("/").pop().split("?")[0];
  await page.fill("form[action$='/open'] input[name=present]", "150");
  await Promise.all([page.waitForNavigation(), page.click("form[action$='/open'] button")]);
  check((await text(page)).includes("已开始投票") && (await text(page)).includes("投票结束前不显示计票结果"), "npc: voting opened, counts hidden");
});

{
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(base + "/login");
  await page.fill("input[name=username]", "deputy");
  await page.fill("input[name=password]", PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click("form button")]);
  await page.goto(base + "/livelihood/sessions/" + voteId);
  const radios = page.locator("form.ballot input[type=radio][value=yes]");
  check((await radios.count()) >= 2, "deputy: the ballot on a phone lists every item");
  for (let i = 0; i < (await radios.count()); i++) await radios.nth(i).check();
  await Promise.all([page.waitForNavigation(), page.click("form.ballot button")]);
  const t = await text(page);
  check(t.includes("选票已记录") && t.includes("您已投票") && (await page.locator("form.ballot").count()) === 0, "deputy: ballot recorded, not offered again");
  check(errors.length === 0, `deputy: console errors: ${errors.join(" | ")}`);
  if (shots) await page.screenshot({ path: `${shots}/deputy-ballot.png`, fullPage: true });
  await context.close();
}

await session("npc", async (page) => {
  await page.goto(base + "/livelihood/sessions/" + voteId);
  await Promise.all([page.waitForNavigation(), page.click("form[action$='/close'] button")]);
  await page.fill("form[action$='/paper'] input[name=ballots]", "200");
  await Promise.all([page.waitForNavigation(), page.click("form[action$='/paper'] button")]);
  check((await page.locator("p.error").count()) === 1 && (await text(page)).includes("纸质票数超过出席代表"), "npc: a paper count above those present refused");
  check((await page.inputValue("form[action$='/paper'] input[name=ballots]")) === "200", "npc: the paper form keeps the input");
  await page.goto(base + "/livelihood/sessions/1/sheet");
  const sheet = await text(page);
  check(sheet.includes("表决结果") && sheet.includes("当选") && sheet.includes("监票人"), "npc: this year's result sheet with the tellers' signatures");
  if (shots) await page.screenshot({ path: `${shots}/livelihood-sheet.png`, fullPage: true });
});

await session("staff2", async (page) => {
  const r = await page.request.put(base + "/api/v1/livelihood/year/capacity", { data: { year: "2027", capacity_wan: "1" } });
  check(r.status() === 403, `staff2: 可用财力 is the finance bureau's (${r.status()})`);
});

{
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(base + "/public/livelihood");
  check((await text(page)).includes("城区老旧小区加装电梯") && !(await text(page)).includes("13900001"), "public: this year's projects, no phone");
  const form = page.locator("form[action='/public/livelihood']");
  await form.locator("input[name=title]").fill("社区增设儿童游乐设施");
  await form.locator("select[name=area]").selectOption("childcare");
  await form.locator("textarea[name=content]").fill("小区没有儿童游乐场地。");
  await form.locator("input[name=phone]").fill("123");
  await page.waitForTimeout(3200);
  await Promise.all([page.waitForNavigation(), form.locator("button").click()]);
  check((await page.locator("p.error").count()) === 1 && (await form.locator("input[name=title]").inputValue()) === "社区增设儿童游乐设施", "public: a proposal with a wrong phone refused, the input kept");
  await form.locator("input[name=phone]").fill("13812345678");
  await page.waitForTimeout(3200);
  await Promise.all([page.waitForNavigation(), form.locator("button").click()]);
  check((await text(page)).includes("已收到您的建议"), "public: proposal received");
  const rate = page.locator("form[action$='/rate']").first();
  await rate.locator("input[name=phone]").fill("13812345678");
  await page.waitForTimeout(3200);
  await rate.locator("input[value=satisfied]").check();
  await Promise.all([page.waitForNavigation(), rate.locator("button").click()]);
  check((await text(page)).includes("感谢您的评价"), "public: a chosen project rated");
  if (shots) await page.screenshot({ path: `${shots}/public-livelihood.png`, fullPage: true });
  await context.close();
}

// 驾驶舱: the county head's cockpit (a card per kind, every figure a link to its records, units
// ranked worst first, drill-down to a township and its scorecard, the 大屏); the deputy head's
// oversight; a township's own cockpit and its place, another township refused.
let qingshan = 0;
await session("leader", async (page) => {
  qingshan = (await (await page.request.get(base + "/api/v1/units")).json()).units.find((u) => u.name === "青山镇").id;
  let body = await text(page);
  check(body.includes("驾驶舱") && body.includes("任务") && body.includes("群众诉求") && body.includes("排名（由差到好）"), "leader: the cockpit is the home page");
  check(!body.includes("建设中"), "leader: no module marked 建设中");
  check((await page.locator("main svg.chart").count()) >= 1, "leader: the 12-month trend drawn as SVG");
  if (shots) await page.screenshot({ path: `${shots}/cockpit-county.png`, fullPage: true });
  await Promise.all([page.waitForNavigation(), page.locator("#card-task .lights a").first().click()]);
  check((await text(page)).includes("任务") && page.url().includes("/cockpit/records?kind=task&event=overdue"), "leader: a red light opens the records behind it");
  await page.goto(base + "/");
  await Promise.all([page.waitForNavigation(), page.locator("table.ranking a", { hasText: "城关镇" }).first().click()]);
  body = await text(page);
  check(body.includes("驾驶舱：城关镇") && body.includes("全县 › 城关镇"), "leader: drilled down to a township");
  await Promise.all([page.waitForNavigation(), page.click("text=考核计分卡")]);
  body = await text(page);
  check(body.includes("考核计分卡：城关镇") && body.includes("按期办结") && body.includes("等次划分"), "leader: the township's scorecard with its formulas");
  await page.goto(base + "/cockpit/wall");
  check((await page.locator("meta[http-equiv=refresh]").count()) === 1 && (await text(page)).includes("自动刷新"), "leader: the 大屏 refreshes itself");
  if (shots) await page.screenshot({ path: `${shots}/cockpit-wall.png`, fullPage: false });
  await page.goto(base + "/assessment/report?kind=township");
  check((await text(page)).includes("年度乡镇（街道）考核排名"), "leader: the annual ranking report");
  if (shots) await page.screenshot({ path: `${shots}/assessment-report.png`, fullPage: true });
});

// The supervision office: investment against plan and the maturities due next on the cockpit;
// the scheme's form refuses a wrong number on the same page, then keeps a new version.
await session("supervisor", async (page) => {
  await page.goto(base + "/cockpit");
  check((await page.locator("#card-project .money").innerText()).includes("投资完成率"), "supervisor: projects' investment against plan on the cockpit");
  check((await page.locator("#card-debt_maturity ul.soonest li").count()) >= 1, "supervisor: the maturities falling due next");
  await page.goto(base + "/assessment/schemes?kind=township");
  await page.fill("input[name='weight.task_on_time']", "四十");
  await page.fill("textarea[name=note]", "按县考核办通知调整");
  await Promise.all([page.waitForNavigation(), page.click("text=保存为新版本")]);
  let body = await text(page);
  check(body.includes("指标分值") && (await page.inputValue("input[name='weight.task_on_time']")) === "四十", "supervisor: a wrong weight named, the input kept");
  await page.fill("input[name='weight.task_on_time']", "40");
  await Promise.all([page.waitForNavigation(), page.click("text=保存为新版本")]);
  body = await text(page);
  check(body.includes("方案已保存为第1版"), "supervisor: the scheme kept as a new version, said so");
  if (shots) await page.screenshot({ path: `${shots}/assessment-schemes.png`, fullPage: true });
});

// Notices that reach people: a person's own contact points (a wrong phone named on the same
// form, the input kept); the office's outbox.
await session("staff", async (page) => {
  await page.click("header .me a");
  check(page.url().endsWith("/me/contacts"), "staff: the name opens my contact points");
  await page.fill("input[name=phone]", "1381234");
  await Promise.all([page.waitForNavigation(), page.click("form.card button")]);
  check((await text(page)).includes("电话") && (await page.inputValue("input[name=phone]")) === "1381234", "staff: a wrong phone named, the input kept");
  await page.fill("input[name=phone]", "13812345678");
  await page.fill("input[name=email]", "staff@county.gov.cn");
  await Promise.all([page.waitForNavigation(), page.click("form.card button")]);
  check((await text(page)).includes("联系方式已保存"), "staff: contact points saved, said so");
});
await session("supervisor", async (page) => {
  await page.goto(base + "/notify/outbox");
  check((await text(page)).includes("消息发送记录"), "supervisor: the outbox of notices");
  if (shots) await page.screenshot({ path: `${shots}/notify-outbox.png`, fullPage: true });
});

await session("vice", async (page) => {
  const body = await text(page);
  check(body.includes("分管范围") && body.includes("县应急管理局") && !body.includes("乡镇/街道排名"), "vice: the cockpit of what he oversees");
  if (shots) await page.screenshot({ path: `${shots}/cockpit-vice.png`, fullPage: true });
});

await session("manager", async (page) => {
  const body = await text(page);
  check(body.includes("驾驶舱：城关镇") && body.includes("村/社区排名") && !body.includes("全县"), "manager: the township's own cockpit");
  check(/在同级乡镇\/街道中排第\d+名|同级单位中暂不排名/.test(body), "manager: its place among its peers");
  const other = await page.request.get(base + "/api/v1/cockpit?unit=" + qingshan);
  check(other.status() === 403, `manager: another township's cockpit refused (${other.status()})`);
  await Promise.all([page.waitForNavigation(), page.click("text=考核计分卡")]);
  await page.selectOption("select[name=indicator]", "appeal_satisfaction");
  await Promise.all([page.waitForNavigation(), page.click("form[action$='/objections'] button")]);
  check((await text(page)).includes("理由必填") || (await text(page)).includes("理由"), "manager: an objection without a reason refused on the same page");
  await page.fill("textarea[name=reason]", "3件不满意评价系重复来电，已按规定合并");
  await Promise.all([page.waitForNavigation(), page.click("form[action$='/objections'] button")]);
  check((await text(page)).includes("申诉已提交"), "manager: objection filed, said so");
  if (shots) await page.screenshot({ path: `${shots}/cockpit-township.png`, fullPage: true });
});

// The public page, no account: submit and get a tracking code.
{
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(base + "/public/appeal");
  check(/12345政务服务便民热线/.test(await text(page)) && (await text(page)).includes("派单后答复时限"), "public: the county's hotline and its reply limits, not the product's slogan");
  await page.selectOption("select[name=category]", "noise_pollution");
  // A photo (1×1 PNG) goes with it.
  await page.setInputFiles("input[name=photos]", { name: "现场.png", mimeType: "image/png", buffer: Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64") });
  await page.fill("textarea[name=content]", "楼下烧烤店油烟直排，噪音到凌晨两点。");
  await page.fill("input[name=address]", "城关镇滨江社区");
  // A person takes a few seconds to check the form; the page refuses what is sent faster.
  await page.waitForTimeout(3200);
  await Promise.all([page.waitForNavigation(), page.click("form[action='/public/appeal'] button")]);
  const body = await text(page);
  check(body.includes("查询码") && /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/.test(body), "public: tracking code after submission");
  check(body.includes("评价码") && /[0-9A-Z]{4}-[0-9A-Z]{4}(?!-)/.test(body), "public: rating code shown once after submission");
  if (shots) await page.screenshot({ path: `${shots}/public.png`, fullPage: true });
  check((await page.locator("form[action='/public/appeal']").count()) === 0 && body.includes("再提交一条诉求"), "public: no empty form under the tracking code");
  check(!/答复时限\s*$/m.test(body) && (body.includes("待派单") || body.includes("派单后开始计时") || body.includes("已派单")), "public: no blanks where it should say 待派单");
  await page.goto(base + "/public/track?code=ABCD-EFGH-JKLM");
  const wrong = await text(page);
  check(wrong.includes("没有找到查询码为 ABCD-EFGH-JKLM 的诉求") && !wrong.includes("无权查看") && (await page.inputValue("form[action='/public/track'] input[name=code]")) === "ABCD-EFGH-JKLM", "public: a wrong code said plainly, the code kept");
  await context.close();
}

// Accessibility: axe-core on the main screens, zero serious or critical violations.
for (const v of await accessibility(browser, base, PASSWORD, check)) console.error("  " + v);

await browser.close();
console.log(`browser: ${checks - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
