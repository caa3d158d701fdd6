// Block Kit, rendered as Slack's clients show it, with real, labelled controls.
// ctx: {names, tz, now, where: "message" | "home" | "modal", onAction(action), confirm(obj) -> Promise<bool>,
//       errors: {block_id: message}}
"use strict";

const BlockKit = (() => {
  const el = Mrkdwn.el;
  let counter = 0;
  const uid = (prefix) => `${prefix}-${++counter}`;

  function text(obj, ctx) {
    if (!obj) return el("span");
    if (obj.type === "mrkdwn") return Mrkdwn.render(obj.text, ctx);
    return el("span", "plain", emojify(obj.text || ""));
  }

  function plain(obj) { return obj ? emojify(obj.text || "") : ""; }

  function render(blocks, ctx) {
    const root = el("div", "blocks");
    for (const block of blocks || []) {
      const node = renderBlock(block, ctx);
      if (node) {
        node.dataset.blockId = block.block_id || "";
        root.append(node);
      }
    }
    return root;
  }

  function renderBlock(block, ctx) {
    switch (block.type) {
      case "header": return el("h3", "bk-header", plain(block.text));
      case "divider": return el("hr", "bk-divider");
      case "section": return section(block, ctx);
      case "context": {
        const node = el("div", "bk-context");
        for (const item of block.elements || []) {
          if (item.type === "image") { const img = el("img"); img.alt = item.alt_text || ""; img.src = item.image_url; node.append(img); }
          else node.append(text(item, ctx));
        }
        return node;
      }
      case "actions": {
        const node = el("div", "bk-actions");
        for (const element of block.elements || []) node.append(control(element, block, ctx, null));
        return node;
      }
      case "input": return input(block, ctx);
      case "image": {
        const img = el("img", "bk-image"); img.alt = block.alt_text || ""; img.src = block.image_url; return img;
      }
      default: {
        const node = el("p", "bk-unknown", `[${block.type} block]`);
        return node;
      }
    }
  }

  function section(block, ctx) {
    const node = el("div", "bk-section");
    const body = el("div", "bk-section-body");
    if (block.text) body.append(text(block.text, ctx));
    if (block.fields) {
      const grid = el("div", "bk-fields");
      for (const field of block.fields) grid.append(text(field, ctx));
      body.append(grid);
    }
    node.append(body);
    if (block.accessory) {
      const accessory = el("div", "bk-accessory");
      accessory.append(control(block.accessory, block, ctx, null));
      node.append(accessory);
    }
    return node;
  }

  function input(block, ctx) {
    const node = el("div", "bk-input");
    const element = block.element || {};
    const id = uid("field");
    const error = (ctx.errors || {})[block.block_id];
    const labelText = plain(block.label) + (block.optional ? " (optional)" : "");
    let labelNode;
    if (element.type === "checkboxes" || element.type === "radio_buttons") {
      labelNode = el("fieldset", "bk-group");
      labelNode.append(el("legend", "bk-label", labelText));
      labelNode.append(control(element, block, ctx, null));
      node.append(labelNode);
    } else {
      const label = el("label", "bk-label", labelText);
      label.htmlFor = id;
      node.append(label, control(element, block, ctx, id));
    }
    if (block.hint) node.append(el("p", "bk-hint", plain(block.hint)));
    if (error) {
      const message = el("p", "bk-error", error);
      message.id = uid("error");
      message.setAttribute("role", "alert");
      node.querySelectorAll("input, textarea, select").forEach((c) => {
        c.setAttribute("aria-invalid", "true");
        c.setAttribute("aria-describedby", message.id);
      });
      node.append(message);
      node.classList.add("has-error");
    }
    return node;
  }

  function stateful(node, block, element) {
    node.dataset.blockId = block.block_id || "";
    node.dataset.actionId = element.action_id || "";
    node.dataset.type = element.type;
    node.classList.add("bk-state");
    return node;
  }

  function act(ctx, element, block, value) {
    const send = () => ctx.onAction({action_id: element.action_id, block_id: block.block_id, type: element.type, value});
    if (element.confirm && ctx.confirm) ctx.confirm(element.confirm).then((ok) => ok && send());
    else send();
  }

  // An element: in an actions block or accessory it acts at once (block_actions); in an input block
  // it only holds state until the modal is submitted.
  function control(element, block, ctx, id) {
    const inInput = block.type === "input";
    switch (element.type) {
      case "button": {
        const button = el("button", `bk-button ${element.style || ""}`.trim(), plain(element.text));
        button.type = "button";
        if (element.url) button.dataset.url = element.url;
        button.addEventListener("click", () => act(ctx, element, block, element.value));
        return button;
      }
      case "plain_text_input": {
        const field = el(element.multiline ? "textarea" : "input", "bk-text");
        if (!element.multiline) field.type = "text";
        if (id) field.id = id;
        field.value = element.initial_value || "";
        if (element.placeholder) field.placeholder = plain(element.placeholder);
        if (element.max_length) field.maxLength = element.max_length;
        if (element.multiline) field.rows = 3;
        return stateful(field, block, element);
      }
      case "datepicker":
      case "timepicker": {
        // Text fields in British order (14/01/2027, 15:30), not the browser's own pickers, which
        // follow its locale (mm/dd/yyyy, "3:30 PM") whatever the page's language.
        const isDate = element.type === "datepicker";
        const field = el("input", "bk-date");
        field.type = "text";
        field.inputMode = "numeric";
        field.placeholder = isDate ? "DD/MM/YYYY" : "HH:MM";
        field.value = isDate ? britishDate(element.initial_date) : element.initial_time || "";
        stateful(field, block, element);
        if (!inInput) {
          field.addEventListener("change", () => {
            const value = isDate ? isoDate(field.value) : isoTime(field.value);
            if (value) act(ctx, element, block, value);
          });
        }
        if (id) {
          field.id = id;
          return field;
        }
        // Beside buttons (App Home's "Pause until…") Slack shows the placeholder in the field; here it
        // stays visible as the field's label, as the browser's own pickers hide placeholders.
        const label = el("label", "bk-inline-label", plain(element.placeholder) || (isDate ? "Date" : "Time"));
        label.append(field);
        return label;
      }
      case "static_select": {
        const select = el("select", "bk-select");
        if (id) select.id = id; else select.setAttribute("aria-label", plain(element.placeholder) || "Choose");
        const options = element.options || (element.option_groups || []).flatMap((g) => g.options);
        const none = el("option", "", plain(element.placeholder) || "Choose…");
        none.value = "";
        select.append(none);
        options.forEach((option, i) => {
          const item = el("option", "", plain(option.text));
          item.value = String(i);
          if (element.initial_option && element.initial_option.value === option.value) item.selected = true;
          select.append(item);
        });
        select.bkOptions = options;
        if (!inInput) select.addEventListener("change", () => act(ctx, element, block, (options[select.value] || {}).value));
        return stateful(select, block, element);
      }
      case "users_select":
      case "multi_users_select": {
        // Slack's people picker: here a plain (multiple) select of the workspace's people.
        const multi = element.type === "multi_users_select";
        const select = el("select", "bk-select");
        select.multiple = multi;
        if (id) select.id = id; else select.setAttribute("aria-label", plain(element.placeholder) || "Choose people");
        const initial = new Set(multi ? element.initial_users || [] : [element.initial_user].filter(Boolean));
        if (!multi) {
          const none = el("option", "", plain(element.placeholder) || "Choose…");
          none.value = "";
          select.append(none);
        }
        (ctx.people || []).filter((person) => person.id !== ctx.viewer).forEach((person) => {
          const item = el("option", "", person.name);
          item.value = person.id;
          item.selected = initial.has(person.id);
          select.append(item);
        });
        const chosen = () => [...select.selectedOptions].map((o) => o.value).filter(Boolean);
        if (!inInput) select.addEventListener("change", () => act(ctx, element, block, multi ? chosen() : chosen()[0]));
        return stateful(select, block, element);
      }
      case "checkboxes":
      case "radio_buttons": {
        const group = el("div", "bk-choices");
        const name = uid("choice");
        const initial = new Set((element.initial_options || (element.initial_option ? [element.initial_option] : []))
          .map((o) => o.value));
        (element.options || []).forEach((option) => {
          const row = el("label", "bk-choice");
          const box = el("input");
          box.type = element.type === "checkboxes" ? "checkbox" : "radio";
          box.name = name;
          box.checked = initial.has(option.value);
          box.bkOption = option;
          const words = el("span");
          words.append(text(option.text, ctx));
          if (option.description) words.append(el("small", "bk-hint", plain(option.description)));
          row.append(box, words);
          group.append(row);
        });
        return stateful(group, block, element);
      }
      case "image": {
        const img = el("img", "bk-accessory-image"); img.alt = element.alt_text || ""; img.src = element.image_url; return img;
      }
      default:
        return el("span", "bk-unknown", `[${element.type}]`);
    }
  }

  // "2027-01-14" <-> "14/01/2027"; what people type is read either way, and a time as "15:30".
  function britishDate(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? `${m[3]}/${m[2]}/${m[1]}` : "";
  }

  function isoDate(text) {
    const value = (text || "").trim();
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
    const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
    return m ? `${m[3]}-${m[2].padStart(2, "0")}-${m[1].padStart(2, "0")}` : null;
  }

  function isoTime(text) {
    const m = /^(\d{1,2})[:.](\d{2})$/.exec((text || "").trim());
    return m && +m[1] < 24 && +m[2] < 60 ? `${m[1].padStart(2, "0")}:${m[2]}` : null;
  }

  // state.values of everything stateful inside `root`, shaped as Slack sends it.
  function stateOf(root) {
    const values = {};
    root.querySelectorAll(".bk-state").forEach((node) => {
      const {blockId, actionId, type} = node.dataset;
      let value;
      if (type === "plain_text_input") value = {type, value: node.value === "" ? null : node.value};
      else if (type === "datepicker") value = {type, selected_date: isoDate(node.value)};
      else if (type === "timepicker") value = {type, selected_time: isoTime(node.value)};
      else if (type === "static_select") value = {type, selected_option: node.value === "" ? null : node.bkOptions[+node.value]};
      else if (type === "multi_users_select") value = {type, selected_users: [...node.selectedOptions].map((o) => o.value)};
      else if (type === "users_select") value = {type, selected_user: node.value || null};
      else if (type === "checkboxes") {
        value = {type, selected_options: [...node.querySelectorAll("input")].filter((b) => b.checked).map((b) => b.bkOption)};
      } else if (type === "radio_buttons") {
        const chosen = [...node.querySelectorAll("input")].find((b) => b.checked);
        value = {type, selected_option: chosen ? chosen.bkOption : null};
      } else return;
      (values[blockId] = values[blockId] || {})[actionId] = value;
    });
    return values;
  }

  return {render, stateOf, plain, text};
})();
