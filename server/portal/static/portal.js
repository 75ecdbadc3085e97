// Progressive enhancement only: every page works without this script. With it, the tenant list's
// column links sort the rows in place (no round trip) using each cell's data-value.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  for (const table of document.querySelectorAll('table.sortable')) {
    const headers = Array.from(table.tHead.rows[0].cells);
    headers.forEach((th, column) => {
      const link = th.querySelector('a[data-sort]');
      if (!link) return;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        const descending = th.getAttribute('aria-sort') === 'ascending';
        for (const other of headers) other.removeAttribute('aria-sort');
        th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
        const numeric = th.classList.contains('num') || link.dataset.sort === 'level';
        const value = (row) => {
          const cell = row.cells[column];
          const text = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent;
          return numeric ? BigInt(text) : text;
        };
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        rows.sort((a, b) => {
          const x = value(a), y = value(b);
          const order = x < y ? -1 : x > y ? 1 : 0;
          return descending ? -order : order;
        });
        for (const row of rows) body.appendChild(row);
        history.replaceState(null, '', link.href);
      });
    });
  }
});
