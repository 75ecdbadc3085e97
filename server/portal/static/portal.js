// Progressive enhancement only: every page works without this script. With it:
// - a form is sent once, however often its button is clicked (the server would record a top-up
//   once anyway, by its reference, but the page then shows only the second answer);
// - a page the browser restores from its back/forward cache after a logout is fetched again, so
//   Back does not show an ended session's data;
// - the tenant list's column links sort the rows in place, in the order the link names (the same
//   order the server sorts in without the script).
'use strict';
window.addEventListener('pageshow', (event) => {
  if (event.persisted) window.location.reload();
});
document.addEventListener('DOMContentLoaded', () => {
  for (const form of document.querySelectorAll('form[method=post]')) {
    form.addEventListener('submit', (event) => {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = '1';
    });
  }
  for (const table of document.querySelectorAll('table.sortable')) {
    const headers = Array.from(table.tHead.rows[0].cells);
    headers.forEach((th, column) => {
      const link = th.querySelector('a[data-sort]');
      if (!link) return;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        const url = new URL(link.href);
        const descending = url.searchParams.get('order') === 'desc';
        const key = link.dataset.sort;
        // Amounts of different currencies are not comparable: by currency, then by amount.
        const money = key === 'balance' || key === 'spent_today';
        const numeric = money || key === 'level';
        const value = (row, index) => {
          const cell = row.cells[index];
          return cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
        };
        const compare = (a, b) => {
          if (money) {
            const x = value(a, 1), y = value(b, 1);
            if (x !== y) return x < y ? -1 : 1;
          }
          const x = numeric ? BigInt(value(a, column)) : value(a, column);
          const y = numeric ? BigInt(value(b, column)) : value(b, column);
          const order = x < y ? -1 : x > y ? 1 : 0;
          return descending ? -order : order;
        };
        const body = table.tBodies[0];
        const rows = Array.from(body.rows).sort(compare);
        for (const row of rows) body.appendChild(row);
        for (const other of headers) other.removeAttribute('aria-sort');
        th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
        table.caption.textContent = `Tenants, sorted by ${key}${descending ? ', descending' : ''}`;
        // The next click on this column goes the other way, as the server's link would.
        url.searchParams.set('order', descending ? 'asc' : 'desc');
        link.href = url.toString();
        history.replaceState(
            null, '', `${location.pathname}?sort=${key}${descending ? '&order=desc' : ''}`);
      });
    });
  }
});
