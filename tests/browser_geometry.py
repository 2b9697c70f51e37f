"""Measurements of rendered pages for the browser tests, as JavaScript functions Playwright evaluates in the page:
what sticks out of its box and which words or ids the browser broke across lines."""

from __future__ import annotations

# The geometry of a rendered answer, measured in the page: elements that stick out of the bubble (those inside a
# sideways-scrolling table box count only through that box), table cells narrower than two characters, and
# cells holding one short Latin word, id or figure, and short source places, that the browser broke onto two lines
# (Chinese may wrap between any two characters).
MEASURE = """bubble => {
  const box = bubble.getBoundingClientRect();
  const out = {outside: [], narrow: [], broken: [], cells: 0, items: bubble.querySelectorAll('li').length};
  for (const el of bubble.querySelectorAll('*')) {
    if (el.closest('.zst-scroll') && !el.classList.contains('zst-scroll')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < box.left - 1 || r.right > box.right + 1)
      out.outside.push(el.tagName + '.' + el.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  for (const cell of bubble.querySelectorAll('.zst-table th, .zst-table td')) {
    out.cells += 1;
    const size = parseFloat(getComputedStyle(cell).fontSize);
    const text = cell.textContent.trim();
    if (cell.getBoundingClientRect().width < 2 * size) out.narrow.push(text);
    if (text && !/[\\s\\u3400-\\u9fff]/.test(text) && text.length <= 12) {  // a Latin word, an id, a figure
      const range = document.createRange();
      range.selectNodeContents(cell);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size > 1) out.broken.push(text);
    }
  }
  for (const place of bubble.querySelectorAll('.zst-loc')) {  // a card's short place: F-014, 第四条, p.3
    const text = place.textContent.trim();
    const lines = new Set([...place.getClientRects()].map(r => Math.round(r.top)));
    if (text.length <= 12 && lines.size > 1) out.broken.push(text);
  }
  return out;
}"""


# Words (runs of Latin letters and digits) that the browser broke across two lines, anywhere under ``root``.
BROKEN_WORDS = """root => {
  const out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    for (const m of node.textContent.matchAll(/[A-Za-z0-9]{2,}/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) out.push(m[0]);
    }
  }
  return out;
}"""

# The suggested questions on the page: topic labels and question chips (and the header, same fix) that stick out
# of their row or the screen, and words broken inside them.
CHIPS = """body => {
  const broken = """ + BROKEN_WORDS + """;
  const out = {outside: [], broken: [], rows: 0};
  const rows = new Set([...body.querySelectorAll('.prose strong, .prose h2')].map(e => e.closest('.row')));
  for (const row of rows) {
    if (!row) continue;
    const box = row.getBoundingClientRect();
    if (!box.width) continue;
    out.rows += 1;
    for (const el of row.children) {
      const r = el.getBoundingClientRect();
      if (r.width && (r.left < box.left - 1 || r.right > box.right + 1 || r.right > innerWidth))
        out.outside.push(el.textContent.trim().slice(0, 40) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
    out.broken.push(...broken(row));
  }
  return out;
}"""

# A source page: headings and table cells that stick out of its main column (its content box), cells cut off by
# their table (a table box that scrolls or clips), a page wider than the screen, and broken words.
SOURCE_PAGE = """main => {
  const broken = """ + BROKEN_WORDS + """;
  const style = getComputedStyle(main), outer = main.getBoundingClientRect();
  const box = {left: outer.left + parseFloat(style.paddingLeft), right: outer.right - parseFloat(style.paddingRight)};
  const out = {outside: [], broken: broken(main), cells: main.querySelectorAll('td').length};
  for (const el of main.querySelectorAll('h1, p, table, th, td')) {
    const r = el.getBoundingClientRect();
    const table = el.closest('table') && el.tagName !== 'TABLE' ? el.closest('table').getBoundingClientRect() : box;
    if (r.left < Math.max(box.left, table.left) - 1 || r.right > Math.min(box.right, table.right) + 1)
      out.outside.push(el.tagName + ' ' + el.textContent.trim().slice(0, 30) + ' ' + Math.round(r.right));
  }
  if (document.documentElement.scrollWidth > innerWidth) out.outside.push('the page scrolls sideways');
  return out;
}"""

# The staff console's tables (sources, candidates): cells narrower than two characters, short Latin codes (F-009)
# and words broken across lines (Chinese may wrap anywhere), and a page wider than the screen (a wide table
# scrolls inside its own box).
STAFF_TABLES = """main => {
  const broken = """ + BROKEN_WORDS + """;
  const out = {narrow: [], broken: [], cells: 0, wide: document.documentElement.scrollWidth > innerWidth};
  for (const cell of main.querySelectorAll('table th, table td')) {
    out.cells += 1;
    const text = cell.textContent.trim();
    if (cell.getBoundingClientRect().width < 2 * parseFloat(getComputedStyle(cell).fontSize)) out.narrow.push(text);
    if (text && !/[\\s\\u3400-\\u9fff]/.test(text) && text.length <= 12) {  // a code, id or figure
      const range = document.createRange();
      range.selectNodeContents(cell);
      if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) out.broken.push(text);
    }
    if (cell.tagName === 'TD') out.broken.push(...broken(cell));
  }
  return out;
}"""
