// The playground page: whose Slack you look at, their conversations and App Home, the bot's modals,
// and every call the bot made to Slack. It follows the server with a long poll (GET /api/state).
"use strict";

const el = Mrkdwn.el;
const page = {
  viewer: null, version: 0, state: null, open: "dm", seen: {}, callsLoaded: 0, poll: null,
  rendered: {conversation: "", modal: "", home: ""},
};
const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const response = await fetch(path, {method: "POST", headers: {"Content-Type": "application/json"},
                                      body: JSON.stringify({as: page.viewer, ...body})});
  const answer = await response.json().catch(() => ({problem: `HTTP ${response.status}`}));
  if (answer.problem) say(answer.problem, true);
  if (answer.error) say(`The playground failed: ${answer.error}`, true);
  return answer;
}

function say(text, bad) {
  const status = $("status");
  status.textContent = text;
  status.classList.toggle("bad", !!bad);
}

function capitalised(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

function viewerPerson() {
  return (page.state?.people || []).find((p) => p.id === page.viewer) || {};
}

function ctxFor(where, extra) {
  const s = page.state;
  return {names: s.names, people: s.people, viewer: page.viewer, tz: viewerPerson().tz || "UTC", now: Date.parse(s.now) / 1000, where,
          confirm: confirmDialog, ...extra};
}

// ---- following the server ----------------------------------------------------------------------------

async function follow() {
  const mine = page.poll = new AbortController();
  while (page.poll === mine) {
    try {
      const query = `as=${encodeURIComponent(page.viewer || "")}&since=${page.version}`;
      const response = await fetch(`/api/state?${query}`, {signal: mine.signal});
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const state = await response.json();
      if (page.poll !== mine) return;
      page.offline = false;
      page.version = state.version;
      page.state = state;
      page.viewer = state.viewer;
      show();
    } catch (error) {
      if (mine.signal.aborted) return;
      page.offline = true;
      showTroubles();
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function restartFollowing() {
  if (page.poll) page.poll.abort();
  page.version = 0;
  // null, not "": "" is also the key of "no dialog", so the last person's dialog would stay on screen.
  page.rendered = {conversation: null, modal: null, home: null};
  follow();
}

// ---- rendering -------------------------------------------------------------------------------------------

function show() {
  showPeople();
  showClock();
  showTroubles();
  showSidebar();
  showConversation();
  showModal();
  showCalls();
}

function showPeople() {
  const select = $("act-as");
  const people = page.state.people;
  if (select.options.length !== people.length) {
    select.replaceChildren(...people.map((p) => {
      const option = el("option", "", `${p.name} (${p.organisation})${p.organiser ? " · organiser" : ""}`);
      option.value = p.id;
      return option;
    }));
  }
  select.value = page.viewer;
  const me = viewerPerson();
  const status = me.status ? `member, ${me.status}` : "not a member yet";
  $("who").textContent = `${me.name}, ${me.title} at ${me.organisation} · ${me.tz} · ${status}`;
}

function formatMoment(iso, tz) {
  const p = Mrkdwn.partsIn(Date.parse(iso) / 1000, tz);
  const day = new Intl.DateTimeFormat("en-GB", {timeZone: tz, weekday: "short", day: "numeric", month: "short", year: "numeric"})
    .format(new Date(iso));
  return `${day}, ${Mrkdwn.clockTime(p, tz, false)}`;
}

// Phase names are the bot's ("open", "close", a send's kind); the page says them as people do.
function phaseWords(next) {
  const round = next.round ? `round ${next.round}` : "the next round";
  const words = {
    "heads-up": `${round}'s heads-up`, open: `${round} opens`, nudge: `${round}'s nudge`,
    "follow-up": `${round}'s follow-up`, close: `${round} closes`, reminder: "a reminder of an agreed chat",
    welcome_back: "a welcome back after a pause",
    waiting_check: "a private check on matches with no time set (a day after the nudge)",
  };
  return words[next.name] || next.name.replaceAll("_", " ");
}

function nextWords(next, tz) {
  return next && next.name ? `next: ${phaseWords(next)}, ${formatMoment(next.at, tz)}` : "";
}

function showClock() {
  const s = page.state, tz = viewerPerson().tz || "UTC";
  $("clock").textContent = `Bot's time: ${formatMoment(s.now, tz)} (${tz.split("/").pop().replace("_", " ")})`;
  $("next-up").textContent = nextWords(s.next_phase, tz);
  $("next-phase").setAttribute("aria-describedby", "next-up");
}

function showTroubles() {
  const box = $("troubles");
  const troubles = (page.state?.troubles || []).slice(-6).map((t) => t.what);
  if (page.offline) troubles.push("The playground isn't answering: has it stopped? (Trying again every second.)");
  box.hidden = troubles.length === 0;
  box.replaceChildren(...troubles.map((t) => el("p", "", t)));
}

function conversationsOf() {
  return page.state.conversations;
}

function unseen(conversation) {
  const seen = (page.seen[page.viewer] || {})[conversation.id] || 0;
  return conversation.messages.filter((m) => parseFloat(m.ts) > seen).length;
}

function showSidebar() {
  const list = $("conversations");
  const items = [];
  const home = el("li");
  const homeButton = el("button", `nav ${page.open === "home" ? "current" : ""}`, "App Home");
  homeButton.type = "button";
  homeButton.addEventListener("click", () => openHome());
  if (page.open === "home") homeButton.setAttribute("aria-current", "page");
  home.append(homeButton);
  items.push(home);
  for (const c of conversationsOf()) {
    const item = el("li");
    const button = el("button", `nav ${page.open === c.id || (page.open === "dm" && c.kind === "dm") ? "current" : ""}`);
    button.type = "button";
    button.append(el("span", "", c.kind === "dm" ? "unmentor" : c.title));
    const fresh = page.open === c.id || (page.open === "dm" && c.kind === "dm") ? 0 : unseen(c);
    if (fresh) {
      const badge = el("span", "badge", `${fresh} new`);
      button.append(" ", badge);
    }
    if (button.classList.contains("current")) button.setAttribute("aria-current", "page");
    button.addEventListener("click", () => { page.open = c.id; page.rendered.conversation = ""; show(); });
    item.append(button);
    items.push(item);
  }
  list.replaceChildren(...items);
}

function currentConversation() {
  const all = conversationsOf();
  if (page.open === "dm") return all.find((c) => c.kind === "dm");
  return all.find((c) => c.id === page.open) || all.find((c) => c.kind === "dm");
}

function showConversation() {
  const box = $("messages");
  if (page.open === "home") {
    $("conversation-title").textContent = "App Home";
    const home = page.state.home;
    const key = JSON.stringify(home) + page.viewer;
    if (key === page.rendered.conversation) return;
    page.rendered.conversation = key;
    box.replaceChildren(home ? BlockKit.render(home.blocks, ctxFor("home", {onAction: (a) => click("home", a)}))
                             : el("p", "muted", "Opening App Home…"));
    box.classList.add("home");
    return;
  }
  box.classList.remove("home");
  const c = currentConversation();
  if (!c) return;
  $("conversation-title").textContent = c.kind === "dm" ? "unmentor (direct message)" : c.title;
  const key = JSON.stringify(c.messages) + page.viewer + c.id;
  if (key === page.rendered.conversation) return;
  page.rendered.conversation = key;
  const seenBefore = (page.seen[page.viewer] || {})[c.id] || 0;
  const nodes = c.messages.map((m) => message(m, c, parseFloat(m.ts) > seenBefore && seenBefore > 0));
  if (!nodes.length) nodes.push(el("p", "muted", "Nothing here yet. Try /unmentor join."));
  box.replaceChildren(...nodes);
  box.scrollTop = box.scrollHeight;
  const latest = c.messages.length ? parseFloat(c.messages[c.messages.length - 1].ts) : 0;
  (page.seen[page.viewer] = page.seen[page.viewer] || {})[c.id] = latest;
}

function message(m, conversation, fresh) {
  const node = el("article", `message${m.ephemeral ? " ephemeral" : ""}${fresh ? " new" : ""}`);
  const head = el("div", "message-head");
  const sender = page.state.names[m.user] || m.user || "unmentor";
  head.append(el("strong", "", sender));
  if (m.user === "UBOT" || !m.user) head.append(el("span", "app-badge", "APP"));
  const when = Mrkdwn.partsIn(parseFloat(m.ts), viewerPerson().tz || "UTC");
  const time = el("time", "muted", `${formatMoment(new Date(parseFloat(m.ts) * 1000).toISOString(), viewerPerson().tz || "UTC")}`);
  time.dataset.hour = when.hour;
  head.append(time);
  if (m.edited) head.append(el("span", "muted", "(edited)"));
  if (fresh) head.append(el("span", "badge", "new"));
  node.append(head);
  if (m.ephemeral) node.append(el("p", "only-you", "Only visible to you"));
  const ctx = ctxFor("message", {onAction: (a) => click("message", a, conversation.id, m.ts)});
  node.append(m.blocks && m.blocks.length ? BlockKit.render(m.blocks, ctx) : Mrkdwn.render(m.text, ctx));
  node.setAttribute("aria-label", `Message from ${sender}${m.ephemeral ? ", only visible to you" : ""}`);
  return node;
}

// ---- modals ---------------------------------------------------------------------------------------------------

function showModal(errors) {
  const layer = $("modal-layer");
  const modal = page.state.modal;
  const key = modal ? JSON.stringify(modal) : "";
  if (key === page.rendered.modal && !errors) return;
  page.rendered.modal = key;
  if (!modal) { layer.hidden = true; layer.replaceChildren(); return; }
  const dialog = el("div", "modal");
  dialog.setAttribute("role", "dialog");
  dialog.setAttribute("aria-modal", "true");
  const title = el("h2", "modal-title", BlockKit.plain(modal.title));
  title.id = "modal-title";
  dialog.setAttribute("aria-labelledby", title.id);
  const form = el("form", "modal-body");
  form.noValidate = true;
  form.append(BlockKit.render(modal.blocks, ctxFor("modal", {
    errors: errors || {},
    onAction: (a) => click("modal", a, null, null, BlockKit.stateOf(form)),
  })));
  const buttons = el("div", "modal-buttons");
  const close = el("button", "bk-button", BlockKit.plain(modal.close) || "Cancel");
  close.type = "button";
  close.addEventListener("click", () => api("/api/close"));
  buttons.append(close);
  if (modal.submit) {
    const submit = el("button", "bk-button primary", BlockKit.plain(modal.submit));
    submit.type = "submit";
    buttons.append(submit);
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await api("/api/submit", {values: BlockKit.stateOf(form)});
    if (answer.errors && Object.keys(answer.errors).length) {
      const values = BlockKit.stateOf(form);
      showModal(answer.errors);
      restoreValues(values);
    }
  });
  form.append(buttons);
  dialog.append(title, form);
  layer.replaceChildren(dialog);
  layer.hidden = false;
  const first = dialog.querySelector("input, textarea, select, button");
  if (first && !errors) first.focus();
}

// Keep what the person typed when the modal is drawn again to show errors.
function restoreValues(values) {
  document.querySelectorAll("#modal-layer .bk-state").forEach((node) => {
    const v = (values[node.dataset.blockId] || {})[node.dataset.actionId];
    if (!v) return;
    if ("value" in v && node.value !== undefined) node.value = v.value || "";
    if (v.selected_date !== undefined) node.value = v.selected_date || "";
    if (v.selected_time !== undefined) node.value = v.selected_time || "";
    if (v.selected_options) node.querySelectorAll("input").forEach((b) => { b.checked = v.selected_options.some((o) => o.value === b.bkOption.value); });
  });
}

function confirmDialog(confirm) {
  return new Promise((resolve) => {
    const layer = $("confirm-layer");
    const box = el("div", "modal confirm");
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-modal", "true");
    const title = el("h2", "modal-title", BlockKit.plain(confirm.title) || "Are you sure?");
    title.id = "confirm-title";
    box.setAttribute("aria-labelledby", title.id);
    const body = BlockKit.text(confirm.text, ctxFor("modal", {}));
    const buttons = el("div", "modal-buttons");
    const done = (ok) => { layer.hidden = true; layer.replaceChildren(); resolve(ok); };
    const deny = el("button", "bk-button", BlockKit.plain(confirm.deny) || "Cancel");
    const yes = el("button", `bk-button ${confirm.style || "primary"}`, BlockKit.plain(confirm.confirm) || "Yes");
    deny.type = yes.type = "button";
    deny.addEventListener("click", () => done(false));
    yes.addEventListener("click", () => done(true));
    buttons.append(deny, yes);
    box.append(title, body, buttons);
    layer.replaceChildren(box);
    layer.hidden = false;
    yes.focus();
  });
}

// ---- Slack calls -------------------------------------------------------------------------------------------

function callItem(call) {
  const bad = call.problems.length > 0;
  const item = el("li", `call${bad ? " violation" : ""}${call.error ? " refused" : ""}`);
  const details = el("details");
  const summary = el("summary");
  summary.append(el("span", "muted", `#${call.n} `), el("code", "", call.method), " ",
                 el("span", call.error ? "bad" : "ok", call.error ? `refused: ${call.error}` : "ok"));
  details.append(summary);
  for (const p of call.problems) details.append(el("p", "problem", p));
  details.append(el("pre", "args", JSON.stringify(call.args, null, 1)));
  if (bad) details.open = true;
  item.append(details);
  return item;
}

async function showCalls() {
  const calls = page.state.calls;
  const v = calls.violations;
  $("calls-summary").textContent = `${calls.total} call${calls.total === 1 ? "" : "s"} · ${v} spec violation${v === 1 ? "" : "s"}` +
    (calls.refused ? ` · ${calls.refused} refused` : "");
  $("calls-summary").classList.toggle("bad", v > 0);
  $("flagged").replaceChildren(...calls.flagged.map(callItem));
  if (page.loadingCalls || calls.total <= page.callsLoaded) return;
  page.loadingCalls = true;
  try {
    while (page.callsLoaded < calls.total) {
      const answer = await (await fetch(`/api/calls?after=${page.callsLoaded}`)).json();
      if (!answer.calls.length) break;
      const list = $("call-list");
      for (const call of answer.calls) list.prepend(callItem(call));
      page.callsLoaded += answer.calls.length;
    }
  } finally {
    page.loadingCalls = false;
  }
}

// ---- what the person does ---------------------------------------------------------------------------------------

// Mentions as Slack's composer makes them: "@Dev Iyer" picked or typed goes to the bot as <@U…>,
// the form a slash command receives (names never reach the bot, and the page never shows IDs).
function withMentions(text) {
  const people = [...(page.state?.people || [])].sort((a, b) => b.name.length - a.name.length);
  let out = text;
  for (const person of people) {
    const escaped = person.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    out = out.replace(new RegExp(`@${escaped}(?![\\p{L}\\p{N}])`, "giu"), `<@${person.id}>`);
  }
  return out;
}

function offerMentions() {
  const box = $("message"), list = $("mentions");
  const typed = /@([^@<>]*)$/.exec(box.value.slice(0, box.selectionStart ?? box.value.length));
  const wanted = typed ? typed[1].trim().toLowerCase() : null;
  const matches = wanted === null ? [] : (page.state?.people || [])
    .filter((p) => p.id !== page.viewer && p.name.toLowerCase().includes(wanted)).slice(0, 6);
  list.hidden = matches.length === 0 || matches.some((p) => p.name.toLowerCase() === wanted);
  list.replaceChildren(...matches.map((person) => {
    const pick = el("button", "", `${person.name} (${person.organisation})`);
    pick.type = "button";
    pick.addEventListener("click", () => {
      box.value = box.value.slice(0, typed.index) + `@${person.name} `;
      list.hidden = true;
      box.focus();
    });
    const item = el("li", "");
    item.append(pick);
    return item;
  }));
}

async function click(where, action, channel, ts, state) {
  say(`Sent “${action.action_id}” to the bot…`);
  const answer = await api("/api/click", {where, channel, ts, state, ...action});
  if (!answer.problem) say("");
}

async function openHome() {
  page.open = "home";
  page.rendered.conversation = "";
  show();
  await api("/api/home");
}

document.addEventListener("DOMContentLoaded", () => {
  $("act-as").addEventListener("change", (event) => {
    page.viewer = event.target.value;
    page.open = "dm";
    restartFollowing();
  });
  $("message").addEventListener("input", offerMentions);
  $("message-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = $("message");
    $("mentions").hidden = true;
    const typed = box.value.trim();
    const text = withMentions(typed);
    if (!text) return;
    box.value = "";
    const c = page.open === "home" ? null : currentConversation();
    say(`You typed ${typed}`);
    const answer = await api("/api/command", {text, channel: c ? c.id : null});
    if (!answer.problem) say("");
  });
  $("everyone-joins").addEventListener("click", async () => {
    say("Everyone is joining…");
    const answer = await api("/api/everyone-joins", {});
    if (!answer.problem) say(`${answer.joined} ${answer.joined === 1 ? "person" : "people"} joined.`);
  });
  $("next-phase").addEventListener("click", async () => {
    const button = $("next-phase");
    button.disabled = true;  // one press at a time: the next waits until this one's sends are in
    say(`Moving the bot's clock to ${phaseWords(page.state.next_phase || {})}…`);
    try {
      const answer = await api("/api/next-phase", {});
      // Where the clock went, what that did, and what comes next (naming an opening when it's next).
      const moved = {open: "opening", reminder: "reminder", welcome_back: "welcome back",
                     waiting_check: "private check"}[answer.phase] || answer.phase;
      if (answer.said) {
        say(`The bot's clock moved to the ${moved}. ${answer.said} ` +
            `${capitalised(nextWords(answer.next, viewerPerson().tz || "UTC"))}.`);
      }
    } finally {
      button.disabled = false;
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("modal-layer").hidden && $("confirm-layer").hidden) api("/api/close");
  });
  follow();
});
