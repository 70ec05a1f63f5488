// A site's office hours (sites/KEY/hours): time zone, intervals per weekday, holidays and the
// away text visitors see outside them; saved all at once, or cleared (always open).
import { api } from './api.js';
import { view } from './app.js';
import { el, errorBox, showError } from './dom.js';
import { t } from './i18n.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);

export async function hoursCard(site) {
  const path = `sites/${site.key}/hours`;
  const { hours, openNow } = await api('GET', path);
  const err = errorBox();
  const state = el('p', { id: 'hours-state', role: 'status' },
    !hours ? t('hoursNone') : openNow ? t('hoursOpen') : t('hoursClosed'));
  const zone = el('input', { id: 'hours-zone', class: 'mono', placeholder: 'Europe/Berlin', value: hours ? hours.timeZone : '' });
  const days = Object.fromEntries(DAYS.map((d) => [d, el('input', { id: `hours-${d}`, class: 'mono',
    placeholder: '09:00-17:00', value: hours ? hours.week[d].join(', ') : '' })]));
  const holidays = el('input', { id: 'hours-holidays', class: 'mono', placeholder: 'YYYY-MM-DD, …',
    value: hours ? hours.holidays.join(', ') : '' });
  const away = el('textarea', { id: 'hours-away', rows: 2, maxlength: 500, value: hours ? hours.awayText : '' });
  return el('form', { class: 'card', id: 'hours-form', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      const week = Object.fromEntries(DAYS.map((d) => [d, list(days[d].value)]));
      await api('PUT', path, { timeZone: zone.value.trim(), week, holidays: list(holidays.value), awayText: away.value });
      view.render();
    } catch (error) { showError(err, error); }
  } },
  el('h3', {}, t('hours')), state,
  el('label', { for: 'hours-zone' }, t('hoursZone')), zone,
  el('fieldset', {}, el('legend', {}, t('hoursWeek')),
    ...DAYS.map((d) => el('label', { for: `hours-${d}` }, t(`day_${d}`), days[d]))),
  el('label', { for: 'hours-holidays' }, t('hoursHolidays')), holidays,
  el('label', { for: 'hours-away' }, t('hoursAway')), away,
  el('p', { class: 'row' }, el('button', { class: 'primary', type: 'submit', id: 'save-hours' }, t('save')),
    el('button', { type: 'button', id: 'clear-hours', onclick: async () => {
      try { await api('DELETE', path); view.render(); } catch (error) { showError(err, error); }
    } }, t('hoursClear'))), err);
}
