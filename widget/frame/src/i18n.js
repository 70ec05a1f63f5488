// The frame's words in English and Persian; settings.js chooses the language.
export const STRINGS = {
  en: {
    title: 'Chat',
    close: 'Close chat',
    messages: 'Messages',
    message: 'Message',
    placeholder: 'Type a message…',
    send: 'Send',
    empty: 'Ask us anything. We usually reply in a few minutes.',
    you: 'You',
    agent: 'Agent',
    sending: 'Sending…',
    notSent: 'Not sent.',
    retry: 'Retry',
    like: 'Like',
    dislike: 'Dislike',
    offline: "You're offline. Messages will be sent when you're back online.",
    unavailable: 'The chat is temporarily unavailable. Retrying…',
    connecting: 'Connecting…',
    locked: 'The chat is closed at the moment.',
    rateLimited: 'You are sending messages too fast. Please wait a moment.',
    tooLong: 'This message is too long.',
    resolved: 'This conversation was marked as resolved. Write again to reopen it.',
    reopened: 'This conversation is open again.',
    typing: 'Agent is typing…',
    seen: 'Seen',
    online: "We're online",
    away: "We're away right now. Leave a message and we'll reply.",
    outside_hours: "We're closed now",
  },
  fa: {
    title: 'گفتگو',
    close: 'بستن گفتگو',
    messages: 'پیام‌ها',
    message: 'پیام',
    placeholder: 'پیام خود را بنویسید…',
    send: 'ارسال',
    empty: 'هر سؤالی دارید بپرسید. معمولاً در چند دقیقه پاسخ می‌دهیم.',
    you: 'شما',
    agent: 'پشتیبان',
    sending: 'در حال ارسال…',
    notSent: 'ارسال نشد.',
    retry: 'تلاش دوباره',
    like: 'پسندیدم',
    dislike: 'نپسندیدم',
    offline: 'اتصال اینترنت برقرار نیست. پیام‌ها پس از اتصال دوباره فرستاده می‌شوند.',
    unavailable: 'گفتگو موقتاً در دسترس نیست. دوباره تلاش می‌کنیم…',
    connecting: 'در حال اتصال…',
    locked: 'گفتگو در حال حاضر بسته است.',
    rateLimited: 'پیام‌ها را خیلی سریع می‌فرستید. لطفاً کمی صبر کنید.',
    tooLong: 'این پیام خیلی طولانی است.',
    resolved: 'این گفتگو حل‌شده علامت خورد. برای باز کردن دوباره، پیام بفرستید.',
    reopened: 'این گفتگو دوباره باز شد.',
    typing: 'پشتیبان در حال نوشتن است…',
    seen: 'دیده شد',
    online: 'ما آنلاین هستیم',
    away: 'الان کسی در دسترس نیست. پیام بگذارید تا پاسخ دهیم.',
    outside_hours: 'الان تعطیل هستیم',
  },
};

export let lang = 'en';
export let t = STRINGS.en;
export function setLang(next) {
  lang = next;
  t = STRINGS[next];
}
/** The Intl locale of the language: fa-IR gives Persian digits and the Solar Hijri calendar. */
export const intlLocale = () => (lang === 'fa' ? 'fa-IR' : 'en');

export function pickLang(...candidates) {
  for (const c of candidates) {
    if (typeof c !== 'string' || !c) continue;
    const base = c.toLowerCase().split(/[-_]/)[0];
    if (STRINGS[base]) return base;
  }
  return 'en';
}
