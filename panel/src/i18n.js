// The panel's words in English and Persian, and the number and date formats of each.
const STRINGS = {
  en: {
    title: 'edgechat admin', login: 'Log in', username: 'Username', password: 'Password',
    logout: 'Log out', sites: 'External Sites', inbox: 'Inbox', admins: 'Admins', audit: 'Audit log',
    addSite: 'Add a site', name: 'Name', siteTitle: 'Widget title', color: 'Primary colour',
    origins: 'Allowed origins', originsHint: 'One per line, e.g. https://shop.example or *.shop.example',
    wildcardRule: 'Exact entries are scheme://host[:port]. A wildcard *.example.com matches subdomains '
      + '(a.example.com, b.a.example.com) at a dot boundary only, never example.com itself or '
      + 'badexample.com; without a scheme it means https. Paths, null and file: are refused.',
    create: 'Create', save: 'Save', saved: 'Saved', remove: 'Remove', add: 'Add', cancel: 'Cancel',
    confirmRemoveSite: 'Remove this site, its conversations and keys? This cannot be undone.',
    siteKey: 'Site key', regenerate: 'Regenerate', confirmRegenerate:
      'Regenerate the site key? Pages embedding the old key stop working until updated.',
    embed: 'Embed snippet', copy: 'Copy', copied: 'Copied',
    secretKeys: 'Secret keys', label: 'Label', generate: 'Generate', revoke: 'Revoke', revoked: 'revoked',
    cannotSignIdentities: 'cannot sign identities; create a new key',
    hours: 'Office hours', hoursZone: 'Time zone (IANA, e.g. Europe/Berlin)', hoursWeek: 'Open (local time, e.g. 09:00-12:00, 13:00-17:00; empty: closed)',
    hoursHolidays: 'Holidays (closed all day)', hoursAway: 'Away text (shown to visitors outside the hours)',
    hoursClear: 'Clear (always open)', hoursNone: 'No office hours: always open', hoursOpen: 'Open now', hoursClosed: 'Closed now',
    day_mon: 'Mon', day_tue: 'Tue', day_wed: 'Wed', day_thu: 'Thu', day_fri: 'Fri', day_sat: 'Sat', day_sun: 'Sun',
    secretOnce: 'Copy this secret key now: it is shown only once.',
    locked: 'Locked (visitors cannot send messages)', lockedMessage: 'Message shown while locked',
    locale: 'Language', localeAuto: 'Follow the page', limits: 'Rate limit',
    limitMessages: 'Messages', limitWindow: 'per this many seconds', limitBurst: 'Burst allowance', limitMessage: 'Message when limited',
    mainSite: 'Main site (the operator’s own site)', preview: 'Preview', previewText: 'Hello! How can we help?',
    noSites: 'No sites yet.', selectSite: 'Select a site to edit it.',
    allSites: 'All sites', allSources: 'All sources', allStatuses: 'All statuses',
    external: 'External Source', main: 'Main site', open: 'Open', resolved: 'Resolved',
    resolve: 'Resolve', reopen: 'Reopen', reply: 'Reply', send: 'Send', noConversations: 'No conversations.',
    visitorTyping: 'Visitor is typing…', typingMarker: 'typing…', seenByVisitor: 'Seen by the visitor',
    notifications: 'Notifications:', notify_desktop: 'Desktop', notify_sound: 'Sound', notify_title: 'Count in the tab title',
    newVisitorMessage: 'New message from a visitor',
    presence: 'My availability', presence_online: 'Online', presence_away: 'Away', presence_offline: 'Offline',
    selectConversation: 'Select a conversation.', guest: 'Visitor', agent: 'Agent', system: 'System',
    likes: 'Likes', dislikes: 'Dislikes', unread: 'unread', live: 'live', offline: 'reconnecting…',
    displayName: 'Display name', addAdmin: 'Add an admin', changePassword: 'Change password',
    currentPassword: 'Current password', newPassword: 'New password', you: 'you',
    confirmRemoveAdmin: 'Remove this admin?', when: 'When', who: 'Who', what: 'What', target: 'Target',
    details: 'Details', more: 'More', language: 'فارسی',
    myMail: 'My email notifications', mailEmail: 'Email address (empty: no mail)', mailLocale: 'Language of the mails',
    mailNewConversation: 'Mail me for each new conversation', mailUnanswered: 'Mail me when a visitor waits this many minutes (0: never)',
  },
  fa: {
    title: 'مدیریت edgechat', login: 'ورود', username: 'نام کاربری', password: 'گذرواژه',
    logout: 'خروج', sites: 'سایت‌های خارجی', inbox: 'صندوق گفتگوها', admins: 'مدیران', audit: 'گزارش تغییرات',
    addSite: 'افزودن سایت', name: 'نام', siteTitle: 'عنوان ویجت', color: 'رنگ اصلی',
    origins: 'مبداهای مجاز', originsHint: 'هر خط یکی، مانند https://shop.example یا *.shop.example',
    wildcardRule: 'مبدا دقیق به شکل scheme://host[:port] است. الگوی *.example.com فقط زیردامنه‌ها را '
      + '(a.example.com و b.a.example.com) در مرز نقطه می‌پذیرد، نه خود example.com و نه badexample.com؛ '
      + 'بدون scheme یعنی https. مسیر، null و file: پذیرفته نمی‌شوند.',
    create: 'ایجاد', save: 'ذخیره', saved: 'ذخیره شد', remove: 'حذف', add: 'افزودن', cancel: 'انصراف',
    confirmRemoveSite: 'این سایت با گفتگوها و کلیدهایش حذف شود؟ بازگشت‌پذیر نیست.',
    siteKey: 'کلید سایت', regenerate: 'ساخت کلید تازه', confirmRegenerate:
      'کلید سایت عوض شود؟ صفحه‌هایی که کلید قدیمی را دارند تا به‌روزرسانی کار نمی‌کنند.',
    embed: 'کد جاسازی', copy: 'کپی', copied: 'کپی شد',
    secretKeys: 'کلیدهای محرمانه', label: 'برچسب', generate: 'ساختن', revoke: 'ابطال', revoked: 'باطل‌شده',
    cannotSignIdentities: 'نمی‌تواند هویت امضا کند؛ کلید تازه بسازید',
    hours: 'ساعات کاری', hoursZone: 'منطقهٔ زمانی (IANA، مثلاً Asia/Tehran)', hoursWeek: 'باز (ساعت محلی، مثلاً 09:00-12:00, 13:00-17:00؛ خالی: بسته)',
    hoursHolidays: 'تعطیلات (تمام روز بسته)', hoursAway: 'متن خارج از ساعات کاری (برای بازدیدکنندگان)',
    hoursClear: 'پاک کردن (همیشه باز)', hoursNone: 'ساعات کاری تعیین نشده: همیشه باز', hoursOpen: 'اکنون باز', hoursClosed: 'اکنون بسته',
    day_mon: 'دوشنبه', day_tue: 'سه‌شنبه', day_wed: 'چهارشنبه', day_thu: 'پنجشنبه', day_fri: 'جمعه', day_sat: 'شنبه', day_sun: 'یکشنبه',
    secretOnce: 'این کلید محرمانه را همین حالا کپی کنید: فقط یک بار نشان داده می‌شود.',
    locked: 'قفل (بازدیدکنندگان نمی‌توانند پیام بفرستند)', lockedMessage: 'پیام هنگام قفل',
    locale: 'زبان', localeAuto: 'پیروی از صفحه', limits: 'محدودیت نرخ',
    limitMessages: 'تعداد پیام', limitWindow: 'در این چند ثانیه', limitBurst: 'مازاد مجاز', limitMessage: 'پیام هنگام محدودیت',
    mainSite: 'سایت اصلی (سایت خود اپراتور)', preview: 'پیش‌نمایش', previewText: 'سلام! چطور می‌توانیم کمک کنیم؟',
    noSites: 'هنوز سایتی نیست.', selectSite: 'یک سایت را برای ویرایش برگزینید.',
    allSites: 'همه سایت‌ها', allSources: 'همه منابع', allStatuses: 'همه وضعیت‌ها',
    external: 'External Source', main: 'Main site', open: 'باز', resolved: 'حل‌شده',
    resolve: 'حل شد', reopen: 'بازگشایی', reply: 'پاسخ', send: 'ارسال', noConversations: 'گفتگویی نیست.',
    visitorTyping: 'بازدیدکننده در حال نوشتن است…', typingMarker: 'در حال نوشتن…', seenByVisitor: 'بازدیدکننده دید',
    notifications: 'اعلان‌ها:', notify_desktop: 'دسکتاپ', notify_sound: 'صدا', notify_title: 'شمار در عنوان زبانه',
    newVisitorMessage: 'پیام تازه از بازدیدکننده',
    presence: 'وضعیت من', presence_online: 'آنلاین', presence_away: 'دور از دسترس', presence_offline: 'آفلاین',
    selectConversation: 'یک گفتگو را برگزینید.', guest: 'بازدیدکننده', agent: 'پشتیبان', system: 'سیستم',
    likes: 'پسند', dislikes: 'نپسند', unread: 'نخوانده', live: 'زنده', offline: 'در حال اتصال دوباره…',
    displayName: 'نام نمایشی', addAdmin: 'افزودن مدیر', changePassword: 'تغییر گذرواژه',
    currentPassword: 'گذرواژه فعلی', newPassword: 'گذرواژه تازه', you: 'شما',
    confirmRemoveAdmin: 'این مدیر حذف شود؟', when: 'زمان', who: 'چه کسی', what: 'چه کاری', target: 'هدف',
    details: 'جزئیات', more: 'بیشتر', language: 'English',
    myMail: 'اعلان‌های ایمیلی من', mailEmail: 'نشانی ایمیل (خالی: بدون ایمیل)', mailLocale: 'زبان ایمیل‌ها',
    mailNewConversation: 'برای هر گفتگوی تازه به من ایمیل بزن', mailUnanswered: 'وقتی بازدیدکننده این چند دقیقه منتظر ماند ایمیل بزن (۰: هرگز)',
  },
};
let lang = localStorage.getItem('edgechat.panel.lang') === 'fa' ? 'fa' : 'en';
export const t = (key) => STRINGS[lang][key] || STRINGS.en[key] || key;
const numberFormat = () => new Intl.NumberFormat(lang === 'fa' ? 'fa-IR' : 'en-US');
export const num = (n) => numberFormat().format(n);
export const when = (iso) => {
  if (!iso) return '';
  try {
    return new Intl.DateTimeFormat(lang === 'fa' ? 'fa-IR' : 'en-GB',
      { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
  } catch { return iso; }
};
export function applyLang() {
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === 'fa' ? 'rtl' : 'ltr';
  document.title = t('title');
}
/** Switches English and Persian and remembers the choice; the caller redraws. */
export function toggleLang() {
  lang = lang === 'fa' ? 'en' : 'fa';
  localStorage.setItem('edgechat.panel.lang', lang);
  applyLang();
}
