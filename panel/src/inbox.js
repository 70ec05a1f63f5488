// The inbox: every conversation, filtered, and the open one with its thread, reply and status;
// both follow the event stream.
import { api } from './api.js';
import { clear, el, errorBox, showError } from './dom.js';
import { num, t, when } from './i18n.js';
import { listeners } from './stream.js';
import { notifyControls, notifyMessage, setTitleCount } from './notify.js';

const inboxFilter = { site: '', source: '', status: '' };
let openConversation = null;
// Conversations whose visitor is typing (a typing event, ephemeral): id -> timer. Each marker goes
// after 5 s without another event, or when the visitor's message arrives.
const typing = new Map();
export async function renderInbox(main) {
  const { sites } = await api('GET', 'sites');
  const select = (id, key, options) => {
    const s = el('select', { id, onchange: () => { inboxFilter[key] = s.value; loadList(); } },
      options.map(([v, label]) => el('option', { value: v }, label)));
    s.value = inboxFilter[key];
    return s;
  };
  const filters = el('div', { class: 'row card' },
    select('filter-site', 'site', [['', t('allSites')], ...sites.map((s) => [s.key, s.name])]),
    select('filter-source', 'source', [['', t('allSources')], ['external', t('external')], ['main', t('main')]]),
    select('filter-status', 'status', [['', t('allStatuses')], ['open', t('open')], ['resolved', t('resolved')]]));
  const list = el('ul', { class: 'plain conv-list', id: 'conversation-list' });
  const pane = el('section', { class: 'card', id: 'conversation' }, el('p', { class: 'hint' }, t('selectConversation')));
  main.append(filters, notifyControls(), el('div', { class: 'inbox' }, el('section', { class: 'card' }, list), pane));

  async function loadList() {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(inboxFilter)) if (v) q.set(k, v);
    const { conversations } = await api('GET', `conversations?${q}`);
    clear(list);
    setTitleCount(conversations.reduce((sum, c) => sum + (c.unread || 0), 0));
    if (!conversations.length) list.append(el('li', {}, t('noConversations')));
    for (const c of conversations) {
      list.append(el('li', { 'data-conversation-id': c.id, class: c.id === openConversation ? 'selected' : '',
        onclick: () => { openConversation = c.id; loadConversation(); loadList(); } },
      el('div', { class: 'row' },
        c.source === 'external'
          ? el('span', { class: 'badge external source-label' }, t('external'))
          : el('span', { class: 'badge source-label' }, t('main')),
        el('span', { class: 'conv-site' }, c.siteName),
        c.status === 'resolved' ? el('span', { class: 'badge resolved' }, t('resolved')) : null,
        c.unread ? el('span', { class: 'badge unread', title: t('unread') }, num(c.unread)) : null,
        el('span', { class: 'badge typing', hidden: !typing.has(c.id) }, t('typingMarker'))),
      el('div', { class: 'last' }, c.lastMessage || ''),
      el('div', { class: 'hint' }, when(c.lastMessageAt || c.createdAt))));
    }
  }

  async function loadConversation() {
    if (!openConversation) return;
    const c = await api('GET', `conversations/${openConversation}`);
    // Read receipt: under the newest reply the visitor has read (a 'read' event reloads this).
    const readReplies = c.messages.filter((m) => m.author !== 'guest' && m.id <= (c.visitorReadUpTo || 0));
    const seenByVisitor = readReplies.length ? readReplies[readReplies.length - 1].id : null;
    clear(pane);
    const thread = el('div', { class: 'thread', id: 'thread' }, c.messages.map((m) =>
      el('div', { class: `msg ${m.author}`, 'data-message-id': m.id },
        el('div', { class: 'text' }, m.text),
        el('div', { class: 'meta' }, `${t(m.author)} · ${when(m.createdAt)}`,
          m.author === 'agent' ? el('span', { class: 'reactions' }, ' · ',
            el('span', { class: 'likes' }, `${t('likes')}: ${num(m.likes)}`), ' · ',
            el('span', { class: 'dislikes' }, `${t('dislikes')}: ${num(m.dislikes)}`)) : null,
          m.id === seenByVisitor ? el('span', { class: 'seen', id: 'visitor-seen' }, ` · ${t('seenByVisitor')}`) : null))));
    const err = errorBox();
    let typedAt = 0;
    const text = el('textarea', { id: 'reply-text', rows: 2, maxlength: 2000, oninput: () => {
      // The visitor sees "Agent is typing…": at most one notice per 2.5 s, never retried.
      if (!text.value.trim() || Date.now() - typedAt < 2500) return;
      typedAt = Date.now();
      api('POST', `conversations/${c.id}/typing`, {}).catch(() => {});
    } });
    const form = el('form', { id: 'reply-form', onsubmit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      try {
        await api('POST', `conversations/${c.id}/messages`,
          { text: text.value, clientId: `p${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}` });
        text.value = '';
        loadConversation();
      } catch (error) { showError(err, error); }
    } }, el('label', { for: 'reply-text' }, t('reply')), text,
    el('p', { class: 'row' }, el('button', { class: 'primary', type: 'submit', id: 'send-reply' }, t('send')),
      el('button', { type: 'button', id: 'toggle-status', onclick: async () => {
        try { await api('POST', `conversations/${c.id}/${c.status === 'open' ? 'resolve' : 'reopen'}`, {});
          loadConversation(); loadList(); } catch (error) { showError(err, error); }
      } }, c.status === 'open' ? t('resolve') : t('reopen'))), err);
    pane.append(el('h2', { class: 'row' },
      c.source === 'external' ? el('span', { class: 'badge external source-label' }, t('external'))
        : el('span', { class: 'badge source-label' }, t('main')),
      el('span', { id: 'conversation-site' }, c.siteName),
      el('span', { class: 'badge', id: 'conversation-status' }, t(c.status))), thread,
    el('p', { class: 'hint', id: 'visitor-typing', hidden: !typing.has(c.id) }, t('visitorTyping')), form);
    thread.scrollTop = thread.scrollHeight;
  }

  // Shows or hides the typing markers of conversation `id` where they are on the page.
  function markTyping(id, on) {
    clearTimeout(typing.get(id));
    if (on) typing.set(id, setTimeout(() => markTyping(id, false), 5000));
    else typing.delete(id);
    const item = list.querySelector(`[data-conversation-id="${Number(id)}"] .typing`);
    if (item) item.hidden = !on;
    const open = document.getElementById('visitor-typing');
    if (open && id === openConversation) open.hidden = !on;
  }

  let listTimer = null;
  listeners.add((event) => {
    if (event.type === 'connected') { loadList(); loadConversation(); return; }
    const id = event.payload && event.payload.conversationId;
    if (event.type === 'typing') {
      if (id && event.payload.from === 'guest') markTyping(id, true);
      return; // nothing stored changed
    }
    if (id && event.type === 'message') {
      markTyping(id, false);
      const m = event.payload.event && (event.payload.event.message || event.payload.event);
      if (m && m.author === 'guest') notifyMessage(id, m.text, id === openConversation);
    }
    if (id && id === openConversation) loadConversation();
    clearTimeout(listTimer);
    listTimer = setTimeout(loadList, 150);
  });
  await loadList();
  await loadConversation();
}
