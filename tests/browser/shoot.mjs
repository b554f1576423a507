// Screenshots of chosen pages for looking at them: node shoot.mjs BASE USER DIR path[=name] ...
// A phone-sized viewport for paths marked with a leading "@".
import { chromium } from "playwright-core";
const [base, user, dir, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
for (const spec of paths) {
  const phone = spec.startsWith("@");
  // The name follows the last "=" (a path may carry a query of its own).
  const bare = spec.replace(/^@/, "");
  const cut = bare.lastIndexOf("=");
  const [path, name] = cut > 0 && !bare.slice(cut + 1).includes("/") ? [bare.slice(0, cut), bare.slice(cut + 1)] : [bare, undefined];
  const context = await browser.newContext({ viewport: phone ? { width: 390, height: 844 } : { width: 1280, height: 900 }, locale: "zh-CN", deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(base + "/login");
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", "Luoshi@2026");
  await Promise.all([page.waitForNavigation(), page.click("form button")]);
  await page.goto(base + path);
  await page.screenshot({ path: `${dir}/${name || path.replace(/\W+/g, "_")}.png`, fullPage: true });
  if (errors.length) console.error(path, errors.join(" | "));
  await context.close();
}
await browser.close();
