// jupyterlab-lib.js: what every tests/elyra/jupyterlab-*.js script does in
// JupyterLab with Elyra's pipeline editor, in headless Chromium (Debian's
// chromium, driven by playwright-core from tests/tools/browser): start the
// browser, open a pipeline, wait for the result dialog Elyra shows after an
// action, keep a screenshot of any failure.
const { chromium } = require(process.env.T3Q_PLAYWRIGHT || 'playwright-core');

function log(msg) { console.log(`# ${new Date().toISOString().slice(11, 19)} ${msg}`); }

// withPage(shots, fn): runs fn(page) in a fresh browser, 1400x900; on an
// error, SHOTS/failure.png and exit 1.
function withPage(shots, fn) {
  (async () => {
    const browser = await chromium.launch({
      executablePath: process.env.T3Q_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-dev-shm-usage'],
    });
    let page;
    try {
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.setDefaultTimeout(90000);
      await fn(page);
    } catch (e) {
      if (page) await page.screenshot({ path: `${shots}/failure.png` }).catch(() => {});
      throw e;
    } finally {
      await browser.close();
    }
  })().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
}

// dismissNews(page): JupyterLab's "news" question would cover part of the
// screenshots.
async function dismissNews(page) {
  const no = page.locator('.jp-Notification-Toast-Close, .jp-toast-buttonBar button', { hasText: 'No' }).first();
  if (await no.isVisible().catch(() => false)) await no.click().catch(() => {});
}

// openPipeline(page, base, token, path, nodeLabel): the pipeline in the
// editor, once the canvas shows the node labelled nodeLabel. The workspace
// is reset: a second browser session of the same server would otherwise
// restore the last one's panels.
async function openPipeline(page, base, token, path, nodeLabel) {
  await page.goto(`${base}/lab/tree/${path}?reset&token=${token}`);
  await page.locator('[aria-label="Export Pipeline"]').first().waitFor();
  await page.locator('.d3-node-label', { hasText: nodeLabel }).first().waitFor();
  log('pipeline editor open');
  await dismissNews(page);
}

// resultDialog(page, busy): the dialog Elyra shows after Run or Export,
// once its title no longer matches busy (the action's own dialog and the
// "Generating ..." ones come first). Returns { title, body, links }.
async function resultDialog(page, busy) {
  // The newest dialog, once its header has text: a header is in the DOM
  // empty for a moment, and the busy dialog may still be closing.
  await page.waitForFunction((re) => {
    const hs = document.querySelectorAll('.jp-Dialog .jp-Dialog-header');
    const h = hs[hs.length - 1];
    return h && h.textContent.trim() !== '' && !new RegExp(re).test(h.textContent);
  }, busy.source);
  const dialog = page.locator('.jp-Dialog').last();
  const title = (await dialog.locator('.jp-Dialog-header').textContent()).trim();
  const body = (await dialog.locator('.jp-Dialog-body').innerText()).trim();
  const links = await dialog.locator('.jp-Dialog-body a').evaluateAll((as) => as.map((a) => a.href));
  return { title, body, links };
}

module.exports = { log, withPage, dismissNews, openPipeline, resultDialog };
