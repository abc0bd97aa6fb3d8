// node --test: the offline outbox's rules (static/js/offline-core.js), run by tests/takeout/test_offline_js.py.
const test = require("node:test");
const assert = require("node:assert/strict");
const core = require("../../static/js/offline-core.js");

test("an answer is delivered, refused or retried", () => {
  for (const status of [200, 201, 204, 303]) assert.equal(core.classify(status, "basic"), "delivered");
  assert.equal(core.classify(0, "opaqueredirect"), "delivered"); // a redirect to the result page
  for (const status of [400, 403, 404, 409, 413, 422]) assert.equal(core.classify(status, "basic"), "refused");
  for (const status of [0, 408, 429, 500, 502, 503]) assert.equal(core.classify(status, "basic"), "retry");
});

test("the refusal's reason is the page's alert, else its field errors", () => {
  const page = '<div class="notice notice-danger" role="alert" tabindex="-1">照片未通过检查</div>';
  assert.equal(core.reasonFrom(page, 422), "照片未通过检查");
  const fields = '<p class="error" id="a-error">请填写地址。</p><p class="error">请填写电话。</p>';
  assert.equal(core.reasonFrom(fields, 422), "请填写地址。 请填写电话。");
  assert.equal(core.reasonFrom("", 404), "HTTP 404");
  // The error summary at the top of a failing form (macros/forms.html): its items, links or not.
  const summary =
    '<div class="error-summary" role="alert" tabindex="-1">\n  <p class="error-summary-title">未能提交，请处理以下问题：</p>\n' +
    '  <ul class="error-summary-list">\n    <li><a href="#f1">营业执照：照片未通过检查</a></li>\n    <li>请选择办理事项。</li>\n  </ul>\n</div>';
  assert.equal(core.reasonFrom(summary, 422), "营业执照：照片未通过检查 请选择办理事项。");
});

test("retries back off and then keep a steady pace", () => {
  const delays = [0, 1, 2, 3, 4, 10].map(core.retryDelay);
  assert.deepEqual(delays, [5000, 15000, 60000, 300000, 300000, 300000]);
});

test("a kept submission needs its key (the Idempotency-Key of every retry)", () => {
  const entry = core.entry("k-1", "/takeout/WM1/cases", [["item_code", "X"]], "现场受理", 1);
  assert.equal(entry.state, "waiting");
  assert.equal(entry.attempts, 0);
  assert.throws(() => core.entry("", "/x", [], "", 1));
});
