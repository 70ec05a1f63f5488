// The frame document's elements, element building (text only) and the status line.
const $ = (id) => document.getElementById(id);
export const ui = {
  chat: $('chat'), title: $('title'), presence: $('presence'), close: $('close'), log: $('log'), empty: $('empty'),
  status: $('status'), typing: $('typing'), form: $('composer'), input: $('input'), inputLabel: $('input-label'), send: $('send'),
};

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function node(tag, className, text) {
  const n = document.createElement(tag);
  if (className) n.className = className;
  if (text != null) n.textContent = text; // never innerHTML: every text here may be hostile
  return n;
}

const statuses = new Map(); // reason -> text; the first one is shown
export function setStatus(reason, text) {
  if (text) statuses.set(reason, text);
  else statuses.delete(reason);
  const shown = [...statuses.values()][0];
  ui.status.hidden = !shown;
  ui.status.textContent = shown || '';
}

export function nearBottom() {
  return ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 80;
}
