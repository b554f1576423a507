// The accessibility check of the browser walk (issue 20): axe-core (from the npm registry) run
// on the main screens as the role that meets each, WCAG 2 A and AA rules; a serious or critical
// violation fails the walk. axe is injected into the page, so these contexts bypass the CSP
// that would refuse an injected script (the pages themselves are the same).
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");

const SCREENS = {
  supervisor: ["/tasks", "/inbox", "/directives", "/reports", "/tasks/1", "/directives/1", "/cockpit", "/hazards", "/projects", "/debt", "/emergencies", "/livelihood"],
  staff: ["/inbox", "/tasks", "/hazards"],
  hotline: ["/appeals", "/appeals/1"],
  // No account: the citizen's pages and the login.
  "": ["/login", "/public/appeal", "/public/livelihood"],
};

export async function accessibility(browser, base, password, check) {
  const found = [];
  for (const [username, paths] of Object.entries(SCREENS)) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN", bypassCSP: true });
    const page = await context.newPage();
    if (username) {
      await page.goto(base + "/login");
      await page.fill("input[name=username]", username);
      await page.fill("input[name=password]", password);
      await Promise.all([page.waitForNavigation(), page.click("form button")]);
    }
    for (const path of paths) {
      await page.goto(base + path);
      await page.addScriptTag({ path: axePath });
      const result = await page.evaluate(async () => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
      });
      const serious = result.filter((v) => v.impact === "serious" || v.impact === "critical");
      for (const v of serious) found.push(`${username || "public"} ${path}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.join(", ")}`);
      check(serious.length === 0, `a11y: ${username || "public"} ${path} has no serious violations (${serious.map((v) => v.id).join(", ")})`);
    }
    await context.close();
  }
  return found;
}
