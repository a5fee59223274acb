// jupyterlab-export.js: JupyterLab's pipeline editor in headless Chromium
// (Debian's chromium, driven by playwright-core from tests/tools/browser):
// open the pipeline, open Export, choose the runtime configuration, export,
// and wait for the YAML in the file browser. Screenshots go to SHOTS.
//
//   node jupyterlab-export.js BASE_URL TOKEN PIPELINE_PATH CONFIG_LABEL YAML_NAME SHOTS
const { chromium } = require(process.env.T3Q_PLAYWRIGHT || 'playwright-core');
const [base, token, pipelinePath, configLabel, yamlName, shots] = process.argv.slice(2);

function log(msg) { console.log(`# ${new Date().toISOString().slice(11, 19)} ${msg}`); }

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
    await page.goto(`${base}/lab/tree/${pipelinePath}?token=${token}`);
    const exportButton = page.locator('[aria-label="Export Pipeline"]').first();
    await exportButton.waitFor();
    // The canvas shows the nodes once the editor has loaded the file.
    await page.getByText('train.ipynb').first().waitFor();
    log('pipeline editor open');
    // JupyterLab's "news" question would cover part of the screenshots.
    const no = page.locator('.jp-Notification-Toast-Close, .jp-toast-buttonBar button', { hasText: 'No' }).first();
    if (await no.isVisible().catch(() => false)) await no.click().catch(() => {});
    await page.screenshot({ path: `${shots}/1-editor.png` });

    await exportButton.click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('select#runtime_config').waitFor();
    await dialog.locator('select#runtime_config').selectOption({ label: configLabel });
    await dialog.locator('select#pipeline_filetype').selectOption('yaml');
    await dialog.locator('input#overwrite').check();
    log(`export dialog: chose '${configLabel}'`);
    await dialog.screenshot({ path: `${shots}/2-export-dialog.png` });
    await page.screenshot({ path: `${shots}/2-export-dialog-page.png` });
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();

    // Elyra reports the result in a dialog: success or an error.
    const result = page.locator('.jp-Dialog .jp-Dialog-header');
    await result.waitFor();
    await page.waitForFunction(() => {
      const h = document.querySelector('.jp-Dialog .jp-Dialog-header');
      // "Generating pipeline artifacts ..." comes first, then the result.
      return h && !/Export pipeline for|Generating/.test(h.textContent);
    });
    const title = (await result.textContent()).trim();
    const body = (await page.locator('.jp-Dialog .jp-Dialog-body').textContent()).trim();
    log(`result dialog: ${title}: ${body.slice(0, 300)}`);
    await page.screenshot({ path: `${shots}/3-result.png` });
    if (!/succeeded/i.test(title)) throw new Error(`export did not succeed: ${title}: ${body}`);
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').first().click();

    // The YAML in the file browser (the pipeline's directory is open there).
    await page.locator('.jp-DirListing-itemText', { hasText: yamlName }).first().waitFor();
    log(`${yamlName} is in the file browser`);
    await page.screenshot({ path: `${shots}/4-file-browser.png` });
  } catch (e) {
    if (page) await page.screenshot({ path: `${shots}/failure.png` }).catch(() => {});
    throw e;
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
