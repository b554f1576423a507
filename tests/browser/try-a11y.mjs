import { chromium } from "playwright-core";
import { accessibility } from "./a11y.mjs";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const found = await accessibility(browser, process.argv[2], "Luoshi@2026", () => {});
console.log(found.join("\n"));
await browser.close();
