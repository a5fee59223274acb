// jupyterlab-run.js: Run in JupyterLab's pipeline editor, in headless
// Chromium (tests/elyra/jupyterlab-lib.js): open the pipeline, press Run,
// choose the runtime configuration, set parameters, press Ok, and wait for
// Elyra's result dialog, a success or an error. Prints the configurations
// the Run dialog offered, the result's title, body and links (lines
// "configs: ...", "title: ...", "link: ...", then the body); saves the
// request the editor sent (POST /elyra/pipeline/schedule, the pipeline as
// the server compiles it) to BODY_FILE. Exits 0 on any result dialog: the
// caller judges it. Screenshots SHOTS/NAME-*.png.
//
//   node jupyterlab-run.js BASE_URL TOKEN PIPELINE_PATH CONFIG_LABEL SHOTS NAME BODY_FILE [PARAM=VALUE...]
const fs = require('fs');
const { log, withPage, openPipeline, resultDialog } = require('./jupyterlab-lib.js');
const [base, token, pipelinePath, configLabel, shots, name, bodyFile, ...params] = process.argv.slice(2);

withPage(shots, async (page) => {
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname.endsWith('/elyra/pipeline/schedule')) {
      fs.writeFileSync(bodyFile, r.postData() || '');
    }
  });
  await openPipeline(page, base, token, pipelinePath, 'train.ipynb');

  await page.locator('[aria-label="Run Pipeline"]').first().click();
  const dialog = page.locator('.jp-Dialog');
  const select = dialog.locator('select#runtime_config');
  await select.waitFor();
  console.log(`configs: ${(await select.locator('option').allTextContents()).join(' | ')}`);
  await select.selectOption({ label: configLabel });
  for (const p of params) {
    const [key, value] = [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)];
    await dialog.locator(`[id="${key}-paramInput"]`).fill(value);
  }
  log(`run dialog: chose '${configLabel}'${params.length ? ', ' + params.join(' ') : ''}`);
  await dialog.screenshot({ path: `${shots}/${name}-1-run-dialog.png` });
  await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();

  const { title, body, links } = await resultDialog(page, /Run pipeline for|Packaging|Generating|Submitting/);
  log(`result dialog: ${title}`);
  await page.screenshot({ path: `${shots}/${name}-2-result.png` });
  console.log(`title: ${title}`);
  for (const href of links) console.log(`link: ${href}`);
  console.log(body);
});
