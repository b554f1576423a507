import { chromium } from "playwright-core";
const [base, user, path, out, ...ys] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
const page = await context.newPage();
await page.goto(base + "/login");
await page.fill("input[name=username]", user);
await page.fill("input[name=password]", "Luoshi@2026");
await Promise.all([page.waitForNavigation(), page.click("form button")]);
await page.goto(base + path);
for (const y of ys) { await page.screenshot({ path: `${out}_${y}.png`, clip: { x: 0, y: Number(y), width: 1280, height: 1100 }, fullPage: true }); }
await browser.close();
