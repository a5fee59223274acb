/*
 * uiart: the KFP UI metadata (mlpipeline-ui-metadata.json) rendered as the
 * documents KFP v2 shows for system.Markdown and system.HTML artifacts,
 * which the bootstrap writes at the launcher's paths for the fixed keys
 * mlpipeline-markdown and mlpipeline-html.
 *
 * Both append to out, which the caller owns; ui may be NULL (no metadata).
 */
#ifndef T3Q_BOOTSTRAP_UIART_H
#define T3Q_BOOTSTRAP_UIART_H

#include <cjson/cJSON.h>

#include "base/buf.h"

/*
 * The inline markdown outputs, in order, each ending in a blank line;
 * nothing when there are none (an empty markdown document is valid).
 */
void uiart_markdown(struct buf *out, const cJSON *ui);

/*
 * One HTML document: a single inline web-app is its own page, verbatim;
 * otherwise each web-app is embedded (an iframe's srcdoc) and each inline
 * CSV table becomes a <table>, every value escaped. With neither, an
 * empty page titled title.
 */
void uiart_html(struct buf *out, const cJSON *ui, const char *title);

#endif
