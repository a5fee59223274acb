// jupyterlab-export.js: JupyterLab's pipeline editor in headless Chromium
// (tests/elyra/jupyterlab-lib.js): open the pipeline, open Export, choose
// the runtime configuration, export, and wait for the YAML in the file
// browser. Screenshots go to SHOTS.
//
//   node jupyterlab-export.js BASE_URL TOKEN PIPELINE_PATH CONFIG_LABEL YAML_NAME SHOTS
const { log, withPage, openPipeline, resultDialog } = require('./jupyterlab-lib.js');
const [base, token, pipelinePath, configLabel, yamlName, shots] = process.argv.slice(2);

withPage(shots, async (page) => {
  await openPipeline(page, base, token, pipelinePath, 'train.ipynb');
  await page.screenshot({ path: `${shots}/1-editor.png` });

  await page.locator('[aria-label="Export Pipeline"]').first().click();
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
  const { title, body } = await resultDialog(page, /Export pipeline for|Generating/);
  log(`result dialog: ${title}: ${body.slice(0, 300)}`);
  await page.screenshot({ path: `${shots}/3-result.png` });
  if (!/succeeded/i.test(title)) throw new Error(`export did not succeed: ${title}: ${body}`);
  await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').first().click();

  // The YAML in the file browser (the pipeline's directory is open there).
  await page.locator('.jp-DirListing-itemText', { hasText: yamlName }).first().waitFor();
  log(`${yamlName} is in the file browser`);
  await page.screenshot({ path: `${shots}/4-file-browser.png` });
});
