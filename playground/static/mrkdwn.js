// Slack's mrkdwn, rendered into DOM nodes (never innerHTML: message text is untrusted).
// Bold, italic, strike, code, code blocks, quotes, bullet lists, links, user mentions shown as
// names, and <!date^…> in the viewer's time zone, as Slack's clients show them.
"use strict";

const EMOJI = {
  arrows_counterclockwise: "🔄", calendar: "📅", hourglass_flowing_sand: "⏳", leaves: "🍃", pause_button: "⏸️",
  seedling: "🌱", tada: "🎉", wave: "👋", white_check_mark: "✅", sparkles: "✨", speech_balloon: "💬",
  handshake: "🤝", coffee: "☕", thumbsup: "👍", "+1": "👍", heart: "❤️", star: "⭐", bulb: "💡", books: "📚",
  spiral_calendar_pad: "🗓️", alarm_clock: "⏰", warning: "⚠️", x: "❌", email: "📧", bar_chart: "📊",
  memo: "📝", pray: "🙏", smile: "😄", slightly_smiling_face: "🙂", raised_hands: "🙌", clock10: "🕙",
};

function decodeEntities(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function emojify(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] || whole);
}

const Mrkdwn = (() => {
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December"];
  const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

  function ordinal(n) {
    const s = n % 100 >= 11 && n % 100 <= 13 ? "th" : ({1: "st", 2: "nd", 3: "rd"}[n % 10] || "th");
    return `${n}${s}`;
  }

  // The calendar fields of an instant in a zone.
  function partsIn(epochSeconds, tz) {
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "2-digit",
      second: "2-digit", hourCycle: "h23", weekday: "short",
    });
    const parts = {};
    for (const p of format.formatToParts(new Date(epochSeconds * 1000))) parts[p.type] = p.value;
    const weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday);
    return {year: +parts.year, month: +parts.month, day: +parts.day, hour: +parts.hour % 24,
            minute: +parts.minute, second: +parts.second, weekday};
  }

  function clockTime(p, tz, seconds) {
    const mm = String(p.minute).padStart(2, "0"), ss = String(p.second).padStart(2, "0");
    if ((tz || "").startsWith("America/")) {  // Slack's default there is the 12-hour clock
      const h = p.hour % 12 || 12;
      return `${h}:${mm}${seconds ? ":" + ss : ""} ${p.hour < 12 ? "AM" : "PM"}`;
    }
    return `${String(p.hour).padStart(2, "0")}:${mm}${seconds ? ":" + ss : ""}`;
  }

  function dayNumber(p) { return Date.UTC(p.year, p.month - 1, p.day) / 86400000; }

  // https://docs.slack.dev/messaging/formatting-message-text#date-formatting
  function formatDate(epoch, template, tz, nowEpoch) {
    const p = partsIn(epoch, tz);
    const today = partsIn(nowEpoch, tz);
    const long = `${DAYS[p.weekday]}, ${MONTHS[p.month - 1]} ${ordinal(p.day)}, ${p.year}`;
    const plain = `${MONTHS[p.month - 1]} ${ordinal(p.day)}, ${p.year}`;
    const short = `${MONTHS[p.month - 1].slice(0, 3)} ${p.day}, ${p.year}`;
    const pretty = (otherwise) => {
      const diff = dayNumber(p) - dayNumber(today);
      return diff === 0 ? "today" : diff === 1 ? "tomorrow" : diff === -1 ? "yesterday" : otherwise;
    };
    const ago = () => {
      const minutes = Math.round((nowEpoch - epoch) / 60);
      if (Math.abs(minutes) < 60) return minutes >= 0 ? `${minutes} minutes ago` : `in ${-minutes} minutes`;
      const hours = Math.round(minutes / 60);
      if (Math.abs(hours) < 24) return hours >= 0 ? `${hours} hours ago` : `in ${-hours} hours`;
      const days = Math.round(hours / 24);
      return days >= 0 ? `${days} days ago` : `in ${-days} days`;
    };
    const tokens = {
      date_num: `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`,
      date: plain, date_short: short, date_long: long,
      date_pretty: pretty(plain), date_short_pretty: pretty(short), date_long_pretty: pretty(long),
      time: clockTime(p, tz, false), time_secs: clockTime(p, tz, true), ago: ago(),
    };
    return template.replace(/\{([a-z_]+)\}/g, (whole, name) => (name in tokens ? tokens[name] : whole));
  }

  // One <…> token: a mention, a link, a date or a special mention.
  function angle(inner, ctx) {
    const [target, label] = splitOnce(inner, "|");
    if (target.startsWith("@")) {
      const id = target.slice(1);
      const span = el("span", "mention", "@" + (ctx.names[id] || label || id));
      span.title = id;
      return span;
    }
    if (target.startsWith("#")) return el("span", "mention", "#" + (label || target.slice(1)));
    if (target.startsWith("!date^")) {
      const [, epoch, template, link] = target.split("^");
      const text = formatDate(Number(epoch), decodeEntities(template || "{date}"), ctx.tz, ctx.now);
      const time = el(link ? "a" : "time", "date", text);
      time.title = decodeEntities(label || "");
      if (link) time.href = decodeEntities(link);
      return time;
    }
    if (target.startsWith("!")) return el("span", "mention", "@" + (label || target.slice(1).split("^")[0]));
    const a = el("a", "link", decodeEntities(label || target));
    a.href = decodeEntities(target);
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function splitOnce(text, sep) {
    const i = text.indexOf(sep);
    return i < 0 ? [text, ""] : [text.slice(0, i), text.slice(i + 1)];
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Inline marks: the first one that opens wins, as in Slack; marks need no word boundary here.
  const INLINE = /<([^<>\n]+)>|`([^`\n]+)`|\*([^*\n]+)\*|(?<![\w])_([^_\n]+)_(?![\w])|~([^~\n]+)~/g;

  function inline(text, ctx, parent) {
    let last = 0;
    for (const m of text.matchAll(INLINE)) {
      if (m.index > last) parent.append(emojify(decodeEntities(text.slice(last, m.index))));
      if (m[1] !== undefined) parent.append(angle(m[1], ctx));
      else if (m[2] !== undefined) parent.append(el("code", "", decodeEntities(m[2])));
      else {
        const tag = m[3] !== undefined ? "strong" : m[4] !== undefined ? "em" : "s";
        const node = el(tag);
        inline(m[3] ?? m[4] ?? m[5], ctx, node);
        parent.append(node);
      }
      last = m.index + m[0].length;
    }
    if (last < text.length) parent.append(emojify(decodeEntities(text.slice(last))));
  }

  // Lines: ``` code blocks, > quotes, • / - lists, and the rest as text with line breaks.
  function render(text, ctx) {
    const root = el("div", "mrkdwn");
    const parts = (text || "").split("```");
    parts.forEach((part, i) => {
      if (i % 2 === 1) {
        root.append(el("pre", "", decodeEntities(part.replace(/^\n/, ""))));
        return;
      }
      let list = null, quote = null;
      const lines = part.split("\n");
      lines.forEach((line, n) => {
        const quoted = line.match(/^(?:&gt;|>)\s?(.*)$/);
        const bullet = line.match(/^\s*(?:•|-|◦|▪)\s+(.*)$/);
        const numbered = line.match(/^\s*(\d+)\.\s+(.*)$/);
        if (quoted) {
          list = null;
          if (!quote) { quote = el("blockquote"); root.append(quote); } else quote.append(el("br"));
          inline(quoted[1], ctx, quote);
        } else if (bullet || numbered) {
          quote = null;
          const kind = bullet ? "ul" : "ol";
          if (!list || list.tagName.toLowerCase() !== kind) { list = el(kind); root.append(list); }
          const item = el("li");
          inline(bullet ? bullet[1] : numbered[2], ctx, item);
          list.append(item);
        } else {
          list = null; quote = null;
          const span = el("span", "line");
          inline(line, ctx, span);
          root.append(span);
          if (n < lines.length - 1) root.append(el("br"));
        }
      });
    });
    return root;
  }

  return {render, formatDate, partsIn, clockTime, el, inline};
})();
