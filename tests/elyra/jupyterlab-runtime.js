// jupyterlab-runtime.js: Elyra's runtime configuration editor (the
// Runtimes panel) in headless Chromium (tests/elyra/jupyterlab-lib.js).
//
//   node jupyterlab-runtime.js BASE_URL TOKEN PIPELINE_PATH SHOTS NAME show DISPLAY_NAME
//     opens the editor of that configuration (its Edit button) and prints
//     its Target field: "target: VALUE" and "choices: A | B | ...".
//   node jupyterlab-runtime.js BASE_URL TOKEN PIPELINE_PATH SHOTS NAME new FIELD=VALUE...
//     "New Kubeflow Pipelines (t3q) runtime configuration": fills each
//     field (the schema's property name: display_name, api_endpoint,
//     target...; a choice by its label), prints the Target field as above,
//     presses Save & Close and waits for display_name in the panel.
// Screenshots SHOTS/NAME-*.png.
const { log, withPage, openPipeline } = require('./jupyterlab-lib.js');
const [base, token, pipelinePath, shots, name, action, ...args] = process.argv.slice(2);

// field(page, key): the form control of schema property key. Elyra's form
// names it root_<category>_<key> (root__noCategory_<key> outside any).
async function field(page, key) {
  const ids = await page.locator('[id^="root_"]').evaluateAll((els) => els.map((e) => e.id));
  const id = ids.find((i) => new RegExp(`^root_(_noCategory|[^_]+)_${key}$`).test(i));
  if (!id) throw new Error(`no field '${key}' in the runtime editor; there are: ${ids.join(', ')}`);
  return page.locator(`[id="${id}"]`);
}

async function printTarget(page) {
  const target = await field(page, 'target');
  await target.scrollIntoViewIfNeeded();
  const chosen = await target.evaluate((s) => s.options[s.selectedIndex] ? s.options[s.selectedIndex].text : '');
  console.log(`target: ${chosen}`);
  console.log(`choices: ${(await target.locator('option').allTextContents()).join(' | ')}`);
}

withPage(shots, async (page) => {
  await openPipeline(page, base, token, pipelinePath, 'train.ipynb');
  await page.locator('[aria-label="Open Runtimes"]').first().click();
  const panel = page.locator('[id="elyra-metadata:runtimes"]');
  await panel.waitFor();
  if (action === 'show') {
    const item = panel.locator('.elyra-metadata-item', { hasText: args[0] }).first();
    await item.locator('button[title="Edit"]').click();
  } else if (action === 'new') {
    await panel.locator('.elyra-metadataHeader-addButton').click();
    await page.locator('.lm-Menu-item', { hasText: 'New Kubeflow Pipelines (t3q) runtime configuration' }).click();
  } else {
    throw new Error(`unknown action '${action}': show or new`);
  }
  await (await field(page, 'display_name')).waitFor();
  log(`runtime editor open (${action})`);
  let display = null;
  for (const a of action === 'new' ? args : []) {
    const [key, value] = [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)];
    const control = await field(page, key);
    if (await control.evaluate((e) => e.tagName === 'SELECT')) await control.selectOption({ label: value });
    else await control.fill(value);
    if (key === 'display_name') display = value;
  }
  await printTarget(page);
  await page.screenshot({ path: `${shots}/${name}-1-editor.png` });
  if (action === 'new') {
    await page.getByRole('button', { name: 'Save & Close' }).click();
    await panel.locator('.elyra-metadata-item', { hasText: display }).first().waitFor();
    log(`'${display}' saved, in the Runtimes panel`);
    await page.screenshot({ path: `${shots}/${name}-2-saved.png` });
  }
});
